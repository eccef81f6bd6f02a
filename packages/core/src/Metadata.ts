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
import { jsonBytesBound } from "./internal/jsonSize.js"
import { hasNul, nulMessage } from "./internal/nul.js"
import { received } from "./internal/text.js"

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

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Deeper than this, {@link isCleanJson} does not answer (a cycle is endless depth): {@link jsonIssues} walks. */
const CLEAN_DEPTH = 64

/**
 * Whether `value` is JSON without a NUL anywhere — the common answer of {@link jsonIssues}, found without paths,
 * issues or the list of ancestors: `false` means "not sure", never "invalid".
 */
const isCleanJson = (value: unknown, depth: number): boolean => {
  switch (typeof value) {
    case "string":
      return !hasNul(value)
    case "boolean":
      return true
    case "number":
      return Number.isFinite(value)
    case "object": {
      if (value === null) return true
      if (depth >= CLEAN_DEPTH) return false
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isCleanJson(value[i], depth + 1)) return false
        return true
      }
      if (!isPlainObject(value)) return false
      const keys = Object.keys(value)
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!
        if (hasNul(key) || !isCleanJson(value[key], depth + 1)) return false
      }
      return true
    }
    default:
      return false
  }
}

/**
 * Walks a value and returns one `{ path, message }` per place that is not JSON, or holds a string (value or key)
 * with a NUL character (U+0000), which a store cannot hold.
 * @since 0.1.0
 * @category validation
 */
export const jsonIssues = (value: unknown, path: ReadonlyArray<PropertyKey> = []): Array<Schema.FilterIssue> => {
  const issues: Array<Schema.FilterIssue> = []
  if (isCleanJson(value, 0)) return issues
  // The objects and arrays being walked (the path's ancestors): meeting one again is a cycle.
  const ancestors: Array<object> = []
  // One mutable path, copied only when a problem is found.
  const at: Array<PropertyKey> = [...path]
  const report = (message: string) => issues.push({ path: [...at], message })
  const walk = (v: unknown): void => {
    switch (typeof v) {
      case "string":
        if (hasNul(v)) report(nulMessage(v))
        return
      case "boolean":
        return
      case "number":
        if (!Number.isFinite(v)) report(`must be a finite number: JSON has no NaN or Infinity (received ${received(v)})`)
        return
      case "object": {
        if (v === null) return
        if (ancestors.includes(v)) return void report("must not refer to itself: JSON cannot hold a cycle")
        ancestors.push(v)
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            at.push(i)
            walk(v[i])
            at.pop()
          }
        } else if (isPlainObject(v)) {
          for (const key of Object.keys(v)) {
            at.push(key)
            if (hasNul(key)) report(nulMessage(key))
            else walk(v[key])
            at.pop()
          }
        } else {
          report(`must be a JSON value; received an instance of ${v.constructor?.name ?? "an unknown class"}`)
        }
        ancestors.pop()
        return
      }
      default:
        report(`must be a JSON value (received ${typeof v})`)
    }
  }
  walk(value)
  return issues
}

const isJsonObject = (value: unknown): value is JsonObject => isPlainObject(value) && jsonIssues(value).length === 0

const jsonArbitrary = () => (fc: typeof import("effect/FastCheck")) =>
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
    .map((object) => JSON.parse(JSON.stringify(object)) as unknown)
    .filter(isJsonObject)

/**
 * A JSON object whose values are JSON values (any depth). Decoding reports every non-JSON value at its path.
 * @since 0.1.0
 * @category schemas
 */
export const JsonObject: Schema.Schema<JsonObject, { readonly [key: string]: unknown }> = Schema.declare(
  // Not `Schema.Record`: its decoder copies keys with `out[key] = value`, which drops an own `"__proto__"` key
  // (valid in JSON) or turns it into the copy's prototype. The object is checked in place instead.
  (value: unknown): value is { readonly [key: string]: unknown } => isPlainObject(value),
  {
    message: (issue) => `must be a JSON object (received ${received(issue.actual)})`,
    jsonSchema: { type: "object", additionalProperties: true }
  }
)
  .pipe(
    Schema.filter((object) => jsonIssues(object)),
    // The filter above has checked every value: this only names the type.
    Schema.filter((object): object is JsonObject => object !== null),
    Schema.annotations({ identifier: "JsonObject", title: "JSON object", jsonSchema: {}, arbitrary: jsonArbitrary })
  )

const encoder = new TextEncoder()
const scratch = new Uint8Array(MAX_METADATA_BYTES + 1)

/**
 * `metadata` of a manifest: a JSON object serialized to at most {@link MAX_METADATA_BYTES} bytes.
 * Fails with a message naming the size limit and the received size.
 * @since 0.1.0
 * @category schemas
 */
export const Metadata: Schema.Schema<JsonObject, { readonly [key: string]: unknown }> = JsonObject.pipe(
  Schema.filter((object) => {
    // Most metadata is far below the limit: a bound without serializing settles it.
    if (jsonBytesBound(object, MAX_METADATA_BYTES) <= MAX_METADATA_BYTES) return true
    const json = JSON.stringify(object)
    // A UTF-16 code unit is at most 3 bytes of UTF-8: short strings need no encoding to be measured.
    if (json.length * 3 <= MAX_METADATA_BYTES) return true
    // Encoded into a reused buffer one byte longer than the limit, so that no allocation is needed to measure it.
    if (json.length <= MAX_METADATA_BYTES) {
      const { read, written } = encoder.encodeInto(json, scratch)
      if (read === json.length && written <= MAX_METADATA_BYTES) return true
    }
    const bytes = encoder.encode(json).length
    return bytes <= MAX_METADATA_BYTES ||
      `must serialize to at most ${MAX_METADATA_BYTES} bytes of JSON (64 KiB); received ${bytes} bytes`
  }),
  Schema.annotations({
    identifier: "Metadata",
    title: "Metadata",
    description: "Any JSON object, at most 64 KiB serialized (checked by the decoder, not expressible in JSON Schema).",
    examples: [{ accuracy: 0.91, dataset: "sst2" }],
    jsonSchema: {},
    arbitrary: jsonArbitrary
  })
)
