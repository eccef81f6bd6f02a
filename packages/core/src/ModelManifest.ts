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
import { noNul } from "./internal/nul.js"
import { received } from "./internal/text.js"
import { nulIssues } from "./internal/walk.js"
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
  Schema.annotations({
    identifier: "ModelName",
    title: "Model name",
    description: "Name of the model: letters, digits, \"_\" and \"-\", 1–256 characters, case-sensitive.",
    examples: ["sentiment-clf"]
  })
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
  Schema.annotations({
    identifier: "MlRepoName",
    title: "ML repo name",
    description: "Name of the ML repo: 1–512 characters, letters, digits and \"-\", starting and ending with a letter or digit.",
    examples: ["nlp-team"]
  })
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
export const VersionNumber = integer(1, "not a string").pipe(Schema.annotations({
  identifier: "VersionNumber",
  title: "Version number",
  description: `Version number of the model version: an integer from 1 to ${MAX_INTEGER}. Omitted: the next number.`,
  examples: [1]
}))

/**
 * A training step: integer ≥ 0.
 * @since 0.1.0
 * @category schemas
 */
export const Step = integer(0, "not a string").pipe(Schema.annotations({
  identifier: "Step",
  title: "Training step",
  description: `Training step the model version was saved at: an integer from 0 to ${MAX_INTEGER}.`,
  examples: [0]
}))

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
    title: "Version alias",
    description:
      "Alias of the model version, unique within the model ignoring case: \"v\" then letters or digits, groups joined by \".\" or \"-\", at most 128 characters.",
    examples: ["v1.0.0", "v1-prod"],
    arbitrary: () => (fc) => fc.constantFrom("v1", "v1.0.0", "v1-prod", "v3-dev", "v2024.06.01")
  })
)


const manifestFields = {
  type: Schema.Literal("model-version"),
  name: ModelName,
  ml_repo: MlRepoName,
  version: Schema.optional(VersionNumber),
  version_alias: Schema.optional(VersionAlias),
  description: Schema.optional(
    Schema.String.pipe(
      noNul,
      Schema.maxLength(1024, { message: (issue) => `must be at most 1024 characters ${got(issue)}` }),
      Schema.annotations({
        title: "Description",
        description: "Free text about the model version, at most 1024 characters.",
        examples: ["DistilBERT fine-tuned on SST-2 for sentiment."]
      })
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
      Schema.maxLength(256, { message: (issue) => `must be at most 256 characters ${got(issue)}` }),
      Schema.annotations({
        title: "Run id",
        description: "Id of the training run that produced the model version, 1–256 characters.",
        examples: ["run-2024-06-01-a"]
      })
    )
  )
}

/**
 * A valid manifest, shown as the example of {@link ModelManifest} in its JSON Schema and the OpenAPI document (the
 * request `/docs` pre-fills).
 * @since 0.2.0
 * @category constants
 */
export const MANIFEST_EXAMPLE = {
  type: "model-version", name: "sentiment-clf", ml_repo: "nlp-team", version_alias: "v1.0.0",
  description: "DistilBERT fine-tuned on SST-2 for sentiment.",
  metadata: { accuracy: 0.91, dataset: "sst2" },
  source: { type: "external", uri: "s3://models/sentiment-clf/1/" },
  framework: { type: "transformers", pipeline_tag: "text-classification", base_model: "distilbert/distilbert-base-uncased" },
  environment: { python_version: "3.11", pip_packages: ["transformers==4.44.0", "torch>=2.1"] },
  step: 0
} as const satisfies Schema.Struct.Encoded<typeof manifestFields>


/**
 * The manifest of a model version (`{"manifest": …}` of a PUT).
 * @since 0.1.0
 * @category schemas
 */
export class ModelManifest extends Schema.Class<ModelManifest>("ModelManifest")<typeof manifestFields>(
  manifestFields,
  // Title and description on the type side (on the wire side they would replace "ModelManifest (Encoded side)" in
  // decoding messages); examples on the wire side, where JSON Schema generation encodes them.
  [{
    title: "Model version manifest",
    description: "What a caller sends to create or update a model version (TrueFoundry's ModelManifest)."
  }, undefined, {
    // Cast: a typed example makes TypeScript resolve the class while declaring it (TS2506). The example is checked
    // against the fields (`satisfies` above) and by a test (an invalid one would be missing from the JSON Schema).
    examples: [MANIFEST_EXAMPLE as never]
  }]
) {}


/**
 * The body of `PUT {prefix}/model-versions`: `{"manifest": ModelManifest}`.
 * @since 0.1.0
 * @category schemas
 */
export class UpsertRequest extends Schema.Class<UpsertRequest>("UpsertRequest")<{ manifest: typeof ModelManifest }>(
  { manifest: ModelManifest },
  [{
    title: "Upsert request",
    description: "The body of PUT {prefix}/model-versions: the manifest of the model version to create or update."
  }, undefined, {
    examples: [{ manifest: ModelManifest.make(MANIFEST_EXAMPLE) } as never] // cast: see ModelManifest
  }]
) {}

/**
 * The plain (wire) shape of a manifest, as found in JSON: what callers write.
 * @since 0.1.0
 * @category models
 */
export type ModelManifestInput = typeof ModelManifest.Encoded
