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

const nonEmpty = (what: string) =>
  Schema.String.pipe(
    Schema.minLength(1, { message: () => `must not be empty: give the ${what}` }),
    Schema.maxLength(2048, { message: (issue) => `must be at most 2048 characters (received ${received(issue.actual)})` })
  )

/** Files stored by the registry. @since 0.1.0 @category schemas */
export const TrueFoundrySource = Schema.Struct({
  type: Schema.Literal("truefoundry"),
  uri: Schema.optional(nonEmpty("artifact URI"))
}).annotations({ identifier: "TrueFoundrySource" })

/** Files at an external URI. @since 0.1.0 @category schemas */
export const ExternalSource = Schema.Struct({
  type: Schema.Literal("external"),
  uri: nonEmpty("URI of the model files, such as s3://bucket/path/")
}).annotations({ identifier: "ExternalSource" })

/** Files on the registering machine. @since 0.1.0 @category schemas */
export const LocalSource = Schema.Struct({
  type: Schema.Literal("local"),
  file_or_folder: nonEmpty("path of the model file or folder")
}).annotations({ identifier: "LocalSource" })

/**
 * `source`: one of the three members, chosen by `type`.
 * @since 0.1.0
 * @category schemas
 */
export const Source = Schema.Union(TrueFoundrySource, ExternalSource, LocalSource).annotations({ identifier: "Source" })

/** @since 0.1.0 @category models */
export type Source = typeof Source.Type
