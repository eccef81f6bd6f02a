/**
 * The `mreg` commands on `@effect/cli`: `upsert`, `validate`, `get`, `list`, `delete`, `tag`, `init`, `diff` and
 * `completion`.
 *
 * Commands that need a registry choose it with `--host` / `TFY_HOST` (see `Registry`) and build its layer only
 * around the registry call itself: `validate`, `init`, `completion`, `--help`, `--version` and every manifest that
 * fails validation never open a database or send a request.
 *
 * Output: `--output json` (the API's body, default), `yaml` (the same body) or `table` (for people; the default of
 * `diff` and `upsert --dry-run`). Colour only on a terminal and never with `NO_COLOR` set, `@effect/cli`'s own help
 * and errors included (see `Output.terminalConsole`).
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import type * as CliApp from "@effect/cli/CliApp"
import * as HelpDocSpan from "@effect/cli/HelpDoc/Span"
import * as CliValidationError from "@effect/cli/ValidationError"
import { Effect } from "effect"
import * as ExitCode from "./ExitCode.js"
import * as Failure from "./Failure.js"
import { completion, type Shell } from "./internal/commands/completion.js"
import { delete_ } from "./internal/commands/delete.js"
import { diff } from "./internal/commands/diff.js"
import { get } from "./internal/commands/get.js"
import { init } from "./internal/commands/init.js"
import { list } from "./internal/commands/list.js"
import { tag } from "./internal/commands/tag.js"
import { update } from "./internal/commands/update.js"
import { upsert } from "./internal/commands/upsert.js"
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
 * The `mreg --help` description.
 * @since 0.1.0
 * @category constants
 */
export const DESCRIPTION =
  "Register and update ML model versions from manifests (JSON or YAML), with the model-version API of TrueFoundry " +
  "(PUT /api/ml/v1/model-versions). Runs on the embedded registry: SQLite in $MREG_HOME (default ~/.mreg), or " +
  "PostgreSQL when DATABASE_URL is set; MREG_TENANT names the tenant in FQNs (default \"default\"). With --host or " +
  "TFY_HOST it calls that control plane instead, with TFY_API_KEY as bearer token. Output is the API's JSON " +
  "response body unless --output yaml (the same body) or --output table. Colour only on a terminal, never with " +
  "NO_COLOR set. Shell completion: mreg completion bash|zsh|fish. " + ExitCode.HELP


/**
 * The `mreg` command tree. Running `mreg` without a subcommand is a usage error.
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options) => {
  const root = Command.make("mreg", {}, () =>
    Effect.fail(
      new Failure.UsageError({
        message: "missing command: one of upsert, validate, get, list, delete, tag, init, diff, completion (see mreg --help)"
      })
    )).pipe(
      Command.withDescription(DESCRIPTION),
      Command.withSubcommands([
        upsert(options),
        validate,
        get(options),
        update(options),
        list(options),
        delete_(options),
        tag(options),
        init,
        diff(options),
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

/**
 * Runs `mreg` on a full `process.argv` and succeeds with the exit code: failures are printed to stderr (usage errors
 * by `@effect/cli` itself) and turned into their {@link ExitCode}; unexpected defects print one line, exit code 1.
 * Everything printed goes through `Output.terminalConsole`: no escape codes where colour is off.
 * @since 0.1.0
 * @category running
 */
export const run = (
  argv: ReadonlyArray<string>,
  options: Options
): Effect.Effect<ExitCode.ExitCode, never, CliApp.CliApp.Environment> => {
  const cli = Command.run(make(options), {
    name: "mreg",
    version: VERSION,
    summary: HelpDocSpan.text("register and update ML model versions")
  })
  return Effect.gen(function*() {
    const support = yield* Output.colorSupport
    const console = yield* Effect.console
    return yield* cli(argv).pipe(
      Effect.as<ExitCode.ExitCode>(ExitCode.OK),
      Effect.catchAll((failure) =>
        CliValidationError.isValidationError(failure)
          ? Effect.succeed<ExitCode.ExitCode>(ExitCode.USAGE)
          : Effect.flatMap(Output.Output, (out) => out.stderr(Failure.render(failure, out.stderrStyle))).pipe(
            Effect.as(Failure.exitCode(failure))
          )
      ),
      Effect.catchAllDefect((defect) =>
        Effect.flatMap(Output.Output, (out) => out.stderr(`error: unexpected failure: ${defectMessage(defect)}`)).pipe(
          Effect.as(ExitCode.FAILURE)
        )
      ),
      Effect.provide(Output.Output.Default),
      Effect.withConsole(Output.terminalConsole(console, support))
    )
  })
}
