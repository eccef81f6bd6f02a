/**
 * `CommandLine.check` on a tree shaped as `mreg-proxy`'s: a root that runs by itself, with flags (an integer one
 * among them) and a command group, read with `@effect/cli`'s own options (`CommandTree.read`'s `builtIns`).
 */
import { Args, Command, Options } from "@effect/cli"
import { assert, describe, it } from "@effect/vitest"
import * as CommandLine from "@mreg/core/CommandLine"
import * as CommandTree from "@mreg/core/CommandTree"
import { Effect, Either } from "effect"

const replay = Command.make("replay", { id: Args.text({ name: "ID" }), home: Options.text("home").pipe(Options.withDefault("~")) }, () => Effect.void)
const server = Command.make("server", { port: Options.integer("port").pipe(Options.withDefault(8080)), open: Options.boolean("open") }, () => Effect.void).pipe(
  Command.withSubcommands([Command.make("webhooks").pipe(Command.withSubcommands([replay]))])
)
const tree = CommandTree.read(server, { builtIns: true, integers: (name) => name === "port" ? { min: 0, max: 65535, label: "--port (PORT)" } : undefined })

const check = (...tokens: ReadonlyArray<string>) => CommandLine.check(tree, tokens, { helpCommand: false, version: ["--version"] })

const run = (...tokens: ReadonlyArray<string>) => {
  const route = check(...tokens)
  if (Either.isLeft(route) || route.right._tag !== "Run") throw new Error(`expected a run, got ${JSON.stringify(route)}`)
  return [route.right.path.map((info) => info.name).join(" "), [...route.right.given].join(",")]
}

const problem = (...tokens: ReadonlyArray<string>) => {
  const route = check(...tokens)
  if (Either.isRight(route)) throw new Error(`expected a problem, got ${route.right._tag}`)
  const { kind, message, path, suggestion, token } = route.left
  return { kind, message, path: path.map((info) => info.name).join(" "), suggestion, token }
}

describe("CommandLine.check", () => {
  it("runs a root with flags, and its subcommands after its flags", () => {
    assert.deepStrictEqual(run(), ["server", ""])
    assert.deepStrictEqual(run("--port", "0", "--open"), ["server", "port,open"])
    assert.deepStrictEqual(run("--port=8080", "webhooks", "replay", "x", "--home", "h"), ["server webhooks replay", "home"])
    assert.deepStrictEqual(run("--log-level", "debug", "--completions", "bash"), ["server", "log-level,completions"])
    assert.deepStrictEqual(check("--version"), Either.right({ _tag: "Version" }))
    assert.strictEqual(Either.getOrThrow(check("webhooks", "-h"))._tag, "Help")
    const help = (...tokens: ReadonlyArray<string>) => {
      const route = Either.getOrThrow(check(...tokens))
      return route._tag === "Help" ? route.path.map((info) => info.name).join(" ") : route._tag
    }
    assert.strictEqual(help("--port", "0", "-h"), "server")
    assert.strictEqual(help("--port", "0", "webhooks", "-h"), "server webhooks")
    assert.strictEqual(help("--port", "0", "webhooks", "replay", "x", "--help"), "server webhooks replay")
  })

  it("names an unknown command after the root's flags, or a word that is none, with the closest one", () => {
    assert.deepStrictEqual(problem("--port", "0", "webhok"), {
      kind: "command",
      message: "unknown command \"webhok\" for \"server\"; did you mean \"webhooks\"?",
      path: "server",
      suggestion: "webhooks",
      token: "webhok"
    })
    assert.strictEqual(problem("-").message, "unknown command \"-\" for \"server\"")
    assert.strictEqual(problem("help").message, "unknown command \"help\" for \"server\"")
    assert.deepStrictEqual(problem("webhooks", "replya", "x").suggestion, "replay")
  })

  it("names an unknown flag with the closest one, @effect/cli's own among them", () => {
    assert.deepStrictEqual(problem("--prot", "1"), {
      kind: "flag",
      message: "unknown flag --prot for \"server\"; did you mean \"--port\"?",
      path: "server",
      suggestion: "--port",
      token: "--prot"
    })
    assert.strictEqual(problem("--verison").suggestion, "--version")
    assert.strictEqual(problem("webhooks", "replay", "x", "--hom", "h").path, "server webhooks replay")
  })

  it("checks an integer by MregConfig.integerSetting, under the name the tree gives it", () => {
    assert.deepStrictEqual(problem("--port", "+5"), {
      kind: "value",
      message: "--port (PORT) must be an integer from 0 to 65535 (received \"+5\")",
      path: "server",
      suggestion: undefined,
      token: "port"
    })
    assert.strictEqual(problem("--port").message, "--port takes an integer from 0 to 65535 (received nothing)")
    assert.strictEqual(problem("--port", "1", "--port", "2").message, "--port is given more than once: give it once")
  })

  it("names a text flag given as --name= with nothing after the =, which @effect/cli takes for an unknown argument", () => {
    assert.deepStrictEqual(problem("webhooks", "replay", "x", "--home="), {
      kind: "value",
      message: "--home takes a VALUE (received \"\")",
      path: "server webhooks replay",
      suggestion: undefined,
      token: "home"
    })
    assert.deepStrictEqual(run("webhooks", "replay", "x", "--home=h"), ["server webhooks replay", "home"])
  })

  it("names an argument too many or missing", () => {
    assert.deepStrictEqual(problem("webhooks", "replay", "a", "b", "--home", "h").kind, "argument")
    assert.strictEqual(problem("webhooks", "replay", "a", "b", "--home", "h").message, "unexpected argument \"b\" for \"server webhooks replay\"")
    assert.strictEqual(problem("webhooks", "replay", "--home", "h").message, "\"server webhooks replay\" needs ID")
  })
})
