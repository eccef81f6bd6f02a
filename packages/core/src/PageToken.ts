/**
 * Page tokens of stable (keyset) paging: `GET {prefix}/model-versions?page_token=…` continues a list after the last
 * model version of an earlier page, whose answer carried the token as `pagination.next_page_token`;
 * `GET {prefix}/models?page_token=…` does the same for models.
 *
 * The model-version list order is ML repo name, model name, then version number descending; its token holds the sort
 * key of the last version returned, `[ml_repo, name, version]` as JSON, base64url without padding. The model list
 * order is ML repo name, then model name; its token holds `[ml_repo, name]` the same way ({@link makeModel}). The two
 * kinds never pass for each other. A token is opaque to callers: send it back as received, with the same filters. A
 * walk by page tokens yields every row that exists for the whole walk exactly once, whatever is created or deleted
 * meanwhile (offset paging shifts when rows come or go).
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

/**
 * Where a page of models ends: the sort key of its last model (ML repo name, model name).
 * @since 0.2.0
 * @category models
 */
export interface ModelPosition {
  readonly ml_repo: string
  readonly name: string
}

/** The most characters of a token (a longer one was not made by mreg). */
const MAX_LENGTH = 4096

/** A name in a token: not empty, no NUL character (no store holds one, so no token made by mreg has one). */
const Name = Schema.String.pipe(Schema.minLength(1), Schema.filter((name) => !name.includes("\u0000")))

const decodeKey = Schema.decodeUnknownOption(Schema.parseJson(Schema.Tuple(Name, Name, Schema.Int.pipe(Schema.between(1, MAX_INTEGER)))))
const decodeModelKey = Schema.decodeUnknownOption(Schema.parseJson(Schema.Tuple(Name, Name)))

const encode = (key: ReadonlyArray<string | number>): string => Encoding.encodeBase64Url(JSON.stringify(key))

/** The JSON text of a token, when it is base64url of reasonable length. */
const jsonOf = (token: string): Option.Option<string> => {
  if (token.length === 0 || token.length > MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return Option.none()
  return Either.getRight(Encoding.decodeBase64UrlString(token))
}

/**
 * The token of a position.
 * @since 0.2.0
 * @category constructors
 */
export const make = (position: Position): string => encode([position.ml_repo, position.name, position.version])

/**
 * The position a token names; `None` for text that is not a token made by {@link make}.
 * @since 0.2.0
 * @category decoding
 */
export const decode = (token: string): Option.Option<Position> =>
  Option.flatMap(jsonOf(token), (json) => Option.map(decodeKey(json), ([ml_repo, name, version]) => ({ ml_repo, name, version })))

/**
 * The token of a position in the model list.
 * @since 0.2.0
 * @category constructors
 */
export const makeModel = (position: ModelPosition): string => encode([position.ml_repo, position.name])

/**
 * The model position a token names; `None` for text that is not a token made by {@link makeModel} (a model-version
 * token included).
 * @since 0.2.0
 * @category decoding
 */
export const decodeModel = (token: string): Option.Option<ModelPosition> =>
  Option.flatMap(jsonOf(token), (json) => Option.map(decodeModelKey(json), ([ml_repo, name]) => ({ ml_repo, name })))

/** A token as a schema: a string that `read` accepts. */
const tokenSchema = (read: (token: string) => Option.Option<unknown>, identifier: string, description: string) =>
  Schema.String.pipe(
    Schema.filter((token) => Option.isSome(read(token)), {
      message: (issue) =>
        `must be a page token from pagination.next_page_token of an earlier answer, sent back unchanged (received ${
          JSON.stringify(String(issue.actual).slice(0, 64))
        })`
    })
  ).annotations({ identifier, description })

/**
 * A page token as a schema (a string that {@link decode} accepts). A bad one fails with "must be a page token from
 * pagination.next_page_token of an earlier answer (received …)".
 * @since 0.2.0
 * @category schemas
 */
export const PageToken = tokenSchema(decode, "PageToken", "opaque keyset position from pagination.next_page_token")

/**
 * A page token of the model list as a schema (a string that {@link decodeModel} accepts), with the message of
 * {@link PageToken}.
 * @since 0.2.0
 * @category schemas
 */
export const ModelPageToken = tokenSchema(decodeModel, "ModelPageToken", "opaque keyset position from pagination.next_page_token of a model list")
