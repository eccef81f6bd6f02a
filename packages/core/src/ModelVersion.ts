/**
 * A stored model version, as returned in `{"data": ModelVersion}`, and the list envelope.
 *
 * Wire shape (DESIGN.md, ModelVersion): snake_case, except the camelCase keys of `created_by_subject`.
 * Timestamps are RFC 3339 UTC strings with millisecond precision and `Z` (`2024-06-01T12:00:00.000Z`).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { classAnnotations, registryId } from "./internal/annotations.js"
import { MANIFEST_EXAMPLE, ModelManifest } from "./ModelManifest.js"

/**
 * The id of a model version (a UUID in the embedded registry; any non-empty string from an upstream).
 * @since 0.1.0
 * @category schemas
 */
export const ModelVersionId = registryId("ModelVersionId", "model version", "0b7e5c3a-3f1d-4c55-9a7e-2f4f1c2d8e91")

/** @since 0.1.0 @category models */
export type ModelVersionId = typeof ModelVersionId.Type

/**
 * Known subject types (TrueFoundry's): `user`, `team`, `serviceaccount`, `virtualaccount`, `external-identity`,
 * `agent-identity`, `role`. An upstream may send others, which {@link Subject} accepts as strings.
 * @since 0.1.0
 * @category constants
 */
export const SUBJECT_TYPES = ["user", "team", "serviceaccount", "virtualaccount", "external-identity", "agent-identity", "role"] as const

/**
 * One of the known {@link SUBJECT_TYPES}, strictly (what mreg itself writes, e.g. from the proxy's tokens file).
 * @since 0.2.0
 * @category schemas
 */
export const SubjectType = Schema.Literal(...SUBJECT_TYPES).annotations({ identifier: "SubjectType" })

const SUBJECT_EXAMPLE = { subjectId: "ci-bot", subjectType: "serviceaccount", subjectSlug: "ci-bot" } as const

/**
 * Who created a model version: `{subjectId, subjectType, subjectSlug?, subjectDisplayName?}`.
 * @since 0.1.0
 * @category schemas
 */
export const Subject = Schema.Struct({
  subjectId: Schema.String,
  subjectType: Schema.Union(SubjectType, Schema.String),
  subjectSlug: Schema.optional(Schema.String),
  subjectDisplayName: Schema.optional(Schema.String)
}).annotations({
  identifier: "Subject",
  title: "Subject",
  description: "Who created the model version.",
  examples: [SUBJECT_EXAMPLE]
})

/** @since 0.1.0 @category models */
export interface Subject extends Schema.Schema.Type<typeof Subject> {}

/**
 * A metric of a model version: `{key, value, timestamp (epoch milliseconds), step}`.
 * @since 0.1.0
 * @category schemas
 */
export const Metric = Schema.Struct({
  key: Schema.String,
  value: Schema.Number,
  timestamp: Schema.Number,
  step: Schema.Number
}).annotations({
  identifier: "Metric",
  title: "Metric",
  description: "A metric of the model version; timestamp in epoch milliseconds.",
  examples: [{ key: "accuracy", value: 0.91, timestamp: 1717243200000, step: 0 }]
})

/** @since 0.1.0 @category models */
export interface Metric extends Schema.Schema.Type<typeof Metric> {}

const TIMESTAMP_EXAMPLE = "2024-06-01T12:00:00.000Z"

/**
 * An RFC 3339 timestamp string (the registry writes UTC with milliseconds and `Z`).
 * @since 0.1.0
 * @category schemas
 */
export const Timestamp = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, {
    message: () => "must be an RFC 3339 timestamp"
  }),
  Schema.annotations({
    identifier: "Timestamp",
    title: "Timestamp",
    description: "RFC 3339 timestamp; the registry writes UTC with milliseconds and Z.",
    examples: [TIMESTAMP_EXAMPLE],
    arbitrary: () => (fc) =>
      fc.date({ min: new Date("2000-01-01T00:00:00.000Z"), max: new Date("2099-12-31T23:59:59.999Z"), noInvalidDate: true })
        .map((d) => d.toISOString())
  })
)

const MODEL_VERSION_EXAMPLE = {
  id: ModelVersionId.make("0b7e5c3a-3f1d-4c55-9a7e-2f4f1c2d8e91"),
  fqn: "model:acme/nlp-team/sentiment-clf:1",
  created_by_subject: SUBJECT_EXAMPLE,
  manifest: ModelManifest.make({ ...MANIFEST_EXAMPLE, version: 1 }),
  ml_repo_id: "5d0b1f0e-8c1a-4f0a-9d43-7a2b7c1e6f10",
  model_id: "a8f3c2d4-1b6e-4e7f-8a90-3c5d7e9f1b2a",
  created_at: TIMESTAMP_EXAMPLE,
  updated_at: TIMESTAMP_EXAMPLE,
  tags: ["production"],
  metrics: [],
  deployable: true
}

/**
 * A stored model version (`data` of a 2xx response). Fields it does not know (from an upstream) are kept through
 * decode and encode.
 * @since 0.1.0
 * @category schemas
 */
export class ModelVersion extends Schema.Class<ModelVersion>("ModelVersion")({
  id: ModelVersionId,
  fqn: Schema.String,
  created_by_subject: Subject,
  manifest: ModelManifest,
  ml_repo_id: Schema.String,
  model_id: Schema.String,
  created_at: Timestamp,
  updated_at: Timestamp,
  usage_code_snippet: Schema.optional(Schema.String),
  tags: Schema.Array(Schema.String),
  metrics: Schema.Array(Metric),
  deployable: Schema.Boolean
}, classAnnotations("Model version", "A stored model version.", MODEL_VERSION_EXAMPLE)) {}

/**
 * `{"data": ModelVersion}`.
 * @since 0.1.0
 * @category schemas
 */
export class ModelVersionResponse extends Schema.Class<ModelVersionResponse>("ModelVersionResponse")({
  data: ModelVersion
}, classAnnotations("Model version response", "A model version.", { data: ModelVersion.make(MODEL_VERSION_EXAMPLE) })) {}

const PAGINATION_EXAMPLE = { total: 1, offset: 0, limit: 100 }

/**
 * Pagination: `{total, offset, limit, next_page_token?}`; `total` counts every match, not just this page.
 * `next_page_token` (mreg; absent from TrueFoundry's answers) is present when a next page exists: send it back as
 * `page_token` for that page (keyset paging, `PageToken`).
 * @since 0.1.0
 * @category schemas
 */
export const Pagination = Schema.Struct({
  total: Schema.Number,
  offset: Schema.Number,
  limit: Schema.Number,
  next_page_token: Schema.optional(Schema.String.annotations({ description: "Send back as page_token for the next page (mreg; absent when there is none)." }))
}).annotations({
  identifier: "Pagination",
  title: "Pagination",
  description: "Offset pagination; total counts every match, not just this page. next_page_token (mreg) is present when a next page exists.",
  examples: [PAGINATION_EXAMPLE]
})

/** @since 0.1.0 @category models */
export interface Pagination extends Schema.Schema.Type<typeof Pagination> {}

/**
 * `{"data": ModelVersion[], "pagination": Pagination}`.
 * @since 0.1.0
 * @category schemas
 */
export class ModelVersionPage extends Schema.Class<ModelVersionPage>("ModelVersionPage")({
  data: Schema.Array(ModelVersion),
  pagination: Pagination
}, classAnnotations("Model version page", "One page of model versions.", {
  data: [ModelVersion.make(MODEL_VERSION_EXAMPLE)],
  pagination: PAGINATION_EXAMPLE
})) {}
