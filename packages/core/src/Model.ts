/**
 * Models: a model is `(ml_repo, name)`, created with its first version. TrueFoundry's `Model` shape, as returned by
 * `GET {prefix}/models` and `GET {prefix}/models/{id}`:
 *
 * `{id, ml_repo_id, type: "model", name, fqn: "model:{tenant}/{ml_repo}/{name}", created_by_subject, created_at,
 * updated_at, latest_version?: ModelVersion, run_steps?: int[]}`
 *
 * - `created_by_subject`, `created_at`: who created the model's first version, and when;
 * - `updated_at`: the last time one of its versions was created, updated, tagged or deleted;
 * - `latest_version`: the live version with the highest number (absent when every version was deleted: the model is
 *   "empty");
 * - `run_steps`: the distinct `step`s of its live versions, ascending.
 *
 * Source: TrueFoundry's generated TypeScript SDK (`Model`, `ModelsListRequest`, `ListModelsResponse`).
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import { received } from "./internal/text.js"
import { MAX_INTEGER } from "./ModelManifest.js"
import { ModelVersion, Pagination, Subject, Timestamp } from "./ModelVersion.js"

/** Fields an upstream adds are kept through decode and encode (as for `ModelVersion`). */
const keepUnknownFields = [undefined, { parseOptions: { onExcessProperty: "preserve" } }] as const

/**
 * The id of a model (a UUID in the embedded registry; any non-empty string from an upstream).
 * @since 0.2.0
 * @category schemas
 */
export const ModelId = Schema.String.pipe(
  Schema.minLength(1, { message: () => "must not be empty: give a model id" }),
  Schema.brand("ModelId"),
  Schema.annotations({ identifier: "ModelId" })
)

/** @since 0.2.0 @category models */
export type ModelId = typeof ModelId.Type

/**
 * A model (`data` of `GET {prefix}/models/{id}`, items of `GET {prefix}/models`). Fields it does not know (from an
 * upstream) are kept through decode and encode.
 * @since 0.2.0
 * @category schemas
 */
export class Model extends Schema.Class<Model>("Model")({
  id: ModelId,
  ml_repo_id: Schema.String,
  // TrueFoundry's older SDKs mark `type` optional: an upstream that leaves it out still gives a model.
  type: Schema.optionalWith(Schema.Literal("model"), { default: () => "model" as const }),
  name: Schema.String,
  fqn: Schema.String,
  created_by_subject: Subject,
  created_at: Schema.optional(Timestamp),
  updated_at: Schema.optional(Timestamp),
  latest_version: Schema.optional(ModelVersion),
  run_steps: Schema.optional(Schema.Array(Schema.Number))
}, keepUnknownFields) {}

/**
 * `{"data": Model}`.
 * @since 0.2.0
 * @category schemas
 */
export class ModelResponse extends Schema.Class<ModelResponse>("ModelResponse")({
  data: Model
}, keepUnknownFields) {}

/**
 * `{"data": Model[], "pagination": {total, offset, limit}}`; `total` counts every match, not just this page.
 * @since 0.2.0
 * @category schemas
 */
export class ModelPage extends Schema.Class<ModelPage>("ModelPage")({
  data: Schema.Array(Model),
  pagination: Pagination
}, keepUnknownFields) {}

/**
 * Filters and paging of `listModels` (query `fqn, ml_repo_id, name, run_id, include_empty_models, limit, offset`;
 * mreg adds `ml_repo`, the ML repo's name, as on the model-version list):
 * - `fqn`: a model FQN `model:{tenant}/{ml_repo}/{name}` (a version FQN names its model);
 * - `run_id`: models with a live version logged by that run;
 * - `include_empty_models`: default `true`; `false` leaves out models whose versions were all deleted;
 * - `limit` 1–1000 (default 100), `offset` ≥ 0 (default 0).
 * Results are ordered by ML repo name, then model name (byte order) — a stable order.
 * @since 0.2.0
 * @category models
 */
export class ListQuery extends Schema.Class<ListQuery>("ModelListQuery")({
  fqn: Schema.optional(Schema.String),
  ml_repo_id: Schema.optional(Schema.String),
  ml_repo: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  run_id: Schema.optional(Schema.String),
  include_empty_models: Schema.optional(Schema.Boolean),
  limit: Schema.optional(
    Schema.Int.pipe(Schema.between(1, 1000, { message: (issue) => `must be an integer from 1 to 1000 (received ${String(issue.actual)})` }))
  ),
  offset: Schema.optional(
    Schema.Int.pipe(Schema.between(0, MAX_INTEGER, { message: (issue) => `must be an integer from 0 to ${MAX_INTEGER} (received ${String(issue.actual)})` }))
  )
}) {}

const QueryValue = Schema.optional(Schema.String)

/**
 * Query parameters of `GET {prefix}/models`, as sent (strings). The server validates them into {@link ListQuery}
 * with `ListQueryParams.decodeModels`.
 * @since 0.2.0
 * @category schemas
 */
export const ListUrlParams = Schema.Struct({
  fqn: QueryValue,
  ml_repo_id: QueryValue,
  ml_repo: QueryValue,
  name: QueryValue,
  run_id: QueryValue,
  include_empty_models: QueryValue,
  limit: QueryValue,
  offset: QueryValue
})

/**
 * A model's FQN, parsed: `{tenant, mlRepo, name}`.
 * @since 0.2.0
 * @category models
 */
export interface ModelFqn {
  readonly tenant: string
  readonly mlRepo: string
  readonly name: string
}

const MODEL_FQN = /^model:([^/\s]+)\/([^/\s]+)\/([^/:\s]+)(?::[^/:\s]+)?$/

/**
 * Formats a model's FQN, `model:{tenant}/{ml_repo}/{name}`.
 * @since 0.2.0
 * @category constructors
 */
export const formatFqn = (parts: ModelFqn): string => `model:${parts.tenant}/${parts.mlRepo}/${parts.name}`

/**
 * Parses a model FQN `model:{tenant}/{ml_repo}/{name}`; a version FQN (`…:{version or alias}`) names its model.
 * Returns a message naming the expected shape and the received value when `input` is neither.
 * @since 0.2.0
 * @category parsing
 */
export const parseFqn = (input: string): ModelFqn | { readonly message: string } => {
  const match = MODEL_FQN.exec(input)
  if (match === null) return { message: `must be a model FQN model:{tenant}/{ml_repo}/{name} (received ${received(input)})` }
  return { tenant: match[1]!, mlRepo: match[2]!, name: match[3]! }
}
