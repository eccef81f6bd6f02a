/**
 * Annotations shared by the response classes.
 * @internal
 */
import { Schema } from "effect"

/**
 * Decoding and encoding keep properties the schema does not know, at every level, so a proxy in front of an upstream
 * passes them on. Requests are not affected: `Validation` decodes manifests with `onExcessProperty: "error"`.
 */
export const keepUnknownFields = { parseOptions: { onExcessProperty: "preserve" } } as const

/**
 * A class's annotations: title and description on the type side (on the wire side they would replace
 * "X (Encoded side)" in decoding messages), unknown fields kept, examples on the wire side (where JSON Schema and
 * OpenAPI generation encode them). `examples` is cast: typed, it makes TypeScript resolve the class while declaring
 * it (TS2506); the examples are checked by a test (an invalid one would be missing from the OpenAPI document).
 */
export const classAnnotations = (title: string, description: string, example: unknown) =>
  [{ title, description }, keepUnknownFields, { examples: [example as never] }] as const

/** An optional query parameter (text as sent), described and with an example for the OpenAPI document. */
export const queryValue = (description: string, example: string) =>
  Schema.optional(Schema.String.annotations({ description, examples: [example] }))

/** An optional query parameter that may be repeated (or comma-separated), described and with an example. */
export const queryList = (description: string, example: string) =>
  Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String)).annotations({ description, examples: [example] }))

/**
 * A registry id: a non-empty string ("must not be empty: give a {what} id"), branded, named `identifier` in JSON
 * Schema and OpenAPI with `example`; generated as a UUID (what the embedded registry makes) in property tests.
 */
export const registryId = <B extends string>(brand: B, what: string, example: string) => {
  const title = `${what[0]!.toUpperCase()}${what.slice(1)} id`
  return Schema.String.pipe(
    Schema.minLength(1, { message: () => `must not be empty: give a ${what} id` }),
    Schema.brand(brand),
    Schema.annotations({
      identifier: brand,
      title,
      description: `Id of a ${what} (a UUID in mreg's registry; any non-empty string from an upstream).`,
      examples: [example as never],
      arbitrary: () => (fc) => fc.uuid().map((id) => id as never)
    })
  )
}
