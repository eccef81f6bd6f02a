/**
 * JSON values and the `metadata` object of a manifest.
 *
 * Rule (DESIGN.md, ModelManifest): `metadata` is a required JSON object whose values may be any JSON values,
 * serialized to at most 64 KiB (UTF-8). JSON has no `NaN`, `Infinity`, `undefined`, functions, dates or class
 * instances, so each of those is reported at its own path (`metadata.loss`), not turned into `null` silently.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { received } from "./internal/text.js"
import { DEFAULT_MAX_DEPTH } from "./JsonText.js"
import { isPlainObject, walk, walkIssues } from "./internal/walk.js"

/**
 * Any JSON value: `null`, boolean, finite number, string, array or plain object of JSON values.
 * @since 0.1.0
 * @category models
 */
export type JsonValue = null | boolean | number | string | ReadonlyArray<JsonValue> | { readonly [key: string]: JsonValue }

/**
 * A JSON object (`{ [key: string]: JsonValue }`).
 * @since 0.1.0
 * @category models
 */
export type JsonObject = { readonly [key: string]: JsonValue }

/** Maximum serialized size of `metadata`, in bytes of UTF-8 JSON (64 KiB). @since 0.1.0 @category constants */
export const MAX_METADATA_BYTES = 64 * 1024

/**
 * Walks a value and returns one `{ path, message }` per place that is not JSON, or holds a string (value or key)
 * with a NUL character (U+0000), which a store cannot hold.
 * @since 0.1.0
 * @category validation
 */
export const jsonIssues = (value: unknown, path: ReadonlyArray<PropertyKey> = []): Array<Schema.FilterIssue> =>
  walkIssues(value, "bound", path)

const isJsonObject = (value: unknown): value is JsonObject => isPlainObject(value) && jsonIssues(value).length === 0

const jsonArbitrary = () => (fc: typeof import("effect/FastCheck")) =>
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
    .map((object) => JSON.parse(JSON.stringify(object)) as unknown)
    .filter(isJsonObject)

/** A plain object (prototype `Object.prototype` or `null`), its values not yet checked. */
const PlainObject = Schema.declare(
  // Not `Schema.Record`: its decoder copies keys with `out[key] = value`, which drops an own `"__proto__"` key
  // (valid in JSON) or turns it into the copy's prototype. The object is checked in place instead.
  (value: unknown): value is { readonly [key: string]: unknown } => isPlainObject(value),
  {
    message: (issue) => `must be a JSON object (received ${received(issue.actual)})`,
    jsonSchema: { type: "object", additionalProperties: true }
  }
)

/** After a filter that has checked every value: this only names the type. */
const named = Schema.filter((object: { readonly [key: string]: unknown }): object is JsonObject => object !== null)

/**
 * A JSON object whose values are JSON values (any depth). Decoding reports every non-JSON value at its path.
 * @since 0.1.0
 * @category schemas
 */
export const JsonObject: Schema.Schema<JsonObject, { readonly [key: string]: unknown }> = PlainObject.pipe(
  Schema.filter((object) => jsonIssues(object)),
  named,
  Schema.annotations({ identifier: "JsonObject", title: "JSON object", jsonSchema: {}, arbitrary: jsonArbitrary })
)

const encoder = new TextEncoder()

/**
 * Deepest nesting of arrays and objects in `metadata`, the metadata object itself being level 1: 64, the depth
 * `JsonText` (and so the proxy, the CLI and the HTTP client) accepts in JSON text. Metadata built in code could nest
 * deeper, but could then not be stored (serializing it overflows the stack) nor read back as JSON text.
 * @since 0.2.0
 * @category constants
 */
export const MAX_METADATA_DEPTH = DEFAULT_MAX_DEPTH

/**
 * `metadata` of a manifest: a JSON object serialized to at most {@link MAX_METADATA_BYTES} bytes, nested at most
 * {@link MAX_METADATA_DEPTH} levels. Fails with a message naming the limit and the received size (or level).
 * @since 0.1.0
 * @category schemas
 */
export const Metadata: Schema.Schema<JsonObject, { readonly [key: string]: unknown }> = PlainObject.pipe(
  Schema.filter((object) => {
    // One walk settles both rules for most metadata: JSON, no NUL, and an upper bound of the size under the limit.
    // Above it, a second counts exactly; only a `toJSON` method makes the size a matter of serializing.
    const issues: Array<Schema.FilterIssue> = []
    let bytes = walk(object, "bound", issues, [], MAX_METADATA_DEPTH)
    if (bytes < 0) return issues
    if (bytes > MAX_METADATA_BYTES) bytes = walk(object, "exact", issues)
    if (bytes === Infinity) bytes = encoder.encode(JSON.stringify(object)).length
    return bytes <= MAX_METADATA_BYTES ||
      `must serialize to at most ${MAX_METADATA_BYTES} bytes of JSON (64 KiB); received ${bytes} bytes`
  }),
  named,
  Schema.annotations({
    identifier: "Metadata",
    title: "Metadata",
    description:
      "Any JSON object, at most 64 KiB serialized and 64 levels deep (checked by the decoder, not expressible in JSON Schema).",
    examples: [{ accuracy: 0.91, dataset: "sst2" }],
    jsonSchema: {},
    arbitrary: jsonArbitrary
  })
)
