/**
 * The READMEs' examples are run as written: the ```` ```console ```` blocks with `$ mreg` lines of
 * `apps/cli/README.md`, and those of the root README, run in one `bash` per file, in order (from the repository
 * root, `mreg` being the bundle, stderr merged into stdout as on a terminal, a fresh `TMPDIR` and `MREG_HOME`), and
 * must print exactly the lines under their commands; `…` in a line stands for any text (ids, timestamps).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { BUNDLE, PACKAGE_DIR, REPO_ROOT, tempDir } from "./utils.js"

/** A console block: its commands (the `$ ` lines, prompt removed) and the output lines expected of them all. */
interface Block {
  readonly line: number
  readonly commands: ReadonlyArray<string>
  readonly expected: ReadonlyArray<string>
}

/** The console blocks of a Markdown text that run `mreg`. */
const consoleBlocks = (markdown: string): ReadonlyArray<Block> => {
  const blocks: Array<Block> = []
  const lines = markdown.split("\n")
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "```console") continue
    const start = i + 1
    const commands: Array<string> = []
    const expected: Array<string> = []
    for (i = start; i < lines.length && lines[i]!.trim() !== "```"; i++) {
      const line = lines[i]!
      if (line.startsWith("$ ")) commands.push(line.slice(2))
      else expected.push(line)
    }
    if (commands.some((command) => /(^|[|;(]\s*)mreg\s/.test(command))) blocks.push({ line: start, commands, expected })
  }
  return blocks
}

/** Runs commands in one bash from the repository root; resolves to everything printed. */
const runCommands = (commands: ReadonlyArray<string>, tmp: string): Effect.Effect<string> =>
  Effect.async<string>((resume) => {
    const script = [`mreg() { "${process.execPath}" "${BUNDLE}" "$@"; }`, "exec 2>&1", ...commands].join("\n")
    const env: Record<string, string | undefined> = { ...process.env, TMPDIR: tmp, MREG_HOME: join(tmp, "home") }
    for (const name of ["NO_COLOR", "MREG_TENANT", "TFY_HOST", "TFY_API_KEY", "DATABASE_URL"]) delete env[name]
    const child = spawn("bash", ["--norc", "--noprofile", "-c", script], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (out += chunk))
    child.on("close", () => resume(Effect.succeed(out)))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

const matches = (expected: string, actual: string): boolean => {
  if (!expected.includes("…")) return expected === actual
  const pattern = expected.split("…").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")
  return new RegExp(`^${pattern}$`).test(actual)
}

/** Runs the blocks of a file in one shell and compares the output with theirs, line by line. */
const checkBlocks = (file: string, blocks: ReadonlyArray<Block>) =>
  Effect.gen(function*() {
    const tmp = yield* tempDir
    const output = yield* runCommands(blocks.flatMap((block) => block.commands), tmp)
    const actual = output.replace(/\n$/, "").split("\n")
    const expected = blocks.flatMap((block) => block.expected)
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (!matches(expected[i] ?? "<end>", actual[i] ?? "<end>")) {
        assert.fail(
          `${file}: output line ${i + 1} differs from the README\n` +
            `expected: ${expected[i] ?? "<end>"}\nactual:   ${actual[i] ?? "<end>"}\n\nwhole output:\n${output}`
        )
      }
    }
  })

const READMES = [join(PACKAGE_DIR, "README.md"), join(REPO_ROOT, "README.md")]

describe("README examples", () => {
  it("the CLI README shows init, diff, upsert --dry-run, --output table and yaml, and completion", () => {
    const commands = consoleBlocks(readFileSync(READMES[0]!, "utf8")).flatMap((block) => block.commands).join("\n")
    for (const used of ["mreg init --from", "mreg diff -f", "mreg upsert --dry-run", "--output table", "--output yaml", "mreg completion bash"]) {
      assert.include(commands, used)
    }
  })

  it("the root README shows init and diff", () => {
    const commands = consoleBlocks(readFileSync(READMES[1]!, "utf8")).flatMap((block) => block.commands).join("\n")
    for (const used of ["mreg init --from", "mreg diff -f"]) assert.include(commands, used)
  })

  for (const file of READMES) {
    const blocks = consoleBlocks(readFileSync(file, "utf8"))
    it.scoped(`${file === READMES[0] ? "apps/cli/README.md" : "README.md"}: the console blocks print what they show`, () =>
      checkBlocks(file, blocks))
  }
})
