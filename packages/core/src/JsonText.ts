/**
 * JSON text with precise syntax errors: where (1-based line and column) and why, without echoing the input.
 *
 * `JSON.parse` on Node 20 gives a position for some errors only (`Unexpected token 'N', "…" is not valid JSON` has
 * none) and repeats part of the text; {@link parse} checks the text with a strict RFC 8259 scanner first. The
 * scanner is iterative, so a deeply nested text cannot overflow the call stack, and it refuses nesting deeper than
 * `maxDepth` (default {@link DEFAULT_MAX_DEPTH}): later steps such as schema decoding recurse.
 *
 * Used by the CLI for manifest files and by the proxy for request bodies.
 *
 * @since 0.1.0
 */
import { Data, Either } from "effect"
import { findProblem, firstInvalidUtf8 as invalidUtf8At, position as positionOf } from "./internal/jsonSyntax.js"

/**
 * The deepest nesting of arrays and objects {@link parse} accepts by default: 64.
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_DEPTH = 64

/**
 * Why a text is not JSON: `reason` (e.g. `unexpected "N": NaN is not a JSON value (JSON has no NaN or Infinity)`),
 * at `offset` (0-based, in UTF-16 code units), `line` and `column` (1-based; lines end at `\n`). `message` is
 * `invalid JSON at line L, column C: reason`.
 * @since 0.1.0
 * @category errors
 */
export class JsonSyntaxError extends Data.TaggedError("JsonSyntaxError")<{
  readonly message: string
  readonly reason: string
  readonly offset: number
  readonly line: number
  readonly column: number
}> {}

/**
 * A {@link JsonSyntaxError} for `reason` at `offset` of `text`.
 * @since 0.1.0
 * @category constructors
 */
export const syntaxError = (text: string, offset: number, reason: string): JsonSyntaxError => {
  const { column, line } = positionOf(text, offset)
  return new JsonSyntaxError({ message: `invalid JSON at line ${line}, column ${column}: ${reason}`, reason, offset, line, column })
}

/**
 * The first syntax error of `text`, or `undefined` when it is one JSON value nested at most `maxDepth` levels
 * (default {@link DEFAULT_MAX_DEPTH}). A leading byte order mark is skipped (it counts in columns).
 * @since 0.1.0
 * @category parsing
 */
export const findError = (text: string, options?: { readonly maxDepth?: number | undefined }): JsonSyntaxError | undefined => {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const problem = findProblem(start === 0 ? text : text.slice(start), options?.maxDepth ?? DEFAULT_MAX_DEPTH)
  return problem === undefined ? undefined : syntaxError(text, problem.offset + start, problem.message)
}

/**
 * Parses one JSON value. Fails with {@link JsonSyntaxError} at the first problem: `{"loss": NaN}` →
 * `invalid JSON at line 1, column 10: unexpected "N": NaN is not a JSON value (JSON has no NaN or Infinity)`;
 * nesting deeper than `maxDepth` (default {@link DEFAULT_MAX_DEPTH}) → `nested deeper than 64 levels`; empty text
 * → `unexpected end of input: expected a JSON value`. A leading byte order mark is skipped.
 * @since 0.1.0
 * @category parsing
 */
export const parse = (text: string, options?: { readonly maxDepth?: number | undefined }): Either.Either<unknown, JsonSyntaxError> => {
  const error = findError(text, options)
  if (error !== undefined) return Either.left(error)
  try {
    return Either.right(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown)
  } catch {
    return Either.left(syntaxError(text, 0, "not valid JSON"))
  }
}

/**
 * The 1-based line and column (in UTF-16 code units) of a 0-based offset of `text`; lines end at `\n`.
 * @since 0.1.0
 * @category positions
 */
export const position = (text: string, offset: number): { readonly line: number; readonly column: number } =>
  positionOf(text, offset)

/**
 * The offset of the first byte of `bytes` that does not belong to a well-formed UTF-8 sequence, or `-1` when all
 * of it is UTF-8 (overlong forms, surrogates and code points above U+10FFFF are not).
 * @since 0.1.0
 * @category parsing
 */
export const firstInvalidUtf8 = (bytes: Uint8Array): number => invalidUtf8At(bytes)
