/**
 * Where a model version's files live (`manifest.source`).
 *
 * Rule source: TrueFoundry's ModelManifest `source`: `{type: "truefoundry", uri?}` (files uploaded to the
 * registry's artifact store), `{type: "external", uri}` (files left where they are: s3://, gs://, https://…),
 * `{type: "local", file_or_folder}` (files on the machine that registers them; such a version is not deployable).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { received } from "./internal/text.js"

const nonEmpty = (what: string, title: string, example: string) =>
  Schema.String.pipe(
    Schema.minLength(1, { message: () => `must not be empty: give the ${what}` }),
    Schema.maxLength(2048, { message: (issue) => `must be at most 2048 characters (received ${received(issue.actual)})` }),
    Schema.annotations({ title, description: `The ${what}, 1–2048 characters.`, examples: [example] })
  )

/**
 * A member of `source`: `{type, ...fields}`, named in JSON Schema and OpenAPI by `identifier` (its `type` as title),
 * with what it means and one example.
 */
const member = <const Type extends string, const Fields extends Schema.Struct.Fields>(
  type: Type,
  fields: Fields,
  annotations: {
    readonly identifier: string
    readonly description: string
    readonly example: Schema.Struct.Type<{ type: Schema.Literal<[Type]> } & Fields>
  }
) =>
  Schema.Struct({ type: Schema.Literal(type), ...fields }).annotations({
    identifier: annotations.identifier,
    title: type,
    description: annotations.description,
    examples: [annotations.example]
  })

/** Files stored by the registry. @since 0.1.0 @category schemas */
export const TrueFoundrySource = member("truefoundry", {
  uri: Schema.optional(nonEmpty("artifact URI", "Artifact URI", "s3://bucket/sentiment/1"))
}, { identifier: "TrueFoundrySource", description: "Files uploaded to the registry's artifact store.", example: { type: "truefoundry" } })

/** Files at an external URI. @since 0.1.0 @category schemas */
export const ExternalSource = member("external", {
  uri: nonEmpty("URI of the model files, such as s3://bucket/path/", "URI", "s3://models/sentiment-clf/1/")
}, { identifier: "ExternalSource", description: "Files left where they are (s3://, gs://, https://…).", example: { type: "external", uri: "s3://models/sentiment-clf/1/" } })

/** Files on the registering machine. @since 0.1.0 @category schemas */
export const LocalSource = member("local", {
  file_or_folder: nonEmpty("path of the model file or folder", "File or folder", "./artifacts/model")
}, {
  identifier: "LocalSource",
  description: "Files on the machine that registers the version; such a version is not deployable.",
  example: { type: "local", file_or_folder: "./artifacts/model" }
})

/**
 * `source`: one of the three members, chosen by `type`.
 * @since 0.1.0
 * @category schemas
 */
export const Source = Schema.Union(TrueFoundrySource, ExternalSource, LocalSource).annotations({
  identifier: "Source",
  title: "Source",
  description: "Where the model version's files live, chosen by `type`: truefoundry, external or local."
})

/** @since 0.1.0 @category models */
export type Source = typeof Source.Type
