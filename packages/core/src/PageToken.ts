/**
 * Page tokens of stable (keyset) paging: `GET {prefix}/model-versions?page_token=…` continues a list after the last
 * model version of an earlier page, whose answer carried the token as `pagination.next_page_token`.
 *
 * The list order is ML repo name, model name, then version number descending; the token holds the sort key of the
 * last version returned, `[ml_repo, name, version]` as JSON, base64url without padding. It is opaque to callers:
 * send it back as received, with the same filters. A walk by page tokens yields every version that exists for the
 * whole walk exactly once, whatever is created or deleted meanwhile (offset paging shifts when rows come or go).
 *
 * @since 0.2.0
 */
import { Either, Encoding, Option, Schema } from "effect"
import { MAX_INTEGER } from "./ModelManifest.js"

/**
 * Where a page ends: the sort key of its last model version (ML repo name, model name, version number).
 * @since 0.2.0
 * @category models
 */
export interface Position {
  readonly ml_repo: string
  readonly name: string
  readonly version: number
}

/** The most characters of a token (a longer one was not made by mreg). */
const MAX_LENGTH = 4096

/** A name in a token: not empty, no NUL character (no store holds one, so no token made by mreg has one). */
const Name = Schema.String.pipe(Schema.minLength(1), Schema.filter((name) => !name.includes("\u0000")))

const Key = Schema.parseJson(Schema.Tuple(
  Name,
  Name,
  Schema.Int.pipe(Schema.between(1, MAX_INTEGER))
))
const decodeKey = Schema.decodeUnknownOption(Key)

/**
 * The token of a position.
 * @since 0.2.0
 * @category constructors
 */
export const make = (position: Position): string =>
  Encoding.encodeBase64Url(JSON.stringify([position.ml_repo, position.name, position.version]))

/**
 * The position a token names; `None` for text that is not a token made by {@link make}.
 * @since 0.2.0
 * @category decoding
 */
export const decode = (token: string): Option.Option<Position> => {
  if (token.length === 0 || token.length > MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return Option.none()
  return Either.match(Encoding.decodeBase64UrlString(token), {
    onLeft: () => Option.none(),
    onRight: (json) => Option.map(decodeKey(json), ([ml_repo, name, version]) => ({ ml_repo, name, version }))
  })
}

/**
 * A page token as a schema (a string that {@link decode} accepts). A bad one fails with "must be a page token from
 * pagination.next_page_token of an earlier answer (received …)".
 * @since 0.2.0
 * @category schemas
 */
export const PageToken = Schema.String.pipe(
  Schema.filter((token) => Option.isSome(decode(token)), {
    message: (issue) =>
      `must be a page token from pagination.next_page_token of an earlier answer, sent back unchanged (received ${
        JSON.stringify(String(issue.actual).slice(0, 64))
      })`
  })
).annotations({ identifier: "PageToken", description: "opaque keyset position from pagination.next_page_token" })
