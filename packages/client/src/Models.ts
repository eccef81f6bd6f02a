/**
 * Models and the generic apply of the Promise client: the shapes `client.models.*`, `client.apply` and
 * `client.deleteManifest` take and return (wire shapes, derived from the `@mreg/core` schemas), and the operations.
 *
 * @since 0.2.0
 */
import { Apply, Model, type ModelVersions, type RegistryError, Validation } from "@mreg/core"
import { Effect, Either, Schema } from "effect"
import type { ValidationError } from "./Errors.js"
import { fromRegistryError } from "./internal/errors.js"
import { eachRow } from "./internal/pages.js"
import * as Wire from "./internal/wire.js"
import type { ModelManifest } from "./Manifest.js"

/**
 * A model in its wire shape (TrueFoundry's `Model`): `{ id, ml_repo_id, type: "model", name, fqn:
 * "model:{tenant}/{ml_repo}/{name}", created_by_subject, created_at, updated_at, latest_version?: ModelVersion,
 * run_steps?: number[] }`. `latest_version` is the live version with the highest number (absent when every version
 * was deleted); `run_steps` the distinct steps of its live versions, ascending.
 * @since 0.2.0
 * @category models
 */
export type Model = typeof Model.Model.Encoded

/**
 * One page of `models.list`: `{ data: Model[], pagination: {total, offset, limit, next_page_token?} }`;
 * `next_page_token` (mreg) is present when a next page exists: pass it back as `page_token`.
 * @since 0.2.0
 * @category models
 */
export type ModelPage = typeof Model.ModelPage.Encoded

/**
 * Filters and paging of `models.list`, all optional and combined with AND: `fqn` (a model FQN
 * `model:{tenant}/{ml_repo}/{name}`; a version FQN names its model), `ml_repo` (name), `ml_repo_id`, `name`,
 * `run_id` (models with a live version of that run), `include_empty_models` (default `true`: models whose versions
 * were all deleted are listed too), `limit` (1–1000, default 100), `offset` (≥ 0, default 0), `page_token` (a
 * `pagination.next_page_token` of an earlier page: the page after it), `filter` (models with a live version matching
 * the expression, `docs/filter.md`). No text may hold a NUL character (U+0000).
 * Unknown keys are a `ValidationError`. Ordered by ML repo name, then model name.
 * @since 0.2.0
 * @category models
 */
export type ModelListQuery = typeof Model.ListQuery.Encoded

/**
 * Options of `apply`: `dryRun` validates and predicts without writing.
 * @since 0.2.0
 * @category models
 */
export interface ApplyOptions {
  readonly dryRun?: boolean | undefined
}

/**
 * The answer of `apply` (TrueFoundry's `TrueFoundryApplyResponse`): `action` `"CREATE"` or `"UPDATE"`,
 * `existingManifest` the stored manifest an update replaced, `data` the stored version (absent on a dry run), and on
 * a dry run `manifest`, the manifest the version would hold (its `version` filled in).
 * @since 0.2.0
 * @category models
 */
export type ApplyResult = typeof Apply.ApplyResponse.Encoded

/**
 * The model operations. Every method checks its input before anything is sent (a `ValidationError` otherwise) and
 * rejects only with `MregError`s.
 * @since 0.2.0
 * @category models
 */
export interface ModelsClient {
  /** Lists one page of models (`GET /api/ml/v1/models`). Rejects with `ValidationError` for a bad query. */
  readonly list: (query?: ModelListQuery) => Promise<ModelPage>
  /**
   * Iterates over every matching model, fetching page after page (`query.limit` is the page size, default 100;
   * `query.offset` the start), as `modelVersions.iterate`: pages follow `pagination.next_page_token` (the embedded
   * registry and `mreg-proxy`), so every model that exists for the whole iteration is yielded exactly once, whatever
   * is created or deleted meanwhile. Against a server that pages only by offset (TrueFoundry), models are
   * de-duplicated by id, but one can be missed when models before it are deleted during the iteration.
   *
   * @example
   * ```ts
   * for await (const model of client.models.iterate({ ml_repo: "nlp-team" })) console.log(model.fqn)
   * ```
   */
  readonly iterate: (query?: ModelListQuery) => AsyncGenerator<Model, void, undefined>
  /** Reads one model by id. Rejects with `NotFoundError`. */
  readonly get: (id: string) => Promise<Model>
  /**
   * Deletes a model and every version of it. A later `upsert` of the same name creates a new model (a new id) whose
   * versions start at 1. Rejects with `NotFoundError`.
   */
  readonly delete: (id: string) => Promise<void>
}

/** Runs one operation of the service (the client's runtime, its open check and its error classes). */
export type Run = <A>(f: (service: ModelVersions.Service) => Effect.Effect<A, RegistryError.RegistryError>) => Promise<A>

const toClient = <A>(either: Either.Either<A, RegistryError.ValidationError>): A => {
  if (Either.isLeft(either)) throw fromRegistryError(either.left) as ValidationError
  return either.right
}

const decodeQuery = Validation.decodeAt(Model.ListQuery, ["query"])
const decodeId = Validation.decodeAt(Model.ModelId, ["path", "id"])
const encodePage = Schema.encodeSync(Model.ModelPage)
const encodeModel = Schema.encodeSync(Model.Model)
const encodeApply = Schema.encodeSync(Apply.ApplyResponse)

const query = (input: unknown) => toClient(decodeQuery(input ?? {}))
const id = (input: unknown) => toClient(decodeId(input))
const manifest = (input: unknown) => {
  const unsupported = Apply.unsupportedType({ manifest: input })
  if (unsupported !== undefined) throw fromRegistryError(unsupported) as ValidationError
  const decoded = Wire.manifest(input)
  if (Either.isLeft(decoded)) throw decoded.left
  return decoded.right
}

/** `client.models` on a runner. @internal */
export const makeModelsClient = (run: Run): ModelsClient => {
  const listPage = (decoded: Model.ListQuery) => run((service) => Effect.map(service.listModels(decoded), encodePage))
  return {
    list: async (input) => listPage(query(input)),
    async *iterate(input) {
      const first = query(input)
      yield* eachRow(new Model.ListQuery({ ...first, offset: first.offset ?? 0 }, true), listPage, Model.nextPage)
    },
    get: async (input) => {
      const modelId = id(input)
      return run((service) => Effect.map(service.getModel(modelId), encodeModel))
    },
    delete: async (input) => {
      const modelId = id(input)
      return run((service) => service.deleteModel(modelId))
    }
  }
}

/** `client.apply` on a runner. @internal */
export const makeApply = (run: Run) => async (input: ModelManifest, options?: ApplyOptions): Promise<ApplyResult> => {
  const decoded = manifest(input)
  return run((service) => Effect.map(Apply.apply(service, decoded, { dryRun: options?.dryRun === true }), encodeApply))
}

/** `client.deleteManifest` on a runner. @internal */
export const makeDeleteManifest = (run: Run) => async (input: ModelManifest): Promise<void> => {
  const decoded = manifest(input)
  return run((service) => Apply.deleteManifest(service, decoded))
}
