/**
 * The `ModelVersions` service: the five operations of the model-version API, implemented by the embedded registry
 * (`@mreg/registry`) and by the HTTP client layer.
 *
 * Semantics (DESIGN.md, Upsert semantics): a model is `(ml_repo, name)`, a model version `(ml_repo, name, version)`.
 * Without `version`, upsert creates the next number (`max(all versions ever) + 1`); with the number of an existing
 * version it replaces the mutable fields (`description`, `metadata`, `version_alias`, `framework`, `environment`);
 * `source`, `step` and `run_id` are fixed at creation.
 *
 * @since 0.1.0
 */
import { Context, type Effect, Schema } from "effect"
import { type ModelManifest, MAX_INTEGER } from "./ModelManifest.js"
import type { ModelVersion, ModelVersionId, ModelVersionPage, Subject } from "./ModelVersion.js"
import type { RegistryError } from "./RegistryError.js"

const CommaList = Schema.Array(Schema.String)

/**
 * Filters and paging of `list` (query `fqn, ml_repo_id, model_id, name, version, tag, run_ids, run_steps, limit,
 * offset`; mreg adds `ml_repo`, the ML repo's name). `limit` is 1–1000 (default 100), `offset` ≥ 0 (default 0).
 * Results are ordered by ML repo, model name, then version number descending — a stable order.
 * @since 0.1.0
 * @category models
 */
export class ListQuery extends Schema.Class<ListQuery>("ListQuery")({
  fqn: Schema.optional(Schema.String),
  ml_repo_id: Schema.optional(Schema.String),
  ml_repo: Schema.optional(Schema.String),
  model_id: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  version: Schema.optional(
    Schema.Int.pipe(Schema.between(1, MAX_INTEGER, { message: (issue) => `must be an integer from 1 to ${MAX_INTEGER} (received ${String(issue.actual)})` }))
  ),
  tag: Schema.optional(Schema.String),
  run_ids: Schema.optional(CommaList),
  run_steps: Schema.optional(Schema.Array(Schema.Int.pipe(Schema.between(0, MAX_INTEGER)))),
  limit: Schema.optional(
    Schema.Int.pipe(Schema.between(1, 1000, { message: (issue) => `must be an integer from 1 to 1000 (received ${String(issue.actual)})` }))
  ),
  offset: Schema.optional(
    Schema.Int.pipe(Schema.greaterThanOrEqualTo(0, { message: (issue) => `must be an integer ≥ 0 (received ${String(issue.actual)})` }))
  )
}) {}

/** Default page size of `list`. @since 0.1.0 @category constants */
export const DEFAULT_LIMIT = 100

/**
 * Options of `upsert`:
 * - `idempotencyKey`: a retry with the same key and manifest returns the first response and writes nothing;
 * - `ifMatch`: the ETag the caller last saw; a different current ETag fails with `PreconditionFailed`;
 * - `ifNoneMatch: "*"`: create only; an existing version fails with `PreconditionFailed`;
 * - `subject`: who writes (the caller's token subject, or the OS user); the implementation's default otherwise.
 * @since 0.1.0
 * @category models
 */
export interface UpsertOptions {
  readonly idempotencyKey?: string | undefined
  readonly ifMatch?: string | undefined
  readonly ifNoneMatch?: "*" | undefined
  readonly subject?: Subject | undefined
}

/**
 * A model version with its current ETag (an opaque quoted string that changes with every revision).
 * @since 0.1.0
 * @category models
 */
export interface Versioned {
  readonly modelVersion: ModelVersion
  readonly etag: string | undefined
}

/**
 * The result of `upsert`: the stored version, its ETag, whether it was created (201) or updated (200), and whether
 * it is a replay of an earlier response for the same idempotency key.
 * @since 0.1.0
 * @category models
 */
export interface UpsertResult extends Versioned {
  readonly created: boolean
  readonly replayed: boolean
}

/** The most tags one version holds. @since 0.1.0 @category constants */
export const MAX_TAGS = 256

/**
 * `applyTags` request (wire body of `PUT {prefix}/model-versions/tags`).
 * @since 0.1.0
 * @category models
 */
export class ApplyTagsRequest extends Schema.Class<ApplyTagsRequest>("ApplyTagsRequest")({
  model_version_id: Schema.String.pipe(
    Schema.minLength(1, { message: () => "must not be empty" }),
    Schema.annotations({ title: "Model version id", description: "Id of the model version to tag." })
  ),
  tags: Schema.Array(
    Schema.String.pipe(
      Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, {
        message: (issue) =>
          `must be 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit (received ${JSON.stringify(String(issue.actual).slice(0, 140))})`
      })
    )
  ).pipe(
    Schema.maxItems(MAX_TAGS, { message: (issue) => `must hold at most ${MAX_TAGS} tags (received ${(issue.actual as ReadonlyArray<unknown>).length})` }),
    Schema.annotations({ title: "Tags", description: `The version's tags after the call, at most ${MAX_TAGS}.` })
  ),
  force: Schema.optional(Schema.Boolean)
}) {}

/**
 * The model-version operations. Every method fails only with {@link RegistryError}s (never SQL or HTTP errors).
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Creates or updates a model version (`PUT {prefix}/model-versions`).
   * Fails with `ValidationError` (422, also when `version` is beyond the next number), `Conflict`
   * (`IMMUTABLE_FIELD`, `VERSION_DELETED`, `ALIAS_IN_USE`, `IDEMPOTENCY_KEY_REUSED`), `PreconditionFailed`.
   */
  readonly upsert: (manifest: ModelManifest, options?: UpsertOptions) => Effect.Effect<UpsertResult, RegistryError>
  /** Reads one model version by id (`GET {prefix}/model-versions/{id}`). Fails with `NotFound`. */
  readonly get: (id: ModelVersionId) => Effect.Effect<Versioned, RegistryError>
  /** Lists model versions matching every given filter, one page (`GET {prefix}/model-versions`). */
  readonly list: (query: ListQuery) => Effect.Effect<ModelVersionPage, RegistryError>
  /** Deletes a model version; its number is never reused (`DELETE {prefix}/model-versions/{id}`). Fails with `NotFound`. */
  readonly delete: (id: ModelVersionId) => Effect.Effect<void, RegistryError>
  /**
   * Puts tags on a model version (`PUT {prefix}/model-versions/tags`). A tag held by another version of the same
   * model fails with `Conflict` `TAG_IN_USE` unless `force`, which moves it. Fails with `NotFound`.
   */
  readonly applyTags: (request: ApplyTagsRequest) => Effect.Effect<void, RegistryError>
}

/**
 * The `ModelVersions` service tag.
 * @since 0.1.0
 * @category tags
 */
export class ModelVersions extends Context.Tag("@mreg/core/ModelVersions")<ModelVersions, Service>() {}
