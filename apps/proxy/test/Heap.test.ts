/** The heap growing factor `mreg-proxy` sets at start unless node's own options set one. */
import { assert, describe, it } from "@effect/vitest"
import { HEAP_GROWING_PERCENT, heapGrowingFlag } from "../src/internal/heap.js"

describe("heapGrowingFlag", () => {
  it("sets a growing factor of 1.5 when node's options do not", () => {
    assert.strictEqual(HEAP_GROWING_PERCENT, 50)
    assert.strictEqual(heapGrowingFlag([]), "--heap-growing-percent=50")
    assert.strictEqual(heapGrowingFlag(["--enable-source-maps", "--max-old-space-size=512"]), "--heap-growing-percent=50")
  })

  it("leaves an operator's own flag alone, in either spelling", () => {
    assert.strictEqual(heapGrowingFlag(["--heap-growing-percent=20"]), undefined)
    assert.strictEqual(heapGrowingFlag(["--heap_growing_percent=200"]), undefined)
    assert.strictEqual(heapGrowingFlag(["--heap-growing-percent", "20"]), undefined)
  })

  it("does not mistake a longer flag for it", () => {
    assert.strictEqual(heapGrowingFlag(["--heap-growing-percentage=20"]), "--heap-growing-percent=50")
  })
})
