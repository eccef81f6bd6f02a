/**
 * A request body as JSON: read under the server's body limit (`NodeServer.limitBody`, 413 `PAYLOAD_TOO_LARGE`), as
 * UTF-8 (a leading byte order mark is ignored), one JSON value nested at most `JsonText.DEFAULT_MAX_DEPTH` (64)
 * levels; else 400 `INVALID_JSON` with the 1-based `line` and `column` of the first problem.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { JsonText, RegistryError } from "@mreg/core"
import { Effect, Either, Option } from "effect"
import * as NodeServer from "./NodeServer.js"

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })
const lenient = new TextDecoder("utf-8")

const invalidJson = (error: JsonText.JsonSyntaxError) =>
  new RegistryError.InvalidJson({ message: error.message, line: error.line, column: error.column })

/** Parses a body as one JSON value; `InvalidJson` at the first problem (an empty body is one). */
export const parse = (bytes: Uint8Array): Either.Either<unknown, RegistryError.InvalidJson> => {
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    const before = lenient.decode(bytes.subarray(0, Math.max(JsonText.firstInvalidUtf8(bytes), 0)))
    return Either.left(invalidJson(JsonText.syntaxError(before, before.length, "the body is not valid UTF-8")))
  }
  if (text.trim().length === 0) {
    return Either.left(new RegistryError.InvalidJson({ message: "the request body is empty: expected a JSON object", line: 1, column: 1 }))
  }
  return Either.mapLeft(JsonText.parse(text), invalidJson)
}

/** The body of `request` as JSON; `PayloadTooLarge` over the limit, `InvalidJson` when it is not JSON. */
export const readJson = (
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<unknown, RegistryError.PayloadTooLarge | RegistryError.InvalidJson> =>
  request.arrayBuffer.pipe(
    Effect.mapError((error) =>
      Option.getOrElse(
        NodeServer.toPayloadTooLarge(error),
        (): RegistryError.PayloadTooLarge | RegistryError.InvalidJson =>
          new RegistryError.InvalidJson({ message: "the request body could not be read to its end", line: 1, column: 1 })
      )
    ),
    Effect.flatMap((buffer) => parse(new Uint8Array(buffer)))
  )
