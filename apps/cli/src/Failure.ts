/**
 * Everything a `mreg` command can fail with, how each failure is shown on stderr, and its exit code.
 *
 * Shapes on stderr (never a stack trace, SQL or driver text):
 * - invalid input (422-like): a header `error: invalid manifest <file> (N problems)`, then one line per problem,
 *   `  manifest.version_alias: must match … (received "1.0")`;
 * - a predicted upsert the registry would reject (`mreg diff`, `upsert --dry-run`): a header
 *   `error: the upsert would be rejected (N problems)`, then `  <place>: <message> [<CODE>]` per problem;
 * - anything else: `error: <message> [<CODE>]`, such as `[ALIAS_IN_USE]` or `[NOT_FOUND]`.
 *
 * On a terminal with colour, `error:` is bold red and each place bold.
 *
 * @since 0.1.0
 */
import { RegistryError } from "@mreg/core"
import { Data } from "effect"
import type * as Diff from "./Diff.js"
import * as ExitCode from "./ExitCode.js"
import * as Style from "./internal/style.js"

/**
 * A command line that parses but makes no sense (a malformed FQN, a missing subcommand). Exit code 2.
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/**
 * A file (or stdin) that cannot be read, is empty, or is not valid JSON or YAML. `line` and `column` are 1-based
 * and present for syntax errors; `message` names the file. Exit code 2.
 * @since 0.1.0
 * @category errors
 */
export class FileError extends Data.TaggedError("FileError")<{
  readonly file: string
  readonly message: string
  readonly line?: number | undefined
  readonly column?: number | undefined
}> {}

/**
 * Input that breaks schema rules: `what` names it (`manifest examples/m.yaml`, `tags`, `list options`) and `error`
 * lists every problem with its place. Exit code 2.
 * @since 0.1.0
 * @category errors
 */
export class InvalidInput extends Data.TaggedError("InvalidInput")<{
  readonly what: string
  readonly error: RegistryError.ValidationError
}> {}

/**
 * A dry run (`mreg diff`, `mreg upsert --dry-run`) found that the registry would reject the upsert. Exit code 3
 * when any problem is a conflict or a failed precondition, 2 when the only problem is a version beyond the next.
 * @since 0.1.0
 * @category errors
 */
export class Rejected extends Data.TaggedError("Rejected")<{ readonly problems: ReadonlyArray<Diff.Problem> }> {}

/**
 * `mreg diff --exit-code` found that the upsert would change something (`action` create or update), after printing
 * the changes. Prints nothing more; exit code 1, as `git diff --exit-code`.
 * @since 0.2.0
 * @category errors
 */
export class Changed extends Data.TaggedError("Changed")<{ readonly action: "create" | "update" }> {}

/**
 * The person at the terminal declined a confirmation (`mreg delete` answered no, or Ctrl-C); nothing was changed.
 * Exit code 1.
 * @since 0.2.0
 * @category errors
 */
export class Cancelled extends Data.TaggedError("Cancelled")<{ readonly message: string }> {}

/**
 * Any failure of a command: the CLI's own errors and every registry error.
 * @since 0.1.0
 * @category models
 */
export type Failure = UsageError | FileError | InvalidInput | Rejected | Changed | Cancelled | RegistryError.RegistryError

const count = (n: number): string => `${n} ${n === 1 ? "problem" : "problems"}`

const problems = (what: string, error: RegistryError.ValidationError, style: Style.Style): string => {
  const lines = error.detail.map((issue) => `  ${style.bold(`${RegistryError.formatLoc(issue.loc)}:`)} ${issue.msg}`)
  return [`${style.bold(style.red("error:"))} invalid ${what} (${count(error.detail.length)})`, ...lines].join("\n")
}

/**
 * The stderr text of a failure (no trailing newline), coloured with `style` (default: no colour); empty for
 * `Changed`, which the changes printed on stdout already explain.
 * @since 0.1.0
 * @category rendering
 */
export const render = (failure: Failure, style: Style.Style = Style.plain): string => {
  const error = style.bold(style.red("error:"))
  switch (failure._tag) {
    case "UsageError":
    case "FileError":
    case "Cancelled":
      return `${error} ${failure.message}`
    case "InvalidInput":
      return problems(failure.what, failure.error, style)
    case "Changed":
      return ""
    case "ValidationError":
      return problems("request", failure, style)
    case "Rejected":
      return [
        `${error} the upsert would be rejected (${count(failure.problems.length)})`,
        ...failure.problems.map((problem) => `  ${style.bold(`${problem.path}:`)} ${problem.message} [${problem.code}]`)
      ].join("\n")
    case "PreconditionFailed":
      return `${error} ${failure.message} [${failure.code}]${failure.etag === undefined ? "" : `\n  current etag: ${failure.etag}`}`
    default:
      return `${error} ${failure.message} [${failure.code}]`
  }
}

/**
 * The exit code of a failure: 2 for usage, file and validation errors, 3 for 409/412, 4 for 404, 1 for `Changed`
 * and anything else.
 * @since 0.1.0
 * @category conversions
 */
export const exitCode = (failure: Failure): ExitCode.ExitCode => {
  switch (failure._tag) {
    case "UsageError":
    case "FileError":
    case "InvalidInput":
      return ExitCode.USAGE
    case "Rejected":
      return failure.problems.every((problem) => problem.code === "VERSION_NOT_NEXT") ? ExitCode.USAGE : ExitCode.CONFLICT
    case "Changed":
      return ExitCode.CHANGED
    case "Cancelled":
      return ExitCode.FAILURE
    default:
      return ExitCode.fromError(failure)
  }
}
