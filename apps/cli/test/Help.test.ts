/**
 * The command line for people, through the bundle: help like `gh` (`mreg`, `mreg help [COMMAND]`, `--help` on every
 * command, at most 100 columns, a description per flag and examples), `-v`, usage errors naming the flag and what
 * it takes with "did you mean", `-o` as the output format of every command (`init` writes files with
 * `--out-file`), and `mreg diff --exit-code` (issue 12, findings 4, 5 and 6). Subcommands (`mreg tag add`,
 * `mreg models list`) have their own help and did-you-mean.
 */
import { assert, describe, it } from "@effect/vitest"
import { BASE_FILE } from "@mreg/test-fixtures"
import { Effect, type Scope } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { mreg, PACKAGE_DIR, tempDir, tempHome, writeModelFolders } from "./utils.js"

const itHome = <A, E>(name: string, body: (home: string) => Effect.Effect<A, E, Scope.Scope>, timeout?: number) =>
  it.scoped(name, () => Effect.flatMap(tempHome, body), timeout)

const COMMANDS = ["upsert", "validate", "get", "history", "update", "list", "delete", "models", "tag", "init", "diff", "schema", "completion"]

/** The subcommands of `tag` and `models`, as their command lines. */
const SUBCOMMANDS = ["tag add", "tag remove", "tag set", "models list", "models get", "models delete"]

const VERSION = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")).version as string

/** The lines of a help section: from its title to the next blank line. */
const section = (help: string, title: string): ReadonlyArray<string> => {
  const lines = help.split("\n")
  const start = lines.indexOf(title)
  assert.isAtLeast(start, 0, `no ${title} in:\n${help}`)
  const end = lines.indexOf("", start)
  return lines.slice(start + 1, end < 0 ? undefined : end)
}

describe.concurrent("help", () => {
  itHome("mreg alone, mreg help, mreg --help and mreg -h print the same help, exit 0, without opening the registry", (home) =>
    Effect.gen(function*() {
      const alone = yield* mreg(home, [])
      assert.strictEqual(alone.code, 0)
      assert.strictEqual(alone.stderr, "")
      assert.isTrue(alone.stdout.startsWith(`mreg ${VERSION}: register and update ML model versions`), alone.stdout)
      for (const args of [["help"], ["--help"], ["-h"]]) {
        const run = yield* mreg(home, args)
        assert.deepStrictEqual(run, alone, args.join(" "))
      }
      assert.deepStrictEqual(section(alone.stdout, "USAGE"), ["  mreg <command> [flags]"])
      assert.deepStrictEqual(
        section(alone.stdout, "COMMANDS").filter((line) => /^ {2}\S/.test(line)).map((line) => line.trim().split(/ +/)[0]),
        COMMANDS
      )
      assert.deepStrictEqual(section(alone.stdout, "FLAGS"), ["  -h, --help     show this help", "  -v, --version  print the version of mreg"])
      assert.isFalse(existsSync(join(home, "registry.db")))
    }))

  itHome("subcommands: mreg tag and mreg models list theirs; help on each, as --help or mreg help, with its own usage", (home) =>
    Effect.gen(function*() {
      const models = yield* mreg(home, ["models", "--help"])
      assert.strictEqual(models.code, 0, models.stderr)
      assert.deepStrictEqual(yield* mreg(home, ["models"]), models, "mreg models alone prints its help")
      assert.deepStrictEqual(section(models.stdout, "USAGE"), ["  mreg models <command> [flags]"])
      assert.deepStrictEqual(section(models.stdout, "COMMANDS"), [
        "  list    List models, each with its latest live version",
        "  get     Show a model: its FQN, latest live version and run steps",
        "  delete  Delete a model and every version of it"
      ])
      const tag = (yield* mreg(home, ["help", "tag"])).stdout
      assert.deepStrictEqual(section(tag, "COMMANDS").map((line) => line.trim().split(/ +/)[0]), ["add", "remove", "set"])
      const add = yield* mreg(home, ["tag", "add", "--help"])
      assert.strictEqual(add.code, 0, add.stderr)
      assert.deepStrictEqual(yield* mreg(home, ["help", "tag", "add"]), add)
      assert.isTrue(add.stdout.startsWith("Add tags to a model version, keeping its other tags\n"), add.stdout)
      assert.deepStrictEqual(section(add.stdout, "USAGE"), ["  mreg tag add ID|FQN TAG... [flags]"])
      assert.include(add.stdout, "\n      --force          move tags that another version of the model holds to this one\n")
      const list = yield* mreg(home, ["help", "models", "list"])
      assert.strictEqual(list.code, 0, list.stderr)
      assert.deepStrictEqual(yield* mreg(home, ["models", "list", "--help"]), list)
      assert.deepStrictEqual(section(list.stdout, "USAGE"), ["  mreg models list [flags]"])
      assert.include(list.stdout, "\n      --limit N        models per page, 1 to 1000 (default 100)\n")
      assert.deepStrictEqual(section((yield* mreg(home, ["models", "get", "-h"])).stdout, "USAGE"), ["  mreg models get ID|FQN [flags]"])
      assert.isFalse(existsSync(join(home, "registry.db")))
    }))

  itHome("-v and --version print the version", (home) =>
    Effect.gen(function*() {
      for (const flag of ["-v", "--version"]) {
        assert.deepStrictEqual(yield* mreg(home, [flag]), { code: 0, stdout: `${VERSION}\n`, stderr: "" })
      }
    }))

  itHome("every command's help: usage starting with mreg, a description per flag, an example, ≤ 100 columns, no built-ins", (home) =>
    Effect.gen(function*() {
      for (const command of ["", ...COMMANDS, ...SUBCOMMANDS]) {
        const args = command === "" ? [] : command.split(" ")
        const run = yield* mreg(home, [...args, "--help"])
        assert.strictEqual(run.code, 0, command)
        assert.deepStrictEqual(yield* mreg(home, ["help", ...args]), run, `mreg help ${command}`)
        for (const line of run.stdout.split("\n")) {
          assert.isAtMost([...line].length, 100, `mreg ${command} --help: ${line}`)
        }
        assert.match(section(run.stdout, "USAGE")[0]!, new RegExp(`^ {2}mreg ${command}`))
        const examples = section(run.stdout, "EXAMPLES")
        assert.match(examples[0]!, /^ {2}# \S/, command)
        assert.match(examples[1]!, /^ {2}\$ (\S+ \| |source <\()?mreg /, command)
        assert.notMatch(run.stdout, /Example: /, `${command}: examples belong in EXAMPLES`)
        const flags = run.stdout.slice(run.stdout.indexOf("\nFLAGS\n") + 7).split("\n\n")[0]!.split("\n")
        for (const [i, line] of flags.entries()) {
          // a flag line has its description beside it, or on the next line when the flag is long
          if (/^ {2}(-\w, | {4})--/.test(line)) {
            // a value-taking flag shows a placeholder in capitals (PATH, N, FORMAT, X.Y), not its type or its values
            assert.match(line, /^ {2}(-\w, | {4})--[\w-]+( [A-Z][A-Z.=|]*)?( {2,}\S|$)/, `mreg ${command} --help: ${line}`)
          }
          if (/^ {2}(-\w, )?--[\w-]+/.test(line) && !/ {2}\S/.test(line.trim())) {
            assert.match(flags[i + 1] ?? "", /^ {20,}\S/, `no description for ${line} in mreg ${command} --help`)
          }
        }
        for (const noise of ["--wizard", "--log-level", "--completions", "A user-defined piece of text", "This setting is optional"]) {
          assert.notInclude(run.stdout, noise, command)
        }
      }
      const upsert = yield* mreg(home, ["upsert", "--help"])
      assert.deepStrictEqual(section(upsert.stdout, "USAGE"), ["  mreg upsert -f PATH [flags]"])
      assert.include(upsert.stdout, "\n  -f, --file PATH ")
      assert.isAtMost(upsert.stdout.split("\n").length, 50)
    }), 180_000)
})

describe.concurrent("usage errors", () => {
  /** Runs `args` and checks: exit 2, nothing on stdout, `error: <message>` then the pointer to the help. */
  const usage = (home: string, args: ReadonlyArray<string>, message: string, help: string) =>
    Effect.map(mreg(home, args), (run) => {
      assert.deepStrictEqual(run, { code: 2, stdout: "", stderr: `error: ${message}\nRun "${help} --help" for usage.\n` }, args.join(" "))
    })

  itHome("unknown commands and flags, with did you mean", (home) =>
    Effect.gen(function*() {
      yield* usage(home, ["upsrt"], "unknown command \"upsrt\" for \"mreg\"; did you mean \"upsert\"?", "mreg")
      yield* usage(home, ["frobnicate"], "unknown command \"frobnicate\" for \"mreg\"", "mreg")
      yield* usage(home, ["help", "lst"], "unknown command \"lst\" for \"mreg help\"; did you mean \"list\"?", "mreg")
      yield* usage(home, ["--verison"], "unknown flag --verison for \"mreg\"; did you mean \"--version\"?", "mreg")
      yield* usage(home, ["list", "--limt", "5"], "unknown flag --limt for \"mreg list\"; did you mean \"--limit\"?", "mreg list")
      yield* usage(home, ["list", "--wizard"], "unknown flag --wizard for \"mreg list\"", "mreg list")
      yield* usage(home, ["diff", "-f", BASE_FILE, "--log-level", "debug"], "unknown flag --log-level for \"mreg diff\"", "mreg diff")
    }))

  itHome("unknown subcommands, with did you mean (also where mreg tag ID TAG… runs by itself)", (home) =>
    Effect.gen(function*() {
      yield* usage(home, ["tag", "ad"], "unknown command \"ad\" for \"mreg tag\"; did you mean \"add\"?", "mreg tag")
      yield* usage(home, ["tag", "ad", "model:default/nlp-team/sentiment-clf:1", "prod"], "unknown command \"ad\" for \"mreg tag\"; did you mean \"add\"?", "mreg tag")
      yield* usage(home, ["tag", "rmove", "x", "y"], "unknown command \"rmove\" for \"mreg tag\"; did you mean \"remove\"?", "mreg tag")
      yield* usage(home, ["models", "lst"], "unknown command \"lst\" for \"mreg models\"; did you mean \"list\"?", "mreg models")
      yield* usage(home, ["models", "purge"], "unknown command \"purge\" for \"mreg models\"", "mreg models")
      yield* usage(home, ["help", "models", "delet"], "unknown command \"delet\" for \"mreg help\"; did you mean \"delete\"?", "mreg models")
      yield* usage(home, ["tag", "add", "x", "prod", "--forse"], "unknown flag --forse for \"mreg tag add\"; did you mean \"--force\"?", "mreg tag add")
      assert.isFalse(existsSync(join(home, "registry.db")), "usage errors never open the registry")
    }))

  itHome("values: the flag, what it takes and what it received", (home) =>
    Effect.gen(function*() {
      // An integer flag: not an integer and out of range are one message, checked before anything runs.
      yield* usage(home, ["list", "--limit", "abc"], "--limit must be an integer from 1 to 1000 (received \"abc\")", "mreg list")
      yield* usage(home, ["list", "--limit", "0"], "--limit must be an integer from 1 to 1000 (received \"0\")", "mreg list")
      yield* usage(home, ["list", "--limit=1001"], "--limit must be an integer from 1 to 1000 (received \"1001\")", "mreg list")
      yield* usage(home, ["list", "--limit=1.5"], "--limit must be an integer from 1 to 1000 (received \"1.5\")", "mreg list")
      yield* usage(home, ["list", "--offset", "x"], "--offset must be an integer, 0 or more (received \"x\")", "mreg list")
      yield* usage(home, ["list", "--offset", "-1"], "--offset must be an integer, 0 or more (received \"-1\")", "mreg list")
      yield* usage(home, ["history", "x", "--limit", "0"], "--limit must be an integer from 1 to 1000 (received \"0\")", "mreg history")
      yield* usage(home, ["list", "-o", "xml"], "--output takes one of json, yaml, table (received \"xml\")", "mreg list")
      yield* usage(home, ["list", "-o", "tabel"], "--output takes one of json, yaml, table (received \"tabel\"); did you mean \"table\"?", "mreg list")
      yield* usage(home, ["list", "--limit"], "--limit takes an integer from 1 to 1000 (received nothing)", "mreg list")
      yield* usage(home, ["list", "--host"], "--host takes a URL (received nothing)", "mreg list")
      yield* usage(home, ["upsert", "--dry-run=yes", "-f", BASE_FILE], "--dry-run takes no value (received \"yes\")", "mreg upsert")
      yield* usage(
        home,
        ["upsert"],
        "\"mreg upsert\" needs -f/--file PATH (manifest file, JSON or YAML, {\"manifest\": {…}} or a bare manifest; - reads stdin)",
        "mreg upsert"
      )
      yield* usage(home, ["list", "--limit", "5", "--limit", "6"], "--limit is given more than once: give it once", "mreg list")
      yield* usage(home, ["models", "list", "--limit", "abc"], "--limit must be an integer from 1 to 1000 (received \"abc\")", "mreg models list")
      yield* usage(home, ["models", "list", "--limit", "0"], "--limit must be an integer from 1 to 1000 (received \"0\")", "mreg models list")
      yield* usage(home, ["models", "list", "--offset", "1e3"], "--offset must be an integer, 0 or more (received \"1e3\")", "mreg models list")
      yield* usage(home, ["models", "get", "x", "-o", "tabel"], "--output takes one of json, yaml, table (received \"tabel\"); did you mean \"table\"?", "mreg models get")
      yield* usage(home, ["get", "x", "-o", "manifes"], "--output takes one of json, yaml, table, manifest (received \"manifes\"); did you mean \"manifest\"?", "mreg get")
      yield* usage(home, ["update", "x", "--set"], "--set takes a PATH=VALUE (received nothing)", "mreg update")
      yield* usage(
        home,
        ["models", "delete"],
        "\"mreg models delete\" needs ID|FQN (a model id, or its FQN model:{tenant}/{ml_repo}/{name}; a version FQN (…:3, …:latest) names its model)",
        "mreg models delete"
      )
      yield* usage(home, ["completion", "bsh"], "SHELL is one of bash, zsh, fish (received \"bsh\"); did you mean \"bash\"?", "mreg completion")
      yield* usage(home, ["validate", "-f", BASE_FILE, "extra"], "unexpected argument \"extra\" for \"mreg validate\"", "mreg validate")
      assert.isFalse(existsSync(join(home, "registry.db")), "usage errors never open the registry")
    }))
})

describe.concurrent("-o is the output format everywhere", () => {
  it.scoped("init: -o yaml|json on stdout, --out-file writes a file, -o FILE says to use --out-file", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const root = writeModelFolders(yield* tempDir)
      const folder = join(root, "churn-xgb")
      const json = yield* mreg(home, ["init", "--from", folder, "-o", "json"])
      assert.strictEqual(json.code, 0, json.stderr)
      assert.strictEqual(JSON.parse(json.stdout).manifest.name, "churn-xgb")
      const file = join(root, "churn.yaml")
      const written = yield* mreg(home, ["init", "--from", folder, "--out-file", file, "-o", "json"])
      assert.strictEqual(written.code, 0, written.stderr)
      assert.strictEqual(written.stdout, "")
      assert.strictEqual(JSON.parse(readFileSync(file, "utf8")).manifest.name, "churn-xgb", "-o json wins over the .yaml name")
      const old = yield* mreg(home, ["init", "--from", folder, "-o", "json.yaml"])
      assert.deepStrictEqual(old, {
        code: 2,
        stdout: "",
        stderr: "error: --output takes one of yaml, json (received \"json.yaml\"); to write a file, use --out-file json.yaml\n" +
          "Run \"mreg init --help\" for usage.\n"
      })
      assert.isFalse(existsSync(join(home, "json.yaml")))
      assert.isFalse(existsSync(join(PACKAGE_DIR, "..", "..", "json")), "no file named after the format")
    }))
})

describe.concurrent("diff --exit-code", () => {
  itHome("exits 1 when the upsert would create or change a version, 0 when nothing would change", (home) =>
    Effect.gen(function*() {
      const created = yield* mreg(home, ["diff", "-f", BASE_FILE, "--exit-code", "-o", "json"])
      assert.strictEqual(created.code, 1, created.stderr)
      assert.strictEqual(created.stderr, "")
      assert.strictEqual(JSON.parse(created.stdout).action, "create")
      const plain = yield* mreg(home, ["diff", "-f", BASE_FILE])
      assert.strictEqual(plain.code, 0, "without --exit-code, changes exit 0 as before")
      assert.strictEqual((yield* mreg(home, ["upsert", "-f", BASE_FILE])).code, 0)
      const same = { ...JSON.parse(readFileSync(BASE_FILE, "utf8")).manifest, version: 1 }
      const none = yield* mreg(home, ["diff", "-f", "-", "--exit-code", "-o", "json"], { stdin: JSON.stringify({ manifest: same }) })
      assert.strictEqual(none.code, 0, none.stdout + none.stderr)
      assert.deepStrictEqual([JSON.parse(none.stdout).action, JSON.parse(none.stdout).changes], ["update", []])
      const changed = yield* mreg(home, ["diff", "-f", "-", "--exit-code"], { stdin: JSON.stringify({ manifest: { ...same, description: "new" } }) })
      assert.strictEqual(changed.code, 1, changed.stderr)
      assert.strictEqual(changed.stderr, "")
      assert.include(changed.stdout, "description")
    }))
})
