/**
 * Reading a request body as JSON, with a size limit and precise syntax errors:
 *
 * 1. size: a `Content-Length` above the limit is refused before a byte is read; a body without one is counted while
 *    it streams, and the rest of an oversized body is read and discarded so the client gets the answer →
 *    413 `PAYLOAD_TOO_LARGE` (`details.limit` in bytes);
 * 2. text: the bytes must be UTF-8 (a leading byte order mark is ignored) → else 400 `INVALID_JSON`;
 * 3. syntax: one JSON value, nested at most {@link MAX_DEPTH} levels → else 400 `INVALID_JSON` with the 1-based
 *    `line` and `column` of the problem (in the message and in `details`).
 *
 * @since 0.1.0
 */
import type { HttpServerRequest } from "@effect/platform"
import { RegistryError } from "@mreg/core"
import { Effect, Either, Stream } from "effect"
import { findProblem, firstInvalidUtf8, position } from "./internal/jsonSyntax.js"

/** Default body size limit: 1 MiB. @since 0.1.0 @category constants */
export const DEFAULT_MAX_BYTES = 1024 * 1024

/** Deepest nesting of arrays and objects accepted in a body. @since 0.1.0 @category constants */
export const MAX_DEPTH = 64

const tooLarge = (limit: number, size: number | undefined) =>
  new RegistryError.PayloadTooLarge({
    message: size === undefined
      ? `the request body is larger than the limit of ${limit} bytes`
      : `the request body is ${size} bytes; the limit is ${limit} bytes`,
    limit
  })

/** The whole body of a request, at most `limit` bytes; `PayloadTooLarge`, or `InvalidJson` when it cannot be read. */
const read = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<Uint8Array, RegistryError.PayloadTooLarge | RegistryError.InvalidJson> => {
  const declared = request.headers["content-length"]
  if (declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > limit) {
    return Effect.fail(tooLarge(limit, Number(declared.trim())))
  }
  return Stream.runFold(
    request.stream,
    { chunks: [] as Array<Uint8Array>, size: 0 },
    (state, chunk) => {
      state.size += chunk.length
      // Past the limit, keep counting (the body is drained, not buffered) so the client can read the 413.
      if (state.size <= limit) state.chunks.push(chunk)
      return state
    }
  ).pipe(
    Effect.mapError(() =>
      new RegistryError.InvalidJson({ message: "the request body could not be read to its end", line: 1, column: 1 })
    ),
    Effect.flatMap(({ chunks, size }) => {
      if (size > limit) return Effect.fail(tooLarge(limit, size))
      const bytes = new Uint8Array(size)
      let at = 0
      for (const chunk of chunks) {
        bytes.set(chunk, at)
        at += chunk.length
      }
      return Effect.succeed(bytes)
    })
  )
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })
const lenient = new TextDecoder("utf-8")

const invalid = (message: string, text: string, offset: number) => {
  const { column, line } = position(text, offset)
  return new RegistryError.InvalidJson({ message: `invalid JSON at line ${line}, column ${column}: ${message}`, line, column })
}

/** The JSON text of a body (UTF-8); `InvalidJson` at the first byte that is not UTF-8. */
const decodeText = (bytes: Uint8Array): Either.Either<string, RegistryError.InvalidJson> => {
  try {
    return Either.right(decoder.decode(bytes))
  } catch {
    const bad = firstInvalidUtf8(bytes)
    const before = lenient.decode(bytes.subarray(0, Math.max(bad, 0)))
    return Either.left(invalid("the body is not valid UTF-8", before, before.length))
  }
}

/**
 * Parses a body as one JSON value. Fails with `InvalidJson` (400) naming the 1-based line and column of the first
 * problem: `{"metadata": {"loss": NaN}}` → `invalid JSON at line 1, column 23: unexpected "N": NaN is not a JSON
 * value …`. An empty body is an error too.
 * @since 0.1.0
 * @category parsing
 */
export const parse = (bytes: Uint8Array): Either.Either<unknown, RegistryError.InvalidJson> =>
  Either.flatMap(decodeText(bytes), (text) => {
    if (text.trim().length === 0) {
      return Either.left(
        new RegistryError.InvalidJson({ message: "the request body is empty: expected a JSON object", line: 1, column: 1 })
      )
    }
    const problem = findProblem(text, MAX_DEPTH)
    if (problem !== undefined) return Either.left(invalid(problem.message, text, problem.offset))
    try {
      return Either.right(JSON.parse(text) as unknown)
    } catch {
      return Either.left(invalid("not valid JSON", text, 0))
    }
  })

/**
 * {@link read} then {@link parse}: the body as the original bytes (without a byte order mark) and its JSON value.
 * @since 0.1.0
 * @category reading
 */
export const readJson = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<
  { readonly bytes: Uint8Array; readonly json: unknown },
  RegistryError.PayloadTooLarge | RegistryError.InvalidJson
> =>
  Effect.flatMap(read(request, limit), (raw) => {
    const bytes = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? raw.subarray(3) : raw
    return Either.match(parse(bytes), {
      onLeft: Effect.fail,
      onRight: (json) => Effect.succeed({ bytes, json })
    })
  })
