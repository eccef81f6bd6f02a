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
 * - `run_steps`: the distinct `step`s of its live versions, ascending;
 * - `next_version` (mreg's own, absent from TrueFoundry's answers): the number the next version will get, one more
 *   than the highest number ever used, deleted versions included (what a dry run needs to predict a create).
 *
 * Source: TrueFoundry's generated TypeScript SDK (`Model`, `ModelsListRequest`, `ListModelsResponse`).
 *
 * @since 0.2.0
 */
import { Either, Schema } from "effect"
import { FilterText } from "./Filter.js"
import * as Fqn from "./Fqn.js"
import { classAnnotations, queryValue, registryId } from "./internal/annotations.js"
import { noNul } from "./internal/nul.js"
import { nextPageOf } from "./internal/paging.js"
import { MAX_INTEGER } from "./ModelManifest.js"
import { ModelVersion, Pagination, Subject, Timestamp } from "./ModelVersion.js"
import { DEFAULT_LIMIT } from "./ModelVersions.js"
import { ModelPageToken } from "./PageToken.js"

/**
 * The id of a model (a UUID in the embedded registry; any non-empty string from an upstream).
 * @since 0.2.0
 * @category schemas
 */
export const ModelId = registryId("ModelId", "model", "a8f3c2d4-1b6e-4e7f-8a90-3c5d7e9f1b2a")

/** @since 0.2.0 @category models */
export type ModelId = typeof ModelId.Type

const MODEL_EXAMPLE = {
  id: "a8f3c2d4-1b6e-4e7f-8a90-3c5d7e9f1b2a",
  ml_repo_id: "5d0b1f0e-8c1a-4f0a-9d43-7a2b7c1e6f10",
  type: "model",
  name: "sentiment-clf",
  fqn: "model:acme/nlp-team/sentiment-clf",
  created_by_subject: { subjectId: "ci-bot", subjectType: "serviceaccount", subjectSlug: "ci-bot" },
  created_at: "2024-06-01T12:00:00.000Z",
  updated_at: "2024-06-01T12:00:00.000Z",
  run_steps: [0],
  next_version: 2
}

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
  run_steps: Schema.optional(Schema.Array(Schema.Number)),
  // mreg's own: TrueFoundry's Model has no such field (an upstream that leaves it out still gives a model).
  next_version: Schema.optional(Schema.Number.annotations({
    description: "mreg: the number the model's next version will get (numbers of deleted versions are never reused)."
  }))
}, classAnnotations("Model", "A model: a name in an ML repo, with its highest live version.", MODEL_EXAMPLE)) {}

/**
 * `{"data": Model}`.
 * @since 0.2.0
 * @category schemas
 */
export class ModelResponse extends Schema.Class<ModelResponse>("ModelResponse")({
  data: Model
}, classAnnotations("Model response", "A model.", { data: MODEL_EXAMPLE })) {}

/**
 * `{"data": Model[], "pagination": {total, offset, limit, next_page_token?}}`; `total` counts every match, not just
 * this page; `next_page_token` (mreg) is present when a next page exists (send it back as `page_token`).
 * @since 0.2.0
 * @category schemas
 */
export class ModelPage extends Schema.Class<ModelPage>("ModelPage")({
  data: Schema.Array(Model),
  pagination: Pagination
}, classAnnotations("Model page", "One page of models.", { data: [MODEL_EXAMPLE], pagination: { total: 1, offset: 0, limit: 100 } })) {}

/** Query text: any string without a NUL character (U+0000), which no store can hold. */
const QueryText = Schema.String.pipe(noNul)

/**
 * Filters and paging of `listModels` (query `fqn, ml_repo_id, name, run_id, include_empty_models, limit, offset`;
 * mreg adds `ml_repo`, the ML repo's name, and `page_token`). No text may hold a NUL character (U+0000).
 * - `fqn`: a model FQN `model:{tenant}/{ml_repo}/{name}` (a version FQN names its model);
 * - `run_id`: models with a live version logged by that run;
 * - `include_empty_models`: default `true`; `false` leaves out models whose versions were all deleted;
 * - `limit` 1–1000 (default 100), `offset` ≥ 0 (default 0);
 * - `page_token`: a `pagination.next_page_token` of an earlier answer (`PageToken.ModelPageToken`): the page starts
 *   after the model it names (keyset paging; `offset` then skips that many more); send it with the same filters;
 * - `filter` (mreg): a filter expression (`Filter`, `docs/filter.md`); a model matches when one of its live versions
 *   matches it.
 * Results are ordered by ML repo name, then model name (byte order) — a stable order.
 * @since 0.2.0
 * @category models
 */
export class ListQuery extends Schema.Class<ListQuery>("ModelListQuery")({
  fqn: Schema.optional(QueryText),
  ml_repo_id: Schema.optional(QueryText),
  ml_repo: Schema.optional(QueryText),
  name: Schema.optional(QueryText),
  run_id: Schema.optional(QueryText),
  include_empty_models: Schema.optional(Schema.Boolean),
  limit: Schema.optional(
    Schema.Int.pipe(Schema.between(1, 1000, { message: (issue) => `must be an integer from 1 to 1000 (received ${String(issue.actual)})` }))
  ),
  offset: Schema.optional(
    Schema.Int.pipe(Schema.between(0, MAX_INTEGER, { message: (issue) => `must be an integer from 0 to ${MAX_INTEGER} (received ${String(issue.actual)})` }))
  ),
  page_token: Schema.optional(ModelPageToken),
  filter: Schema.optional(FilterText)
}) {}

/**
 * The query of the page after `page` (the answer to `query`) in a walk over every model, or `undefined` when `page`
 * was the last: by `page_token` when the answer carried `pagination.next_page_token` (keyset paging: every model that
 * exists for the whole walk is seen exactly once, whatever is created or deleted meanwhile), otherwise by offset, for
 * servers that page only by offset (TrueFoundry): the walk then stops at `total`, at a short page, or at a page with
 * no model not seen before (`fresh` = 0). As `ModelVersions.nextPage`.
 * @since 0.2.0
 * @category paging
 */
export const nextPage: (
  query: ListQuery,
  page: { readonly data: ReadonlyArray<unknown>; readonly pagination: Pagination },
  fresh: number
) => ListQuery | undefined = nextPageOf((fields) => new ListQuery(fields, true), DEFAULT_LIMIT)

/**
 * Query parameters of `GET {prefix}/models`, as sent (strings). The server validates them into {@link ListQuery}
 * with `ListQueryParams.decodeModels`.
 * @since 0.2.0
 * @category schemas
 */
export const ListUrlParams = Schema.Struct({
  fqn: queryValue("FQN of a model: model:{tenant}/{ml_repo}/{name} (a version FQN names its model).", "model:acme/nlp-team/sentiment-clf"),
  ml_repo_id: queryValue("Id of the ML repo.", "5d0b1f0e-8c1a-4f0a-9d43-7a2b7c1e6f10"),
  ml_repo: queryValue("Name of the ML repo (mreg).", "nlp-team"),
  name: queryValue("Name of the model.", "sentiment-clf"),
  run_id: queryValue("Models with a live version logged by this run.", "run-2024-06-01-a"),
  include_empty_models: queryValue("false leaves out models whose versions were all deleted (default true).", "true"),
  limit: queryValue("Page size (1–1000).", "100"),
  offset: queryValue("Number of models to skip.", "0"),
  page_token: queryValue("pagination.next_page_token of an earlier answer: the page after it (mreg).", "WyJubHAtdGVhbSIsInNlbnRpbWVudC1jbGYiXQ"),
  filter: queryValue("Models with a live version matching this filter expression (mreg; grammar in docs/filter.md).", "metadata.accuracy >= 0.9 and tag = \"prod\"")
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


/**
 * Formats a model's FQN, `model:{tenant}/{ml_repo}/{name}`.
 * @since 0.2.0
 * @category constructors
 */
export const formatFqn = (parts: ModelFqn): string => `model:${parts.tenant}/${parts.mlRepo}/${parts.name}`

/**
 * The ML repo a model belongs to, read from its FQN; `""` (visible under no read scope) when an upstream sent an FQN
 * mreg cannot read.
 * @since 0.2.0
 * @category getters
 */
export const mlRepoOf = (model: Model): string => Either.match(Fqn.parse(model.fqn), { onLeft: () => "", onRight: (fqn) => fqn.mlRepo })

/**
 * Parses a model FQN `model:{tenant}/{ml_repo}/{name}`; a version FQN (`…:{version, alias or latest}`) names its
 * model. Returns `Fqn.parse`'s message (the expected shape and the received value) when `input` is neither.
 * @since 0.2.0
 * @category parsing
 */
export const parseFqn = (input: string): ModelFqn | { readonly message: string } =>
  Either.match(Fqn.parse(input), {
    onLeft: (error) => ({ message: error.message }),
    onRight: ({ mlRepo, name, tenant }) => ({ tenant, mlRepo, name })
  })
