import { assert, describe, it } from "@effect/vitest"
import { ConsoleColor } from "@mreg/core"

describe("ConsoleColor", () => {
  it("colour only on a terminal with NO_COLOR unset or empty", () => {
    assert.deepStrictEqual(
      [[true, undefined], [true, ""], [true, "1"], [false, undefined], [undefined, undefined]].map(([tty, noColor]) =>
        ConsoleColor.useColor(tty as boolean | undefined, noColor as string | undefined)
      ),
      [true, true, false, false, false]
    )
  })

  it("strip removes SGR colours, cursor moves and OSC titles, nothing else", () => {
    assert.strictEqual(ConsoleColor.strip("\x1b[0;1mUSAGE\x1b[0m \x1b[2K\x1b]0;title\x07x [1m"), "USAGE x [1m")
  })
})
