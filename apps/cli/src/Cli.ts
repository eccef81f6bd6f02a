/**
 * The `mreg` commands on `@effect/cli`: `upsert`, `validate`, `get`, `history`, `list`, `delete`, `tag`, `init`, `diff` and
 * `completion`.
 *
 * Commands that need a registry choose it with `--host` / `TFY_HOST` (see `Registry`) and build its layer only
 * around the registry call itself: `validate`, `init`, `completion`, the help, `--version`, every usage error and
 * every manifest that fails validation never open a database or send a request.
 *
 * `@effect/cli` parses and runs the commands; the help and the usage errors are mreg's own, read from the same
 * command descriptors (`CommandTree` and `CommandLine` of `@mreg/core`, `internal/helpText.ts`; the style commands
 * follow is in `internal/help.ts`), because `@effect/cli`'s help has no examples, no wrapping, type boilerplate
 * under every option and its built-in options on every page.
 *
 * Output: `--output json` (the API's body, default), `yaml` (the same body) or `table` (for people; the default of
 * `diff` and `upsert --dry-run`). Colour only on a terminal and never with `NO_COLOR` set, `@effect/cli`'s own help
 * and errors included (see `Output.terminalConsole`).
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import type * as CliApp from "@effect/cli/CliApp"
import * as CliValidationError from "@effect/cli/ValidationError"
import * as CommandLine from "@mreg/core/CommandLine"
import * as CommandTree from "@mreg/core/CommandTree"
import { type Console, Effect, Either } from "effect"
import * as ExitCode from "./ExitCode.js"
import * as Failure from "./Failure.js"
import * as Help from "./internal/help.js"
import * as IntegerFlags from "./internal/integerFlags.js"
import * as HelpText from "./internal/helpText.js"
import { completion, type Shell } from "./internal/commands/completion.js"
import { delete_ } from "./internal/commands/delete.js"
import { diff } from "./internal/commands/diff.js"
import { get } from "./internal/commands/get.js"
import { history } from "./internal/commands/history.js"
import { init } from "./internal/commands/init.js"
import { list } from "./internal/commands/list.js"
import { models } from "./internal/commands/models.js"
import { tag } from "./internal/commands/tag.js"
import { update } from "./internal/commands/update.js"
import { upsert } from "./internal/commands/upsert.js"
import { schema } from "./internal/commands/schema.js"
import { validate } from "./internal/commands/validate.js"
import * as Output from "./Output.js"
import type * as Registry from "./Registry.js"

declare const __MREG_VERSION__: string | undefined

/**
 * The package version, put in by the bundler (`0.0.0-dev` when running unbundled sources).
 * @since 0.1.0
 * @category constants
 */
export const VERSION: string = typeof __MREG_VERSION__ === "string" ? __MREG_VERSION__ : "0.0.0-dev"

/**
 * What the commands run against: the embedded registry and the HTTP client of a control plane (see `Registry`).
 * @since 0.1.0
 * @category models
 */
export interface Options extends Registry.Layers {}

/**
 * The summary of `mreg --help` (its first line, after the version).
 * @since 0.1.0
 * @category constants
 */
export const DESCRIPTION = "register and update ML model versions from manifests (JSON or YAML)"

const DETAILS =
  "Speaks the model-version API of TrueFoundry (PUT /api/ml/v1/model-versions). Runs on the embedded registry, or " +
  "with --host or TFY_HOST on that control plane. Output is the API's JSON body unless -o yaml or -o table."

/** The root help's ENVIRONMENT, EXIT CODES and SHELL COMPLETION sections. */
const ROOT_SECTIONS: HelpText.Sections = [
  ["ENVIRONMENT", [
    ["MREG_HOME", "folder of the embedded SQLite registry (default ~/.mreg)"],
    ["DATABASE_URL", "postgres://… : use this PostgreSQL database as the embedded registry instead"],
    ["MREG_TENANT", "tenant named in FQNs of the embedded registry (default \"default\")"],
    ["TFY_HOST", "control plane to call instead of the embedded registry (as --host)"],
    ["TFY_API_KEY", "bearer token of the control plane (as --api-key, and safer)"],
    ["NO_COLOR", "set to turn colour off (colour is only ever used on a terminal)"]
  ]],
  ["EXIT CODES", ExitCode.TABLE],
  ["SHELL COMPLETION", [["bash, zsh, fish", "source <(mreg completion bash); mreg completion fish | source"]]]
]

/**
 * The `mreg` command tree. `mreg` without a command prints the help (see {@link run}).
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options) => {
  const root = Command.make("mreg").pipe(
      Command.withDescription(Help.describe({
        summary: DESCRIPTION,
        details: DETAILS,
        examples: [
          { what: "check a manifest, then register the model version it describes", command: "mreg validate -f model.yaml && mreg upsert -f model.yaml" },
          { what: "write a manifest for a model folder", command: "mreg init --from ./my-model --out-file model.yaml" },
          { what: "list the versions of a model, as a table", command: "mreg list --name my-model -o table" }
        ]
      })),
      Command.withSubcommands([
        upsert(options),
        validate,
        get(options),
        history(options),
        update(options),
        list(options),
        delete_(options),
        models(options),
        tag(options),
        init,
        diff(options),
        schema,
        completion(() => script)
      ])
    )
  // Defined after `root`, which it describes; the completion command reads it only when it runs.
  const script = (shell: Shell): Effect.Effect<Array<string>> =>
    shell === "bash"
      ? Command.getBashCompletions(root, "mreg")
      : shell === "zsh"
      ? Command.getZshCompletions(root, "mreg")
      : Command.getFishCompletions(root, "mreg")
  return root
}

const defectMessage = (defect: unknown): string =>
  defect instanceof Error ? defect.message : typeof defect === "string" ? defect : "unknown defect"

/** The text of an `@effect/cli` error document, on one line. */
const validationText = (error: CliValidationError.ValidationError): string =>
  CommandTree.blocksOf(error.error).map((block) => block._tag === "Paragraph" ? CommandTree.spanText(block.value) : "").join(" ").trim()

/** A usage error's message; `mreg init -o FILE` wrote a file before -o meant the output format everywhere. */
const usageMessage = (problem: CommandLine.Problem): string =>
  problem.kind === "value" && problem.token === "output" && problem.path.at(-1)!.options.some((option) => option.name === "out-file")
    ? `${problem.message}; to write a file, use --out-file ${problem.value}`
    : problem.message

const usageHint = (path: ReadonlyArray<CommandTree.CommandInfo>): string =>
  `Run "${path.map((info) => info.name).join(" ")} --help" for usage.`

/** A console that prints nothing: `@effect/cli` prints its own errors, which `run` replaces with its own. */
const silent = (base: Console.Console): Console.Console => ({
  ...base,
  log: () => Effect.void,
  info: () => Effect.void,
  error: () => Effect.void,
  warn: () => Effect.void
})

/**
 * Runs `mreg` on a full `process.argv` and succeeds with the exit code. The command line is checked first
 * (`CommandLine.check`): no command, `help [COMMAND]`, `-h`/`--help` print the help (exit 0), `-v`/`--version` the
 * version; an unknown command or flag, a missing or malformed value, a missing argument is `error: …` naming the
 * flag and what it takes, with "did you mean" for near misses, and a pointer to the help (exit 2). Then
 * `@effect/cli` parses and runs the command; failures are printed to stderr and turned into their
 * {@link ExitCode}; unexpected defects print one line, exit code 1. Everything printed goes through
 * `Output.terminalConsole`: no escape codes where colour is off.
 * @since 0.1.0
 * @category running
 */
export const run = (
  argv: ReadonlyArray<string>,
  options: Options
): Effect.Effect<ExitCode.ExitCode, never, CliApp.CliApp.Environment> => {
  const root = make(options)
  const tree = CommandTree.read(root, { integers: IntegerFlags.rangeOf })
  const cli = Command.run(root, { name: "mreg", version: VERSION })
  return Effect.gen(function*() {
    const support = yield* Output.colorSupport
    const console = Output.terminalConsole(yield* Effect.console, support)
    return yield* Effect.flatMap(Output.Output, (out) => {
      const usageError = (message: string, hint: string) =>
        out.stderr(`${Failure.render(new Failure.UsageError({ message }), out.stderrStyle)}\n${hint}`).pipe(
          Effect.as<ExitCode.ExitCode>(ExitCode.USAGE)
        )
      const route = CommandLine.check(tree, argv.slice(2))
      if (Either.isLeft(route)) return usageError(usageMessage(route.left), usageHint(route.left.path))
      switch (route.right._tag) {
        case "Help":
          return out.stdout(HelpText.render(route.right.path, out.stdoutStyle, VERSION, ROOT_SECTIONS)).pipe(Effect.as(ExitCode.OK))
        case "Version":
          return out.stdout(VERSION).pipe(Effect.as(ExitCode.OK))
        case "Run":
          return cli(argv).pipe(
            Effect.withConsole(silent(console)),
            Effect.as<ExitCode.ExitCode>(ExitCode.OK),
            Effect.catchAll((failure) =>
              CliValidationError.isValidationError(failure)
                ? usageError(validationText(failure), usageHint(CommandLine.commandPath(tree, argv.slice(2))))
                : failure._tag === "Changed"
                ? Effect.succeed(Failure.exitCode(failure))
                : out.stderr(Failure.render(failure, out.stderrStyle)).pipe(Effect.as(Failure.exitCode(failure)))
            ),
            Effect.catchAllDefect((defect) =>
              out.stderr(`error: unexpected failure: ${defectMessage(defect)}`).pipe(Effect.as(ExitCode.FAILURE))
            )
          )
      }
    }).pipe(Effect.provide(Output.Output.Default), Effect.withConsole(console))
  })
}
