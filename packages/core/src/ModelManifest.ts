/**
 * The model-version manifest: what a caller sends to create or update a model version.
 *
 * Wire shape: TrueFoundry's `PUT /api/ml/v1/model-versions` body `{"manifest": ModelManifest}`. Field rules
 * (DESIGN.md, ModelManifest):
 *
 * | field | rule |
 * | --- | --- |
 * | `type` | literal `"model-version"` |
 * | `name` | `^[A-Za-z0-9_-]+$`, 1–256 characters, case-sensitive |
 * | `ml_repo` | 1–512 characters, starts and ends alphanumeric, `-` allowed inside |
 * | `version` | integer ≥ 1 |
 * | `version_alias` | ≤ 128, `^v[a-zA-Z0-9]+([.-][a-zA-Z0-9]+)*$` (mreg's rule) |
 * | `description` | ≤ 1024 characters |
 * | `metadata` | JSON object, ≤ 64 KiB serialized |
 * | `source`, `framework`, `environment` | see their modules |
 * | `step` | integer ≥ 0 |
 * | `run_id` | non-empty string, ≤ 256 characters |
 *
 * No string anywhere in a manifest (metadata keys included) may hold a NUL character (U+0000): a store cannot
 * hold it, so it is a validation error, `must not contain a NUL character (U+0000)`, on every backend.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Environment } from "./Environment.js"
import { Framework } from "./Framework.js"
import { noNul, nulIssues } from "./internal/nul.js"
import { received } from "./internal/text.js"
import { Metadata } from "./Metadata.js"
import { Source } from "./Source.js"

const got = (issue: { readonly actual: unknown }) => `(received ${received(issue.actual)})`

/**
 * A model name: `^[A-Za-z0-9_-]+$`, 1–256 characters. Case is kept and compared case-sensitively.
 * @since 0.1.0
 * @category schemas
 */
export const ModelName = Schema.String.pipe(
  noNul,
  Schema.minLength(1, { message: () => "must not be empty" }),
  Schema.maxLength(256, { message: (issue) => `must be at most 256 characters ${got(issue)}` }),
  Schema.pattern(/^[A-Za-z0-9_-]+$/, {
    message: (issue) => `must contain only letters, digits, "_" and "-" ${got(issue)}`
  }),
  Schema.annotations({ identifier: "ModelName" })
)

/**
 * An ML repo name: 1–512 characters, starts and ends with a letter or digit, `-` allowed inside.
 * @since 0.1.0
 * @category schemas
 */
export const MlRepoName = Schema.String.pipe(
  noNul,
  Schema.minLength(1, { message: () => "must not be empty" }),
  Schema.maxLength(512, { message: (issue) => `must be at most 512 characters ${got(issue)}` }),
  Schema.pattern(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, {
    message: (issue) => `must start and end with a letter or digit and contain only letters, digits and "-" ${got(issue)}`
  }),
  Schema.annotations({ identifier: "MlRepoName" })
)

/**
 * The largest version number or step the registry stores: 2147483647 (2^31 − 1, a 32-bit `INTEGER` column on SQLite
 * and PostgreSQL). Larger numbers are a validation error, never a store failure.
 * @since 0.2.0
 * @category constants
 */
export const MAX_INTEGER = 2_147_483_647

const integer = (min: number, what: string) =>
  Schema.Number.annotations({ message: (issue) => `must be an integer ≥ ${min}, ${what} ${got(issue)}` }).pipe(
    Schema.int({ message: (issue) => `must be a whole number ${got(issue)}` }),
    Schema.greaterThanOrEqualTo(min, { message: (issue) => `must be ≥ ${min} ${got(issue)}` }),
    Schema.lessThanOrEqualTo(MAX_INTEGER, { message: (issue) => `must be at most ${MAX_INTEGER} ${got(issue)}` })
  )

/**
 * A version number: integer ≥ 1. A string (`"3"`) or a fraction is an error.
 * @since 0.1.0
 * @category schemas
 */
export const VersionNumber = integer(1, "not a string").pipe(Schema.annotations({ identifier: "VersionNumber" }))

/**
 * A training step: integer ≥ 0.
 * @since 0.1.0
 * @category schemas
 */
export const Step = integer(0, "not a string").pipe(Schema.annotations({ identifier: "Step" }))

/**
 * The version alias rule (mreg's own; TrueFoundry documents none): `v` then letters/digits, groups joined by `.`
 * or `-`. Because an alias always starts with `v`, it can never be read as a version number in an FQN.
 * @since 0.1.0
 * @category constants
 */
export const VERSION_ALIAS_PATTERN = /^v[a-zA-Z0-9]+([.-][a-zA-Z0-9]+)*$/

/**
 * A version alias: `v1.0.0`, `v1-prod`, `v3-dev`. At most 128 characters. Unique within a model, ignoring case.
 * @since 0.1.0
 * @category schemas
 */
export const VersionAlias = Schema.String.pipe(
  noNul,
  Schema.maxLength(128, { message: (issue) => `must be at most 128 characters ${got(issue)}` }),
  Schema.pattern(VERSION_ALIAS_PATTERN, {
    message: (issue) =>
      `must match ^v[a-zA-Z0-9]+([.-][a-zA-Z0-9]+)*$: a "v" then letters or digits, groups joined by "." or "-", such as "v1.0.0" or "v1-prod" ${got(issue)}`
  }),
  Schema.annotations({
    identifier: "VersionAlias",
    arbitrary: () => (fc) => fc.constantFrom("v1", "v1.0.0", "v1-prod", "v3-dev", "v2024.06.01")
  })
)

/**
 * The manifest of a model version (`{"manifest": …}` of a PUT).
 * @since 0.1.0
 * @category schemas
 */
export class ModelManifest extends Schema.Class<ModelManifest>("ModelManifest")({
  type: Schema.Literal("model-version"),
  name: ModelName,
  ml_repo: MlRepoName,
  version: Schema.optional(VersionNumber),
  version_alias: Schema.optional(VersionAlias),
  description: Schema.optional(
    Schema.String.pipe(
      noNul,
      Schema.maxLength(1024, { message: (issue) => `must be at most 1024 characters ${got(issue)}` })
    )
  ),
  metadata: Metadata,
  source: Source.pipe(Schema.filter(nulIssues)),
  framework: Schema.optional(Framework.pipe(Schema.filter(nulIssues))),
  environment: Schema.optional(Environment.pipe(Schema.filter(nulIssues))),
  step: Schema.optional(Step),
  run_id: Schema.optional(
    Schema.String.pipe(
      noNul,
      Schema.minLength(1, { message: () => "must not be empty" }),
      Schema.maxLength(256, { message: (issue) => `must be at most 256 characters ${got(issue)}` })
    )
  )
}) {}

/**
 * The body of `PUT {prefix}/model-versions`: `{"manifest": ModelManifest}`.
 * @since 0.1.0
 * @category schemas
 */
export class UpsertRequest extends Schema.Class<UpsertRequest>("UpsertRequest")({
  manifest: ModelManifest
}) {}

/**
 * The plain (wire) shape of a manifest, as found in JSON: what callers write.
 * @since 0.1.0
 * @category models
 */
export type ModelManifestInput = typeof ModelManifest.Encoded
