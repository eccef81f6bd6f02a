/**
 * The `ModelVersions` service: the five operations of the model-version API and the three of models (list, get,
 * delete), implemented by the embedded registry
 * (`@mreg/registry`) and by the HTTP client layer.
 *
 * Semantics (DESIGN.md, Upsert semantics): a model is `(ml_repo, name)`, a model version `(ml_repo, name, version)`.
 * Without `version`, upsert creates the next number (`max(all versions ever) + 1`); with the number of an existing
 * version it replaces the mutable fields (`description`, `metadata`, `version_alias`, `framework`, `environment`);
 * `source`, `step` and `run_id` are fixed at creation.
 *
 * @since 0.1.0
 */
import { Chunk, Context, Effect, Option, Schema, Stream } from "effect"
import { FilterText } from "./Filter.js"
import { noNul } from "./internal/nul.js"
import { nextPageOf } from "./internal/paging.js"
import type * as Model from "./Model.js"
import { type ModelManifest, MAX_INTEGER } from "./ModelManifest.js"
import { PageToken } from "./PageToken.js"
import type { ModelVersion, ModelVersionId, ModelVersionPage, Pagination, Subject } from "./ModelVersion.js"
import type { HistoryPage, HistoryQuery } from "./ModelVersionEvent.js"
import type { RegistryError } from "./RegistryError.js"

/** Query text: any string without a NUL character (U+0000), which no store can hold. */
const QueryText = Schema.String.pipe(noNul)
const CommaList = Schema.Array(QueryText)

/**
 * Filters and paging of `list` (query `fqn, ml_repo_id, model_id, name, version, tag, run_ids, run_steps, limit,
 * offset`; mreg adds `ml_repo`, the ML repo's name, and `page_token`). No text may hold a NUL character (U+0000).
 * `fqn` is a model FQN (`model:{tenant}/{ml_repo}/{name}`: all its versions) or a model version FQN (`…:{version}`,
 * `…:{alias}`, `…:latest`); `version` is a number from 1 to 2^31 − 1 or `"latest"` (the highest live version of each
 * matching model). `limit` is 1–1000 (default 100), `offset` ≥ 0 (default 0). Results are ordered by ML repo, model
 * name, then version number descending — a stable order. `page_token` (a `pagination.next_page_token` of an earlier
 * answer, `PageToken`) starts the page after the version it names (keyset paging; `offset` then skips that many
 * more); send it with the same filters. `filter` (mreg) is an expression of the filter language (`Filter`,
 * `docs/filter.md`), e.g. `metadata.accuracy >= 0.9 and tag = "prod"`, combined with the other filters by AND.
 * @since 0.1.0
 * @category models
 */
export class ListQuery extends Schema.Class<ListQuery>("ListQuery")({
  fqn: Schema.optional(QueryText),
  ml_repo_id: Schema.optional(QueryText),
  ml_repo: Schema.optional(QueryText),
  model_id: Schema.optional(QueryText),
  name: Schema.optional(QueryText),
  version: Schema.optional(
    Schema.Union(Schema.Int, Schema.Literal("latest")).pipe(Schema.filter((version) => version === "latest" || (version >= 1 && version <= MAX_INTEGER), {
      message: (issue) => `must be an integer from 1 to ${MAX_INTEGER} (received ${String(issue.actual)})`
    }))
  ),
  tag: Schema.optional(QueryText),
  run_ids: Schema.optional(CommaList),
  run_steps: Schema.optional(Schema.Array(Schema.Int.pipe(Schema.between(0, MAX_INTEGER)))),
  limit: Schema.optional(
    Schema.Int.pipe(Schema.between(1, 1000, { message: (issue) => `must be an integer from 1 to 1000 (received ${String(issue.actual)})` }))
  ),
  offset: Schema.optional(
    Schema.Int.pipe(Schema.greaterThanOrEqualTo(0, { message: (issue) => `must be an integer ≥ 0 (received ${String(issue.actual)})` }))
  ),
  page_token: Schema.optional(PageToken),
  filter: Schema.optional(FilterText)
}) {}

/** Default page size of `list`. @since 0.1.0 @category constants */
export const DEFAULT_LIMIT = 100

/**
 * The query of the page after `page` (the answer to `query`) in a walk over every page, or `undefined` when `page`
 * was the last: by `page_token` when the answer carried `pagination.next_page_token` (keyset paging, exact under
 * concurrent writes), otherwise by offset, for servers that page only by offset (TrueFoundry): the walk then stops
 * at `total`, at a short page, or at a page with no version not seen before (`fresh` = 0, a server that ignores
 * `offset`).
 * @since 0.2.0
 * @category paging
 */
export const nextPage: (
  query: ListQuery,
  page: { readonly data: ReadonlyArray<unknown>; readonly pagination: Pagination },
  fresh: number
) => ListQuery | undefined = nextPageOf((fields) => new ListQuery(fields, true), DEFAULT_LIMIT)

/**
 * Every model version matching `query`, page after page ({@link nextPage}), each id once. Against a server with
 * page tokens, every version that exists for the whole walk is yielded exactly once; against one that pages only by
 * offset, versions are de-duplicated by id, but one that moves to an earlier page (deletes before it) can be missed.
 * @since 0.2.0
 * @category paging
 */
export const stream = (service: Service, query: ListQuery): Stream.Stream<ModelVersion, RegistryError> =>
  Stream.suspend(() => {
    const seen = new Set<string>()
    return Stream.paginateChunkEffect(query, (current) =>
      Effect.map(service.list(current), (page) => {
        const fresh = page.data.filter((version) => !seen.has(version.id))
        for (const version of fresh) seen.add(version.id)
        return [Chunk.unsafeFromArray(fresh), Option.fromNullable(nextPage(current, page, fresh.length))] as const
      }))
  })

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
    noNul,
    Schema.minLength(1, { message: () => "must not be empty" }),
    Schema.annotations({ title: "Model version id", description: "Id of the model version to tag." })
  ),
  tags: Schema.Array(
    Schema.String.pipe(
      noNul,
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
 * The ML repos a caller may see: `all`, or `only` those whose name matches one of `patterns` (`*` matches any run of
 * characters, everything else itself, case-sensitively; no pattern = nothing visible).
 * @since 0.2.0
 * @category models
 */
export type Visibility =
  | { readonly _tag: "All" }
  | { readonly _tag: "Only"; readonly patterns: ReadonlyArray<string> }

/** Every ML repo is visible (the default {@link ReadScope}). @since 0.2.0 @category constructors */
export const everyMlRepo: Visibility = { _tag: "All" }

/** Only the ML repos matching `patterns` are visible. @since 0.2.0 @category constructors */
export const onlyMlRepos = (patterns: ReadonlyArray<string>): Visibility => ({ _tag: "Only", patterns })

const patternRegExp = (pattern: string) =>
  new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`)

/** Whether `mlRepo` is visible under `visibility`. @since 0.2.0 @category predicates */
export const isVisible = (visibility: Visibility, mlRepo: string): boolean =>
  visibility._tag === "All" || visibility.patterns.some((pattern) => patternRegExp(pattern).test(mlRepo))

/**
 * The one ML repo a visibility allows, when it is a single name without `*` (an upstream can then be asked for that
 * ML repo only); `undefined` otherwise.
 * @since 0.2.0
 * @category getters
 */
export const singleMlRepo = (visibility: Visibility): string | undefined =>
  visibility._tag === "Only" && visibility.patterns.length === 1 && !visibility.patterns[0]!.includes("*")
    ? visibility.patterns[0]
    : undefined

/**
 * The caller's read scope, read by every `ModelVersions` implementation (default: every ML repo). Under
 * `onlyMlRepos(…)` the registry looks as if only those ML repos existed:
 * - `list` returns their versions only and `pagination.total` counts only them; a filter naming another ML repo
 *   (`ml_repo`, `ml_repo_id`, `fqn`, `model_id`) gives an empty page, not an error;
 * - `get`, `delete`, `applyTags` of a version outside them fail with `NotFound`, the same error as for a missing id;
 * - `listModels`, `getModel`, `deleteModel` the same for models (a filter by `ml_repo`, `ml_repo_id` or `fqn` of
 *   another ML repo gives an empty page; a model of another ML repo is `NotFound`).
 *
 * The embedded registry filters in its SQL queries, so pages are full and totals exact. Over HTTP (an upstream) a
 * fetched version's ML repo is checked (`NotFound` outside the scope) and a list is sent with `ml_repo=<name>` when
 * the scope is one name; otherwise the versions outside the scope are dropped from the page and `total` is the
 * upstream's count less the versions dropped (pages can then be short). Provide it around a call, as `mreg-proxy` does for each request from the caller's token:
 *
 * ```ts
 * registry.list(query).pipe(Effect.provideService(ModelVersions.ReadScope, ModelVersions.onlyMlRepos(["nlp-*"])))
 * ```
 * @since 0.2.0
 * @category references
 */
export class ReadScope extends Context.Reference<ReadScope>()("@mreg/core/ModelVersions/ReadScope", {
  defaultValue: (): Visibility => everyMlRepo
}) {}

/**
 * Who writes, for the writes that take no `subject` option (`delete`, `applyTags`, `deleteModel`, and `upsert`
 * without one): recorded as the `subject` of the history event. `undefined` (the default) leaves it to the
 * implementation (the embedded registry's default subject, the OS user). `mreg-proxy` sets it from the caller's token.
 * @since 0.2.0
 * @category references
 */
export class WriteSubject extends Context.Reference<WriteSubject>()("@mreg/core/ModelVersions/WriteSubject", {
  defaultValue: (): Subject | undefined => undefined
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
  /**
   * Reads one model version by id (`GET {prefix}/model-versions/{id}`). Fails with `NotFound`, also outside the
   * caller's {@link ReadScope} (as do `list`, `delete` and `applyTags`).
   */
  readonly get: (id: ModelVersionId) => Effect.Effect<Versioned, RegistryError>
  /**
   * Lists model versions matching every given filter, one page (`GET {prefix}/model-versions`); the page carries
   * `pagination.next_page_token` when a next page exists (see `PageToken`).
   */
  readonly list: (query: ListQuery) => Effect.Effect<ModelVersionPage, RegistryError>
  /** Deletes a model version; its number is never reused (`DELETE {prefix}/model-versions/{id}`). Fails with `NotFound`. */
  readonly delete: (id: ModelVersionId) => Effect.Effect<void, RegistryError>
  /**
   * Puts tags on a model version (`PUT {prefix}/model-versions/tags`). A tag held by another version of the same
   * model fails with `Conflict` `TAG_IN_USE` unless `force`, which moves it. Fails with `NotFound`.
   */
  readonly applyTags: (request: ApplyTagsRequest) => Effect.Effect<void, RegistryError>
  /**
   * Lists models matching every given filter, one page (`GET {prefix}/models`), within the caller's
   * {@link ReadScope}; the page carries `pagination.next_page_token` when a next page exists (`Model.nextPage`).
   * @since 0.2.0
   */
  readonly listModels: (query: Model.ListQuery) => Effect.Effect<Model.ModelPage, RegistryError>
  /** Reads one model by id (`GET {prefix}/models/{id}`). Fails with `NotFound`, also outside the {@link ReadScope}. @since 0.2.0 */
  readonly getModel: (id: Model.ModelId) => Effect.Effect<Model.Model, RegistryError>
  /**
   * Deletes a model and every version of it, in one transaction (`DELETE {prefix}/models/{id}`). A later upsert of
   * the same `(ml_repo, name)` creates a new model (a new id) whose versions start at 1 again. Fails with `NotFound`,
   * also outside the {@link ReadScope}.
   * @since 0.2.0
   */
  readonly deleteModel: (id: Model.ModelId) => Effect.Effect<void, RegistryError>
  /**
   * The history of a model version, one page, oldest first (`GET {prefix}/model-versions/{id}/history`, an mreg
   * extension; `ModelVersionEvent`): one event per revision. A deleted version keeps its history. Fails with
   * `NotFound` for an id that never named a version, also outside the caller's {@link ReadScope}.
   * @since 0.2.0
   */
  readonly history: (id: ModelVersionId, query?: HistoryQuery) => Effect.Effect<HistoryPage, RegistryError>
}

/**
 * The `ModelVersions` service tag.
 * @since 0.1.0
 * @category tags
 */
export class ModelVersions extends Context.Tag("@mreg/core/ModelVersions")<ModelVersions, Service>() {}
