/**
 * Terminal-as-a-person tests: `mreg` runs on a pseudo-terminal, as it does for someone at a shell, and the tests
 * read what the screen shows — a table listing and an error — with `NO_COLOR` unset (colour) and set (no escape
 * codes at all); and, in `tmux`, `mreg delete`'s question answered by typing `y`.
 *
 * Two drivers, each used when its program is installed (nothing is ever installed by the tests):
 * - `tmux`: a detached session on a private socket; the screen is read with `capture-pane` (`-e` keeps the
 *   colours), so what is asserted is what a terminal renders;
 * - `script` (util-linux, on every Debian system through the essential `bsdutils` package): runs the command on a
 *   pty and records what it wrote to it.
 * On a machine with neither, the test fails and says so.
 */
import { assert, describe, it } from "@effect/vitest"
import { BASE_FILE } from "@mreg/test-fixtures"
import { Effect, type Scope } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { join } from "node:path"
import { assertLlamaRows, BUNDLE, FIXTURES, json, LLAMA, mreg, tempHome } from "./utils.js"

/** What a command left on the terminal: the text (no escape codes, no `\r`), the raw output, and its exit code. */
interface Screen {
  readonly text: string
  readonly raw: string
  readonly code: number
}

interface Driver {
  readonly name: string
  readonly available: boolean
  /** Runs `sh -c command` in `cwd` on a terminal. */
  readonly run: (command: string, cwd: string) => Effect.Effect<Screen, never, Scope.Scope>
}

const installed = (program: string): boolean => spawnSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0

const ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]/g

/** The environment of the terminal's programs: ours, without a terminal multiplexer's or colour variables. */
const baseEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !["TMUX", "TMUX_PANE", "NO_COLOR", "FORCE_COLOR"].includes(key)) env[key] = value
  }
  return { ...env, TERM: "xterm-256color" }
}

const tmux: Driver = {
  name: "tmux",
  available: installed("tmux"),
  run: (command, cwd) =>
    Effect.gen(function*() {
      const socket = join(cwd, "tmux.sock")
      const tmux = (...args: ReadonlyArray<string>) =>
        spawnSync("tmux", ["-S", socket, "-f", "/dev/null", ...args], { encoding: "utf8", env: baseEnv() })
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          const started = tmux("new-session", "-d", "-x", "250", "-y", "50", "-c", cwd, `${command}; printf '[exit %s]' $?; sleep 120`)
          assert.strictEqual(started.status, 0, `tmux new-session: ${started.stderr}`)
        }),
        () => Effect.sync(() => tmux("kill-server"))
      )
      let text = ""
      for (let i = 0; i < 300; i++) {
        text = tmux("capture-pane", "-p", "-J").stdout
        if (/\[exit \d+\]/.test(text)) break
        yield* Effect.sleep("100 millis")
      }
      const exit = /\[exit (\d+)\]/.exec(text)
      assert.isNotNull(exit, `the command did not finish on the tmux screen:\n${text}`)
      const raw = tmux("capture-pane", "-p", "-e", "-J").stdout
      const clean = (screen: string) => screen.replace(/\[exit \d+\][\s\S]*$/, "").replace(/\n+$/, "\n")
      return { text: clean(text), raw: clean(raw), code: Number(exit![1]) }
    })
}

const script: Driver = {
  name: "script",
  available: installed("script"),
  run: (command, cwd) =>
    Effect.async<Screen>((resume) => {
      const child = spawn("script", ["-qec", command, "/dev/null"], { cwd, env: baseEnv(), stdio: ["ignore", "pipe", "pipe"] })
      let raw = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (raw += chunk))
      child.on("close", (code) => {
        raw = raw.replace(/\r\n/g, "\n")
        resume(Effect.succeed({ text: raw.replace(ESCAPES, ""), raw, code: code ?? -1 }))
      })
      return Effect.sync(() => child.kill("SIGKILL"))
    })
}

const quote = (word: string): string => `'${word.replace(/'/g, "'\\''")}'`

/** The shell command running `mreg args…` with `MREG_HOME=home` and `NO_COLOR` unset or set to 1. */
const mregCommand = (home: string, args: ReadonlyArray<string>, noColor: boolean): string =>
  [
    "env",
    noColor ? "NO_COLOR=1" : "-u NO_COLOR",
    `MREG_HOME=${quote(home)}`,
    quote(process.execPath),
    quote(BUNDLE),
    ...args.map(quote)
  ].join(" ")

const drivers = [tmux, script]

describe("a terminal", () => {
  it("has a pty driver on this machine (tmux or script)", () => {
    assert.isTrue(drivers.some((driver) => driver.available), "neither tmux nor script (util-linux) is installed")
  })
})

for (const driver of drivers) {
  describe.skipIf(!driver.available)(`mreg on a terminal (${driver.name})`, () => {
    it.scopedLive("list --output table: header, rows and count on screen; bold header in colour, none with NO_COLOR", () =>
      Effect.gen(function*() {
        const home = yield* tempHome
        const created = json(yield* mreg(home, ["upsert", "-f", LLAMA])).data
        json(yield* mreg(home, ["upsert", "-f", BASE_FILE]))
        const expected = (screen: Screen) => {
          const lines = screen.text.trimEnd().split("\n")
          assert.strictEqual(lines.length, 4, screen.text)
          assertLlamaRows(lines, created)
          assert.deepStrictEqual(lines[2]!.split(/ +/).slice(1, 5), ["model:default/nlp-team/sentiment-clf:1", "1", "-", "-"])
          assert.strictEqual(lines[3], "2 of 2 (offset 0, limit 100)")
          assert.strictEqual(lines[0]!.indexOf("VERSION"), lines[1]!.indexOf(" 1 ") + 1, "columns are aligned")
          assert.strictEqual(screen.code, 0)
        }
        const colour = yield* driver.run(mregCommand(home, ["list", "--output", "table"], false), home)
        expected(colour)
        assert.match(colour.raw, /\x1b\[1mID +FQN +VERSION/, "the header is bold")
        assert.match(colour.raw, /\x1b\[2m2 of 2/, "the count line is dim")
        const plain = yield* driver.run(mregCommand(home, ["list", "--output", "table"], true), home)
        expected(plain)
        assert.notInclude(plain.raw, "\x1b", "NO_COLOR: no escape codes")
      }))

    it.scopedLive("an invalid manifest: the error and each field path on screen, no stack trace", () =>
      Effect.gen(function*() {
        const home = yield* tempHome
        const file = join(FIXTURES, "cases", "alias-and-python.yaml")
        const expected = (screen: Screen) => {
          const lines = screen.text.trimEnd().split("\n")
          assert.strictEqual(lines[0], `error: invalid manifest ${file} (2 problems)`, screen.text)
          assert.deepStrictEqual(lines.slice(1).map((line) => line.split(":")[0]), [
            "  manifest.version_alias",
            "  manifest.environment.python_version"
          ])
          assert.include(lines[2], "(received \"py3.10\")")
          for (const line of lines) assert.notMatch(line, /^\s+at\s|Error:|\.ts:\d+|\.mjs:\d+/, "no stack trace")
          assert.strictEqual(screen.code, 2)
        }
        const colour = yield* driver.run(mregCommand(home, ["upsert", "-f", file], false), home)
        expected(colour)
        assert.match(colour.raw, /\x1b\[1m\x1b\[31merror:|\x1b\[1;31merror:|\x1b\[31m\x1b\[1merror:/, "error: is bold red")
        const plain = yield* driver.run(mregCommand(home, ["upsert", "-f", file], true), home)
        expected(plain)
        assert.notInclude(plain.raw, "\x1b", "NO_COLOR: no escape codes")
      }))
  })
}

describe.skipIf(!tmux.available)("mreg delete on a terminal (tmux)", () => {
  it.scopedLive("asks, naming the FQN and its tags; typing y deletes the version", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const created = json(yield* mreg(home, ["upsert", "-f", LLAMA])).data
      assert.strictEqual((yield* mreg(home, ["tag", "add", created.id, "Production"])).code, 0)
      const socket = join(home, "tmux.sock")
      const session = (...args: ReadonlyArray<string>) =>
        spawnSync("tmux", ["-S", socket, "-f", "/dev/null", ...args], { encoding: "utf8", env: baseEnv() })
      const command = mregCommand(home, ["delete", "model:default/llm-finetunes/support-assistant:latest", "-o", "table"], true)
      yield* Effect.acquireRelease(
        Effect.sync(() => session("new-session", "-d", "-x", "200", "-y", "20", "-c", home, `${command}; printf '[exit %s]' $?; sleep 120`)),
        () => Effect.sync(() => session("kill-server"))
      )
      /** Waits until the screen matches `pattern` (at most 30 s), and returns it. */
      const screenWith = (pattern: RegExp) =>
        Effect.gen(function*() {
          let text = ""
          for (let i = 0; i < 300 && !pattern.test(text); i++) {
            if (i > 0) yield* Effect.sleep("100 millis")
            text = session("capture-pane", "-p", "-J").stdout
          }
          assert.match(text, pattern)
          return text
        })
      yield* screenWith(/\? Delete model:default\/llm-finetunes\/support-assistant:1 \(tags: Production\)\? › \(y\/N\)/)
      session("send-keys", "y")
      const screen = yield* screenWith(/\[exit \d+\]/)
      assert.include(screen, `deleted model:default/llm-finetunes/support-assistant:1 (${created.id})\n[exit 0]`)
      assert.strictEqual((yield* mreg(home, ["get", created.id])).code, 4)
    }))
})
