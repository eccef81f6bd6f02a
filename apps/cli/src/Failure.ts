/**
 * Everything a `mreg` command can fail with, how each failure is shown on stderr, and its exit code.
 *
 * Shapes on stderr (never a stack trace, SQL or driver text):
 * - invalid input (422-like): a header `error: invalid manifest <file> (N problems)`, then one line per problem,
 *   `  manifest.version_alias: must match … (received "1.0")`;
 * - anything else: `error: <message> [<CODE>]`, such as `[ALIAS_IN_USE]` or `[NOT_FOUND]`.
 *
 * @since 0.1.0
 */
import { RegistryError } from "@mreg/core"
import { Data } from "effect"
import * as ExitCode from "./ExitCode.js"

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
 * Any failure of a command: the CLI's own errors and every registry error.
 * @since 0.1.0
 * @category models
 */
export type Failure = UsageError | FileError | InvalidInput | RegistryError.RegistryError

const problems = (what: string, error: RegistryError.ValidationError): string => {
  const n = error.detail.length
  const lines = error.detail.map((issue) => `  ${RegistryError.formatLoc(issue.loc)}: ${issue.msg}`)
  return [`error: invalid ${what} (${n} ${n === 1 ? "problem" : "problems"})`, ...lines].join("\n")
}

/**
 * The stderr text of a failure (no trailing newline).
 * @since 0.1.0
 * @category rendering
 */
export const render = (failure: Failure): string => {
  switch (failure._tag) {
    case "UsageError":
    case "FileError":
      return `error: ${failure.message}`
    case "InvalidInput":
      return problems(failure.what, failure.error)
    case "ValidationError":
      return problems("request", failure)
    case "PreconditionFailed":
      return `error: ${failure.message} [${failure.code}]${failure.etag === undefined ? "" : `\n  current etag: ${failure.etag}`}`
    default:
      return `error: ${failure.message} [${failure.code}]`
  }
}

/**
 * The exit code of a failure: 2 for usage, file and validation errors, 3 for 409/412, 4 for 404, 1 otherwise.
 * @since 0.1.0
 * @category conversions
 */
export const exitCode = (failure: Failure): ExitCode.ExitCode => {
  switch (failure._tag) {
    case "UsageError":
    case "FileError":
    case "InvalidInput":
      return ExitCode.USAGE
    default:
      return ExitCode.fromStatus(failure.statusCode)
  }
}
