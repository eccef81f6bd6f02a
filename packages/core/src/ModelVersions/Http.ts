/**
 * `ModelVersions` over HTTP: a client of the model-version API derived from the `RegistryApi` contract with
 * `HttpApiClient`, for a TrueFoundry control plane or an `mreg-proxy` — the one HTTP client of mreg (the CLI, the
 * `@mreg/client` facade and the proxy's upstream mode use it).
 *
 * - Auth: `Authorization: Bearer <apiKey>` (the key is `Redacted` and never logged); per-call headers (the caller's
 *   `authorization`, `x-request-id`) through {@link ForwardHeaders}.
 * - Timeouts: each attempt is limited to `timeout` (default 30 s); a timeout is `UpstreamError` 504 `GATEWAY_TIMEOUT`.
 * - Retries: `Retry.afterFailure` (`Effect.retry`, brought in once an attempt has failed) with exponential backoff
 *   and jitter (`retries`, default 4; first delay `retryBaseDelay`, default 200 ms) for what
 *   `RegistryError.isRetryable` says: connection errors, timeouts, 429, 502, 503 and 504 — never another 4xx such as
 *   413 or 422. (`Retry-After` is not waited for: the backoff decides.)
 * - Every upsert carries an `Idempotency-Key`, generated once per logical call when the caller gives none, so a
 *   retry after a lost response never creates a second version.
 * - Error answers are decoded with `RegistryError.fromResponse`: only safe text and typed fields are kept, and a
 *   body mreg cannot decode (an HTML 502 from a load balancer) is `UpstreamError` 502 `UPSTREAM_ERROR`.
 * - Fields of a model version mreg does not know are kept (the `ModelVersion` schemas preserve them).
 * - Paging: `page_token` is sent and `pagination.next_page_token` kept when the server gives one (an `mreg-proxy`).
 * - Read scope (`ModelVersions.ReadScope`): a fetched version (or model) outside it is `NotFound`, as is a `delete` or
 *   `applyTags` of one (checked with a `get` first); a list filter naming an ML repo outside it answers an empty page
 *   without a request; a scope of one ML repo name is sent as `ml_repo=<name>`; otherwise versions (or models)
 *   outside the scope are dropped from the page and `total` is the server's count less the rows dropped from this
 *   page (exact when they all fit in one page; the server cannot be asked to filter by patterns). From a server that
 *   pages by token (an `mreg-proxy`), such a page is filled from the server's next pages, and its `next_page_token`
 *   names the last row returned (never a dropped one). A model's ML repo is read from its FQN. A version's `history`
 *   under a scope is asked for only after a `get` shows the version in it (so a deleted version's history is then
 *   `NotFound`: its ML repo can no longer be read).
 * - A server that implements only TrueFoundry's documented shapes (no `ETag`, no `Idempotent-Replayed`) works:
 *   `etag` is then `undefined` and `replayed` `false`.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Config, ConfigError, Context, Duration, Effect, Either, Layer, Option, ParseResult, Redacted, Schedule } from "effect"
import * as Filter from "../Filter.js"
import { emptyPage, modelMatches, parsedFilter, scopedPage, scopedQuery } from "../internal/scopedPages.js"
import * as Model from "../Model.js"
import type { ModelManifest } from "../ModelManifest.js"
import { type ModelVersion, ModelVersionId, ModelVersionPage } from "../ModelVersion.js"
import type { HistoryQuery } from "../ModelVersionEvent.js"
import * as ModelVersions from "../ModelVersions.js"
import * as MregConfig from "../MregConfig.js"
import * as PageToken from "../PageToken.js"
import * as RegistryApi from "../RegistryApi.js"
import * as RegistryError from "../RegistryError.js"
import * as Retry from "../Retry.js"
import { traced } from "../Telemetry.js"

/**
 * Options of the HTTP client.
 * - `baseUrl`: the control plane, e.g. `https://acme.truefoundry.cloud` or `http://127.0.0.1:8080` (the API prefix
 *   is appended);
 * - `apiKey`: bearer token; `prefix`: API prefix (default `/api/ml/v1`);
 * - `headers`: sent with every request (lower-case names), under {@link ForwardHeaders};
 * - `timeout` per attempt (default 30 s); `retries` (default 4); `retryBaseDelay` (default 200 ms).
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly baseUrl: string
  readonly apiKey?: Redacted.Redacted<string> | undefined
  readonly prefix?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly retries?: number | undefined
  readonly retryBaseDelay?: Duration.DurationInput | undefined
}

/**
 * Headers to send with the requests of the current call (names in any case; sent lower-case), read when each
 * request is built and merged over the layer's own (`authorization` from `apiKey`, `Options.headers`). The
 * endpoint's own headers (`idempotency-key`, `if-match`, `if-none-match`, `content-type`, `content-length`) are
 * never taken from here. Default `{}`.
 *
 * ```ts
 * registry.get(id).pipe(Effect.provideService(Http.ForwardHeaders, { authorization: callerAuth, "x-request-id": id }))
 * ```
 * @since 0.2.0
 * @category references
 */
export class ForwardHeaders extends Context.Reference<ForwardHeaders>()("@mreg/core/ModelVersions/Http/ForwardHeaders", {
  defaultValue: (): Readonly<Record<string, string>> => ({})
}) {}

/** Headers an endpoint sets itself; forwarded or default headers never replace them. */
const ENDPOINT_HEADERS = new Set(["idempotency-key", "if-match", "if-none-match", "content-type", "content-length"])

const newKey = () => globalThis.crypto.randomUUID()

/**
 * An id as exactly one path segment: `HttpApiClient` pastes path params into the URL as they are, so `/`, `?`, `#`,
 * `\` or `%` in an id would change the path or the query. `.` and `..` alone are dot-segments that a URL parser
 * resolves (even as `%2E`), so such an id can name no model version: `None`, and the call is `NotFound`.
 */
const pathSegment = (id: string): Option.Option<string> =>
  id === "." || id === ".." ? Option.none() : Option.some(encodeURIComponent(id))

const notFound = (id: string) => new RegistryError.NotFound({ message: `no model version with id ${JSON.stringify(id)}` })

/** A server's 404 for an id: the message is rebuilt from the caller's id (the server's text is never shown). */
const withId = (id: string) => (error: RegistryError.RegistryError): RegistryError.RegistryError =>
  error._tag === "NotFound" ? notFound(id) : error

/** Query parameters as text, the absent ones left out. */
const textParams = (query: object): Record<string, string> =>
  Object.fromEntries(Object.entries(query).filter((entry) => entry[1] !== undefined).map(([key, value]) => [key, String(value)]))

const lowerCase = (headers: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

/**
 * Builds the HTTP `ModelVersions` on the `HttpClient` in context. Every method fails only with `RegistryError`s.
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options) =>
  Effect.gen(function*() {
    const baseUrl = options.baseUrl.replace(/\/+$/, "")
    const timeout = Duration.decode(options.timeout ?? "30 seconds")
    const host = (() => {
      try {
        return new URL(baseUrl).host
      } catch {
        return baseUrl
      }
    })()
    const defaults = {
      ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${Redacted.value(options.apiKey)}` }),
      ...lowerCase(options.headers ?? {})
    }

    /** Error answers become registry errors here (carried as the `cause` of a `ResponseError`), never passed on. */
    const client = yield* HttpApiClient.make(RegistryApi.make(options.prefix ?? RegistryApi.DEFAULT_PREFIX), {
      baseUrl,
      transformClient: (http) =>
        http.pipe(
          HttpClient.mapRequestEffect((request) =>
            Effect.map(ForwardHeaders, (forwarded) => {
              const extra = Object.entries({ ...defaults, ...lowerCase(forwarded) }).filter(([name]) => !ENDPOINT_HEADERS.has(name))
              return extra.length === 0 ? request : HttpClientRequest.setHeaders(request, Object.fromEntries(extra))
            })
          ),
          HttpClient.transformResponse(Effect.flatMap((response) =>
            response.status < 400 ? Effect.succeed(response) : Effect.flatMap(response.text, (text) =>
              Effect.fail(
                new HttpClientError.ResponseError({
                  request: response.request,
                  response,
                  reason: "StatusCode",
                  cause: RegistryError.fromResponse(response.status, text, { headers: response.headers, from: host })
                })
              ))
          ))
        )
    })

    /** Maps anything that is not already a registry error (transport, undecodable body) to one. */
    const normalize = (error: unknown): RegistryError.RegistryError => {
      if (RegistryError.isRegistryError(error)) return error
      if (HttpClientError.isHttpClientError(error) && error._tag === "ResponseError") {
        if (RegistryError.isRegistryError(error.cause)) return error.cause
        return new RegistryError.UpstreamError({
          status: 502,
          message: `${host} answered HTTP ${error.response.status} with a body mreg cannot read`,
          upstreamStatus: error.response.status
        })
      }
      if (ParseResult.isParseError(error)) {
        return new RegistryError.UpstreamError({ status: 502, message: `${host} answered with a body that does not match the API` })
      }
      return new RegistryError.UpstreamError({ status: 502, message: `cannot reach ${host}` })
    }

    const retry: Retry.Options<RegistryError.RegistryError, Duration.Duration, never> = {
      while: RegistryError.isRetryable,
      times: options.retries ?? 4,
      schedule: Schedule.exponential(options.retryBaseDelay ?? "200 millis").pipe(Schedule.jittered)
    }

    /** One attempt, limited to `timeout`, every failure a registry error; retried as the error table says. */
    const call = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, RegistryError.RegistryError> =>
      Retry.afterFailure(
        effect.pipe(
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () =>
              new RegistryError.UpstreamError({ status: 504, message: `${host} did not answer within ${Duration.format(timeout)}` })
          }),
          Effect.mapError(normalize),
          Effect.catchAllDefect((defect) => Effect.fail(normalize(defect)))
        ),
        retry
      )

    const upsert = traced("ModelVersions.upsert", function*(
      manifest: ModelManifest,
      upsertOptions: ModelVersions.UpsertOptions = {}
    ) {
      const headers = {
        "idempotency-key": upsertOptions.idempotencyKey ?? newKey(),
        ...(upsertOptions.ifMatch === undefined ? {} : { "if-match": upsertOptions.ifMatch }),
        ...(upsertOptions.ifNoneMatch === undefined ? {} : { "if-none-match": upsertOptions.ifNoneMatch })
      }
      const [body, response] = yield* call(client.modelVersions.upsert({ payload: { manifest }, headers, withResponse: true }))
      const modelVersion = body.data
      return {
        modelVersion,
        etag: response.headers["etag"],
        created: modelVersion.created_at === modelVersion.updated_at,
        replayed: response.headers["idempotent-replayed"] === "true"
      } satisfies ModelVersions.UpsertResult
    })

    const get = traced("ModelVersions.get", function*(id: ModelVersionId) {
      const segment = yield* Effect.mapError(pathSegment(id), () => notFound(id))
      const [body, response] = yield* Effect.mapError(
        call(client.modelVersions.get({ path: { id: segment }, withResponse: true })),
        withId(id)
      )
      const scope = yield* ModelVersions.ReadScope
      if (!ModelVersions.isVisible(scope, body.data.manifest.ml_repo)) return yield* Effect.fail(notFound(id))
      return { modelVersion: body.data, etag: response.headers["etag"] } satisfies ModelVersions.Versioned
    })

    /** A version outside the caller's read scope is `NotFound` before a write to it is sent. */
    const requireVisible = (id: ModelVersionId) =>
      Effect.flatMap(ModelVersions.ReadScope, (scope) => scope._tag === "All" ? Effect.void : Effect.asVoid(get(id)))

    const list = traced("ModelVersions.list", function*(listQuery: ModelVersions.ListQuery) {
      const scope = yield* ModelVersions.ReadScope
      const scoped = scopedQuery(scope, listQuery, (query, ml_repo) => new ModelVersions.ListQuery({ ...query, ml_repo }, true))
      if (scoped === undefined) return new ModelVersionPage(emptyPage(listQuery), true)
      const page = yield* listPage(scoped)
      const expression = parsedFilter(scoped.filter)
      return yield* scopedPage<ModelVersion, ModelVersionPage>({
        scope,
        page,
        limit: scoped.limit ?? ModelVersions.DEFAULT_LIMIT,
        mlRepoOf: (version) => version.manifest.ml_repo,
        matches: expression === undefined ? undefined : (version) => Effect.succeed(Filter.evaluate(expression, version)),
        after: (page_token) => listPage(new ModelVersions.ListQuery({ ...scoped, offset: undefined, page_token }, true)),
        tokenOf: (last) => PageToken.make({ ml_repo: last.manifest.ml_repo, name: last.manifest.name, version: last.manifest.version ?? 1 }),
        make: (fields) => new ModelVersionPage(fields, true)
      })
    })

    const listPage = (query: ModelVersions.ListQuery) => {
      const text = (value: string | number | undefined) => (value === undefined ? undefined : String(value))
      const urlParams = Object.fromEntries(
        Object.entries({
          fqn: query.fqn,
          ml_repo_id: query.ml_repo_id,
          ml_repo: query.ml_repo,
          model_id: query.model_id,
          name: query.name,
          version: text(query.version),
          tag: query.tag,
          run_ids: query.run_ids?.join(","),
          run_steps: query.run_steps?.join(","),
          limit: text(query.limit),
          offset: text(query.offset),
          page_token: query.page_token,
          filter: query.filter
        }).filter((entry): entry is [string, string] => entry[1] !== undefined)
      )
      return call(client.modelVersions.list({ urlParams }))
    }

    const delete_ = traced("ModelVersions.delete", function*(id: ModelVersionId) {
      const segment = yield* Effect.mapError(pathSegment(id), () => notFound(id))
      yield* requireVisible(id)
      yield* Effect.mapError(call(client.modelVersions.delete({ path: { id: segment } })), withId(id))
    })

    const applyTags = traced("ModelVersions.applyTags", function*(request: ModelVersions.ApplyTagsRequest) {
      yield* requireVisible(ModelVersionId.make(request.model_version_id))
      yield* call(client.modelVersions.applyTags({ payload: request }))
    })

    const noModel = (id: string) => new RegistryError.NotFound({ message: `no model with id ${JSON.stringify(id)}` })
    const withModelId = (id: string) => (error: RegistryError.RegistryError): RegistryError.RegistryError =>
      error._tag === "NotFound" ? noModel(id) : error

    const listModels = traced("ModelVersions.listModels", function*(listQuery: Model.ListQuery) {
      const scope = yield* ModelVersions.ReadScope
      const scoped = scopedQuery(scope, listQuery, (query, ml_repo) => new Model.ListQuery({ ...query, ml_repo }, true))
      if (scoped === undefined) return new Model.ModelPage(emptyPage(listQuery), true)
      const filter = scoped.filter
      return yield* scopedPage<Model.Model, Model.ModelPage>({
        scope,
        page: yield* modelsPage(scoped),
        limit: scoped.limit ?? ModelVersions.DEFAULT_LIMIT,
        mlRepoOf: Model.mlRepoOf,
        matches: filter === undefined ? undefined : (model) => modelMatches(list, model, filter),
        after: (page_token) => modelsPage(new Model.ListQuery({ ...scoped, offset: undefined, page_token }, true)),
        tokenOf: (last) => PageToken.makeModel({ ml_repo: Model.mlRepoOf(last), name: last.name }),
        make: (fields) => new Model.ModelPage(fields, true)
      })
    })

    const modelsPage = (query: Model.ListQuery) =>
      call(client.models.list({ urlParams: textParams(query) }))

    /** A model, if it is in the caller's read scope (else `NotFound`, as a missing id). */
    const getModel = traced("ModelVersions.getModel", function*(id: Model.ModelId) {
      const segment = yield* Effect.mapError(pathSegment(id), () => noModel(id))
      const body = yield* Effect.mapError(call(client.models.get({ path: { id: segment } })), withModelId(id))
      const scope = yield* ModelVersions.ReadScope
      if (!ModelVersions.isVisible(scope, Model.mlRepoOf(body.data))) return yield* Effect.fail(noModel(id))
      return body.data
    })

    const deleteModel = traced("ModelVersions.deleteModel", function*(id: Model.ModelId) {
      const segment = yield* Effect.mapError(pathSegment(id), () => noModel(id))
      // A model outside the caller's read scope is `NotFound` before the delete is sent.
      if ((yield* ModelVersions.ReadScope)._tag === "Only") yield* getModel(id)
      yield* Effect.mapError(call(client.models.delete({ path: { id: segment } })), withModelId(id))
    })

    const history = traced("ModelVersions.history", function*(id: ModelVersionId, query: HistoryQuery = {}) {
      const segment = yield* Effect.mapError(pathSegment(id), () => notFound(id))
      yield* requireVisible(id)
      return yield* Effect.mapError(call(client.modelVersions.history({ path: { id: segment }, urlParams: textParams(query) })), withId(id))
    })

    return ModelVersions.ModelVersions.of({ upsert, get, list, delete: delete_, applyTags, listModels, getModel, deleteModel, history })
  })

/**
 * `ModelVersions` over HTTP, on the `HttpClient` provided to it.
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ModelVersions.ModelVersions, never, HttpClient.HttpClient> =>
  Layer.effect(ModelVersions.ModelVersions, make(options))

/**
 * `ModelVersions` over HTTP with the platform's `fetch`.
 * @since 0.1.0
 * @category layers
 */
export const layerFetch = (options: Options): Layer.Layer<ModelVersions.ModelVersions> =>
  layer(options).pipe(Layer.provide(FetchHttpClient.layer))

/**
 * The control plane from the environment, read by `MregConfig.remote`: `TFY_HOST` (required; `MregConfig.baseUrl`'s
 * rule, trailing `/` removed) and `TFY_API_KEY` (optional, Redacted).
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Options> = Config.mapOrFail(MregConfig.remote, ({ apiKey, host }) =>
  Option.match(host, {
    onNone: () => Either.left(ConfigError.MissingData(["TFY_HOST"], "TFY_HOST is required: the control-plane base URL")),
    onSome: (baseUrl) => Either.right({ baseUrl, apiKey: Option.getOrUndefined(apiKey) })
  }))

/**
 * `layerFetch` configured from `TFY_HOST` and `TFY_API_KEY`.
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<ModelVersions.ModelVersions, never> = Layer.unwrapEffect(
  Effect.map(Effect.orDie(config), layerFetch)
)

