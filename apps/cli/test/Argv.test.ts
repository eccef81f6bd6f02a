/**
 * `CommandLine` and `CommandTree` of `@mreg/core` in process, on a small command tree with a command group (as
 * `mreg tag add|remove|set`), which the bundle's tests do not have yet.
 */
import { Args, Command, Options } from "@effect/cli"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as Argv from "@mreg/core/CommandLine"
import * as Descriptor from "@mreg/core/CommandTree"
import { describe as describeCommand } from "../src/internal/help.js"
import * as HelpText from "../src/internal/helpText.js"
import * as Style from "../src/internal/style.js"

const example = (command: string) => ({ what: "an example", command })

const add = Command.make(
  "add",
  {
    id: Args.text({ name: "ID|FQN" }).pipe(Args.withDescription("the model version")),
    tags: Args.text({ name: "TAG" }).pipe(Args.atLeast(1)),
    force: Options.boolean("force").pipe(Options.withDescription("move tags held by another version"))
  },
  () => Effect.void
).pipe(Command.withDescription(describeCommand({ summary: "Add tags", examples: [example("mreg tag add ID prod")] })))

const tag = Command.make("tag").pipe(
  Command.withDescription(describeCommand({ summary: "Change tags", examples: [example("mreg tag add ID prod")] })),
  Command.withSubcommands([add])
)

const root = Descriptor.read(
  Command.make("mreg").pipe(
    Command.withDescription(describeCommand({ summary: "the root", examples: [example("mreg tag add ID prod")] })),
    Command.withSubcommands([tag])
  )
)

const check = (...tokens: ReadonlyArray<string>) => Argv.check(root, tokens)

const route = (...tokens: ReadonlyArray<string>): ReadonlyArray<string> | string => {
  const result = check(...tokens)
  if (Either.isLeft(result)) return `error: ${result.left.message}`
  return result.right._tag === "Help" ? result.right.path.map((info) => info.name) : result.right._tag
}

describe("Argv.check", () => {
  it("reads the descriptors: names, placeholders, arguments, examples", () => {
    const addInfo = root.subcommands[0]!.subcommands[0]!
    assert.deepStrictEqual(addInfo.args.map((arg) => [arg.name, arg.description, arg.min, arg.max]), [
      ["ID|FQN", "the model version", 1, 1],
      ["TAG", "", 1, undefined]
    ])
    assert.deepStrictEqual(addInfo.options.map((option) => [option.name, option.kind, option.required]), [["force", "flag", false]])
    assert.deepStrictEqual(addInfo.examples, [example("mreg tag add ID prod")])
    assert.strictEqual(HelpText.usage([root, root.subcommands[0]!, addInfo]), "mreg tag add ID|FQN TAG... [flags]")
    assert.strictEqual(HelpText.usage([root, root.subcommands[0]!]), "mreg tag <command> [flags]")
  })

  it("routes groups: help for the group, the subcommand, did you mean among its subcommands", () => {
    assert.deepStrictEqual(route("tag"), ["mreg", "tag"])
    assert.deepStrictEqual(route("help", "tag", "add"), ["mreg", "tag", "add"])
    assert.deepStrictEqual(route("tag", "add", "--help"), ["mreg", "tag", "add"])
    assert.strictEqual(route("tag", "add", "x", "prod", "--force"), "Run")
    assert.strictEqual(route("tag", "ad", "x"), "error: unknown command \"ad\" for \"mreg tag\"; did you mean \"add\"?")
    assert.strictEqual(route("tag", "add", "x"), "error: \"mreg tag add\" needs TAG")
    assert.strictEqual(route("tag", "add", "--force=1", "x", "y"), "error: --force takes no value (received \"1\")")
    assert.strictEqual(route("tag", "add", "x", "y", "--", "--force"), "Run")
  })

  it("suggests no flag for an unknown one-letter flag or a lone dash, and the flag for another case", () => {
    assert.strictEqual(route("-x"), "error: unknown flag -x for \"mreg\"")
    assert.strictEqual(route("-"), "error: unknown flag - for \"mreg\"")
    assert.strictEqual(route("--"), "error: unknown flag -- for \"mreg\"")
    assert.strictEqual(route("-V"), "error: unknown flag -V for \"mreg\"; did you mean \"-v\"?")
    assert.strictEqual(route("tag", "-x"), "error: unknown flag -x for \"mreg tag\"")
  })

  it("renders the group's help with its commands", () => {
    const text = HelpText.render([root, root.subcommands[0]!], Style.plain, "1.0.0", [])
    assert.include(text, "\nCOMMANDS\n  add  Add tags\n")
    assert.include(text, "\nLEARN MORE\n  Use \"mreg tag <command> --help\" for more about a command.")
  })
})
