/**
 * The Promise client of the model-version API: {@link createClient} and the shapes its calls take and return.
 *
 * A client runs either against a **remote** control plane (TrueFoundry or an `mreg-proxy`, over HTTP with
 * timeouts, retries and idempotency keys) or on the **embedded** registry, in-process (a SQLite file, or
 * PostgreSQL). Both answer with the same plain JSON objects (the wire shapes of the API, snake_case) and reject with
 * the same error classes (see `Errors`).
 *
 * @since 0.1.0
 */
import { ModelVersions, type RegistryError } from "@mreg/core"
import { Effect, Either, Exit, ManagedRuntime } from "effect"
import { randomUUID } from "node:crypto"
import { ClientClosedError, type ValidationError } from "./Errors.js"
import { fromCause } from "./internal/errors.js"
import { resolve } from "./internal/options.js"
import { eachRow } from "./internal/pages.js"
import * as Wire from "./internal/wire.js"
import { type HistoryOptions, type HistoryPage, makeHistory } from "./History.js"
import type { ModelManifest } from "./Manifest.js"
import { type ApplyOptions, type ApplyResult, makeApply, makeDeleteManifest, makeModelsClient, type ModelsClient } from "./Models.js"
import type { ListQuery, ModelVersion, ModelVersionPage } from "./ModelVersion.js"

/**
 * Options of a client on a remote control plane. Every field is optional:
 * - `host`: base URL of the control plane, e.g. `https://acme.truefoundry.cloud` or `http://127.0.0.1:8080`
 *   (default `TFY_HOST`; with neither, the client is embedded); http(s), no user name or password, query or
 *   fragment; trailing `/` removed, path kept (`@mreg/core` `MregConfig.baseUrl`);
 * - `apiKey`: bearer token (default `TFY_API_KEY`); never logged nor put in an error message;
 * - `prefix`: API path prefix (default `/api/ml/v1`; TrueFoundry also serves `/api/svc/v1`);
 * - `timeoutMs`: time limit of each attempt, in milliseconds (default 30 000); a timeout is an `UpstreamError` 504;
 * - `retries`: how many times a call is retried after a connection error, a timeout, 429, 502, 503 or 504
 *   (default 4; never after any other status); `retryDelayMs`: the first backoff delay in milliseconds, doubled
 *   each retry, with jitter (default 200).
 * @since 0.1.0
 * @category models
 */
export interface RemoteOptions {
  readonly host?: string | undefined
  readonly apiKey?: string | undefined
  readonly prefix?: string | undefined
  readonly timeoutMs?: number | undefined
  readonly retries?: number | undefined
  readonly retryDelayMs?: number | undefined
  /** Never set on a remote client (see {@link ClientOptions}). */
  readonly embedded?: undefined
}

/**
 * Options of the embedded (in-process) registry:
 * - `home`: folder of the SQLite registry, which lives in `<home>/registry.db` (created when missing;
 *   default `MREG_HOME`, else `~/.mreg`);
 * - `databaseUrl`: `postgres://user:password@host:port/db` (or `postgresql://`) puts the registry on PostgreSQL
 *   instead (default `DATABASE_URL` when no `home` is given); a secret, never shown;
 * - `tenant`: the tenant in FQNs, `model:{tenant}/{ml_repo}/{name}:{version}` (default `MREG_TENANT`, else
 *   `"default"`): 1–512 letters, digits and `-`, starting and ending with a letter or digit.
 *
 * A value that breaks its rule, as an option or in the environment, makes `createClient` throw a `TypeError`
 * naming the option or variable (never a secret's value).
 * @since 0.1.0
 * @category models
 */
export interface EmbeddedOptions {
  readonly home?: string | undefined
  readonly databaseUrl?: string | undefined
  readonly tenant?: string | undefined
}

/**
 * Options of {@link createClient}: remote ({@link RemoteOptions}) or `{ embedded: EmbeddedOptions | true }`.
 * @since 0.1.0
 * @category models
 */
export type ClientOptions = RemoteOptions | { readonly embedded: EmbeddedOptions | true }

/**
 * Where a client sends its calls: `{ mode: "remote", host }`, `{ mode: "embedded", store: "sqlite", filename,
 * tenant }` (an absolute path), or `{ mode: "embedded", store: "postgresql", tenant }` (the URL is a secret and not
 * shown).
 * @since 0.1.0
 * @category models
 */
export type Target =
  | { readonly mode: "remote"; readonly host: string }
  | { readonly mode: "embedded"; readonly store: "sqlite"; readonly filename: string; readonly tenant: string }
  | { readonly mode: "embedded"; readonly store: "postgresql"; readonly tenant: string }

/**
 * Options of `upsert`:
 * - `idempotencyKey`: a retry with the same key and the same manifest returns the first response (`replayed:
 *   true`) and writes nothing; the same key with another manifest is a `ConflictError` `IDEMPOTENCY_KEY_REUSED`.
 *   Default: a fresh UUID for every call (kept across the client's own retries). Pass your own to retry safely
 *   across processes;
 * - `ifMatch`: the `etag` you last saw; if the version changed since, a `PreconditionFailedError`;
 * - `ifNoneMatch: "*"`: create only; an existing version is a `PreconditionFailedError`.
 * @since 0.1.0
 * @category models
 */
export interface UpsertOptions {
  readonly idempotencyKey?: string | undefined
  readonly ifMatch?: string | undefined
  readonly ifNoneMatch?: "*" | undefined
}

/**
 * A model version and its ETag: `data` is the plain wire object (as in `{"data": …}` of the API); `etag` is an
 * opaque quoted string that changes with every revision (`undefined` when the server sends none, as TrueFoundry
 * may). Give it back as `ifMatch` to update only what you read.
 * @since 0.1.0
 * @category models
 */
export interface ModelVersionResult {
  readonly data: ModelVersion
  readonly etag: string | undefined
}

/**
 * The result of `upsert`: the stored version (`data`), its `etag`, whether it was `created` (as opposed to an
 * update of an existing version), and whether it is a `replayed` answer to an earlier call with the same
 * idempotency key (nothing was written this time).
 * @since 0.1.0
 * @category models
 */
export interface UpsertResult extends ModelVersionResult {
  readonly created: boolean
  readonly replayed: boolean
}

/**
 * Options of `applyTags`: `force` moves a tag that another version of the same model holds (otherwise that is a
 * `ConflictError` `TAG_IN_USE`).
 * @since 0.1.0
 * @category models
 */
export interface ApplyTagsOptions {
  readonly force?: boolean | undefined
}

/**
 * The model-version operations. Every method checks its input before anything is sent or stored (a
 * `ValidationError` otherwise) and rejects only with `MregError`s.
 * @since 0.1.0
 * @category models
 */
export interface ModelVersionsClient {
  /**
   * Creates or updates a model version (`PUT /api/ml/v1/model-versions`). Without `manifest.version` it creates the
   * next version number; with the number of an existing version it replaces its mutable fields (`description`,
   * `metadata`, `version_alias`, `framework`, `environment`; an omitted one is cleared).
   *
   * The manifest is validated first: a problem anywhere (such as `metadata: { loss: NaN }`) rejects with a
   * `ValidationError` naming every place, and nothing is sent. Every call carries an idempotency key.
   *
   * Rejects with `ValidationError` (also when `version` is beyond the next number), `ConflictError`
   * (`IMMUTABLE_FIELD`, `VERSION_DELETED`, `ALIAS_IN_USE`, `IDEMPOTENCY_KEY_REUSED`), `PreconditionFailedError`,
   * `PayloadTooLargeError`, `UnauthorizedError`, `ForbiddenError`, `UpstreamError`, `InternalError`.
   */
  readonly upsert: (manifest: ModelManifest, options?: UpsertOptions) => Promise<UpsertResult>
  /** Reads one model version by id. Rejects with `NotFoundError` (also once deleted). */
  readonly get: (id: string) => Promise<ModelVersionResult>
  /**
   * Reads one model version by FQN, `model:{tenant}/{ml_repo}/{name}:{version}`, `…:{alias}` (`…:v1-prod`) or
   * `…:latest` (the highest live version). Makes two calls (a list by FQN, then a get for the ETag). Rejects with
   * `ValidationError` (not a model version FQN — a model FQN without `:…` included —, nothing sent) or
   * `NotFoundError`.
   */
  readonly getByFqn: (fqn: string) => Promise<ModelVersionResult>
  /**
   * Lists one page of model versions matching the query: `{ data, pagination: { total, offset, limit,
   * next_page_token? } }` (pass `next_page_token` back as `page_token` for the next page).
   * Rejects with `ValidationError` for a bad query (nothing sent).
   */
  readonly list: (query?: ListQuery) => Promise<ModelVersionPage>
  /**
   * Iterates over every matching model version, fetching page after page (`query.limit` is the page size, default
   * 100; `query.offset` the start). Pages follow `pagination.next_page_token` (keyset paging: the embedded registry
   * and `mreg-proxy`): every version that exists for the whole iteration is yielded exactly once, whatever is created
   * or deleted meanwhile; versions created meanwhile may or may not be seen. Against a server that pages only by
   * offset (TrueFoundry), versions are de-duplicated by id, but a version can be missed when versions before it are
   * deleted during the iteration (the offset then skips past it). Always ends: when no next page is given, on an
   * empty or short page, when `offset` reaches `total`, or when a page brings no version not seen before.
   *
   * @example
   * ```ts
   * for await (const version of client.modelVersions.iterate({ ml_repo: "nlp-team", limit: 50 })) console.log(version.fqn)
   * ```
   */
  readonly iterate: (query?: ListQuery) => AsyncGenerator<ModelVersion, void, undefined>
  /** Deletes a model version; its number is never reused. Rejects with `NotFoundError`. */
  readonly delete: (id: string) => Promise<void>
  /**
   * Sets the tags of a model version (1–128 letters, digits, `.`, `_`, `-`, starting with a letter or digit; unique
   * within a model, ignoring case). Rejects with `ValidationError`, `NotFoundError`, or `ConflictError`
   * `TAG_IN_USE` (`facts.version` holds the tag) unless `force`.
   */
  readonly applyTags: (id: string, tags: ReadonlyArray<string>, options?: ApplyTagsOptions) => Promise<void>
}

/**
 * A client of the model-version API. Create it with {@link createClient}; `close()` it when done.
 * @since 0.1.0
 * @category models
 */
export interface Client {
  /** Where the calls go (remote host, or the embedded store). */
  readonly target: Target
  /** The model-version operations. */
  readonly modelVersions: ModelVersionsClient
  /** The model operations: `list`, `get`, `delete` (a model and all its versions). @since 0.2.0 */
  readonly models: ModelsClient
  /**
   * TrueFoundry's generic apply of a `model-version` manifest: an upsert answering `{ existingManifest?, action:
   * "CREATE" | "UPDATE", data }`; with `{ dryRun: true }` it validates and predicts without writing (`data` absent,
   * `manifest` the manifest the version would hold) and rejects as the write would. Rejects as `upsert`, and with a
   * `ValidationError` at `body.manifest.type` for another manifest type.
   * @since 0.2.0
   */
  readonly apply: (manifest: ModelManifest, options?: ApplyOptions) => Promise<ApplyResult>
  /**
   * TrueFoundry's generic delete: deletes the version a manifest names (`ml_repo`, `name`, `version`, which is
   * required). Rejects with `ValidationError` or `NotFoundError`.
   * @since 0.2.0
   */
  readonly deleteManifest: (manifest: ModelManifest) => Promise<void>
  /**
   * The history of a model version, by id or FQN: one page of events, oldest first, one per revision (mreg;
   * `GET /api/ml/v1/model-versions/{id}/history`). A deleted version keeps its history (name it by id). Rejects with
   * `ValidationError` (bad FQN or options, nothing sent) or `NotFoundError`.
   * @since 0.2.0
   */
  readonly history: (idOrFqn: string, options?: HistoryOptions) => Promise<HistoryPage>
  /** `true` once `close()` was called. */
  readonly closed: boolean
  /**
   * Stops accepting calls (later ones reject with `ClientClosedError`), waits for the calls already running, then
   * releases the connections (the SQLite file, the PostgreSQL pool). Idempotent: every call returns the same
   * Promise.
   */
  readonly close: () => Promise<void>
}

const unwrap = <A>(either: Either.Either<A, ValidationError>): A => {
  if (Either.isLeft(either)) throw either.left
  return either.right
}

/**
 * Creates a client. Options pick the registry:
 * - `createClient()`: remote when `TFY_HOST` is set (with `TFY_API_KEY`), otherwise the embedded SQLite registry
 *   in `$MREG_HOME/registry.db` (`~/.mreg` by default; PostgreSQL when `DATABASE_URL` is set);
 * - `createClient({ host, apiKey, timeoutMs, retries })`: a remote control plane ({@link RemoteOptions});
 * - `createClient({ embedded: { home, databaseUrl, tenant } })`: the embedded registry ({@link EmbeddedOptions}).
 *
 * Nothing is opened until the first call (an embedded store that cannot be opened rejects that call with an
 * `InternalError`). Throws a `TypeError` for unusable options, naming the option or environment variable.
 *
 * @example
 * ```ts
 * const client = createClient({ embedded: { home: "./.mreg" } })
 * const { data } = await client.modelVersions.upsert({
 *   type: "model-version", name: "clf", ml_repo: "team", metadata: { accuracy: 0.93 }, source: { type: "truefoundry" }
 * })
 * console.log(data.fqn) // model:default/team/clf:1
 * await client.close()
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const createClient = (options?: ClientOptions): Client => {
  const { layer, target } = resolve(options)
  const runtime = ManagedRuntime.make(layer)
  const running = new Set<Promise<unknown>>()
  let closing: Promise<void> | undefined

  const assertOpen = () => {
    if (closing !== undefined) throw new ClientClosedError()
  }

  /** Runs one operation on the runtime; rejects with the client's error classes. */
  const run = async <A>(f: (service: ModelVersions.Service) => Effect.Effect<A, RegistryError.RegistryError>): Promise<A> => {
    assertOpen()
    const pending = runtime.runPromiseExit(Effect.flatMap(ModelVersions.ModelVersions, f))
    running.add(pending)
    try {
      const exit = await pending
      if (Exit.isSuccess(exit)) return exit.value
      throw fromCause(exit.cause)
    } finally {
      running.delete(pending)
    }
  }

  const listPage = (query: ModelVersions.ListQuery) =>
    run((service) => Effect.map(service.list(query), Wire.encodePage))

  const modelVersions: ModelVersionsClient = {
    upsert: async (manifest, upsertOptions) => {
      assertOpen()
      const decoded = unwrap(Wire.manifest(manifest))
      const opts = unwrap(Wire.upsertOptions(upsertOptions))
      return run((service) =>
        Effect.map(
          service.upsert(decoded, {
            idempotencyKey: opts.idempotencyKey ?? randomUUID(),
            ifMatch: opts.ifMatch,
            ifNoneMatch: opts.ifNoneMatch
          }),
          (result): UpsertResult => ({
            data: Wire.encodeModelVersion(result.modelVersion),
            etag: result.etag,
            created: result.created,
            replayed: result.replayed
          })
        )
      )
    },

    get: async (id) => {
      assertOpen()
      const versionId = unwrap(Wire.id(id))
      return run((service) =>
        Effect.map(service.get(versionId), (found): ModelVersionResult => ({
          data: Wire.encodeModelVersion(found.modelVersion),
          etag: found.etag
        }))
      )
    },

    getByFqn: async (fqn) => {
      assertOpen()
      const query = unwrap(Wire.fqnQuery(fqn))
      return run((service) =>
        Effect.gen(function*() {
          const page = yield* service.list(query)
          const first = page.data[0]
          if (first === undefined) return yield* Effect.fail(Wire.notFoundFqn(query.fqn!))
          const found = yield* service.get(first.id)
          return { data: Wire.encodeModelVersion(found.modelVersion), etag: found.etag } satisfies ModelVersionResult
        })
      )
    },

    list: async (query) => {
      assertOpen()
      return listPage(unwrap(Wire.listQuery(query)))
    },

    async *iterate(query) {
      assertOpen()
      const first = unwrap(Wire.listQuery(query))
      yield* eachRow(new ModelVersions.ListQuery({ ...first, offset: first.offset ?? 0 }, true), listPage, ModelVersions.nextPage)
    },

    delete: async (id) => {
      assertOpen()
      const versionId = unwrap(Wire.id(id))
      return run((service) => service.delete(versionId))
    },

    applyTags: async (id, tags, tagOptions) => {
      assertOpen()
      const request = unwrap(Wire.applyTags({
        model_version_id: id,
        tags,
        ...(tagOptions?.force === undefined ? {} : { force: tagOptions.force })
      }))
      return run((service) => service.applyTags(request))
    }
  }

  return {
    target,
    modelVersions,
    models: makeModelsClient(run),
    apply: makeApply(run),
    deleteManifest: makeDeleteManifest(run),
    history: makeHistory(run),
    get closed() {
      return closing !== undefined
    },
    close: () => {
      closing ??= Promise.allSettled([...running]).then(() => runtime.dispose())
      return closing
    }
  }
}
