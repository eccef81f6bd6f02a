/**
 * The HTTP server of the proxy: the `RegistryApi` contract on the `ModelVersions` in context (the embedded registry,
 * or core's HTTP client pointed at an upstream), under `/api/ml/v1` and `/api/svc/v1`, with `/healthz`, `/readyz`,
 * `/openapi.json`, `/docs` and the web page at `/ui/` (README, "Endpoints").
 *
 * Order of checks, the first failure answers: authentication (401, before the body is read) → body size (413) → JSON
 * syntax (400 with line/column) → write scope on the manifest's `ml_repo` (403) → every header and body problem at
 * once (422) → the store. Every failure is a JSON error body (`ErrorResponse.middleware`).
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import { ListQueryParams, ManifestJsonSchema, ModelVersion, ModelVersions, RegistryApi, RegistryError, Validation } from "@mreg/core"
import * as Http from "@mreg/core/ModelVersions/Http"
import { Duration, Effect, Either, Layer, Option, Scope } from "effect"
import * as Auth from "./Auth.js"
import * as ErrorResponse from "./ErrorResponse.js"
import * as ServedApi from "./internal/api.js"
import * as Ui from "./internal/ui.js"
import { requireSameModel, scopedOptions, SharedUpstreamToken, upsertHeaders } from "./internal/upsertHeaders.js"
import * as JsonBody from "./JsonBody.js"
import * as ModelsHandlers from "./ModelsHandlers.js"
import * as RequestLog from "./RequestLog.js"
import * as Tokens from "./Tokens.js"
import * as WebhooksServer from "./WebhooksServer.js"

/** Options of the server. @since 0.1.0 @category models */
export interface Options {
  /** What serves `ModelVersions`, for the startup log and `/readyz` (default `"embedded"`). */
  readonly backend?: "embedded" | "upstream" | undefined
  /**
   * Whether the registry has webhooks on (a webhooks file: `WebhooksServer.layerEmbedded` serves
   * `GET /webhooks/deliveries`); otherwise the server adds `WebhooksServer.layerOff`, which answers that path with a
   * 404 saying webhooks are off (default false). @since 0.2.0
   */
  readonly webhooks?: boolean | undefined
  /**
   * Routes served beside the API (the proxy's `/metrics`), an observer of each request called by the request log's
   * middleware (`RequestLog.middlewareObserving`: the proxy's request metrics) and a serve-level middleware around
   * it (tracing's server span). @since 0.2.0
   */
  readonly extra?: {
    readonly routes: Layer.Layer<never>
    readonly observe?: RequestLog.Observer | undefined
    readonly middleware?: (<E, R>(app: HttpApp.Default<E, R>) => HttpApp.Default<E, R>) | undefined
  } | undefined
}

/**
 * The contract served (model versions, models, apply), without the framework's 400 decode error:
 * `ErrorResponse.middleware` answers those with the contract's 422 and maps every `RegistryError` the handlers fail
 * with.
 * @since 0.1.0
 * @category api
 */
export const Api = ServedApi.Api

const decodeApplyTags = Validation.decodeAt(ModelVersions.ApplyTagsRequest, ["body"])
const validId = Validation.decodeAt(ModelVersion.ModelVersionId, ["path", "id"])
// Responses are serialised as they are, not validated and encoded again: every `ModelVersion` here was decoded (store
// rows, upstream answers, fields an upstream added kept) or built from validated parts, and no field of it is
// transformed, so its JSON is its encoded form. Encoding re-ran every manifest rule (PEP 508, metadata walk, …).

const one = (modelVersion: ModelVersion.ModelVersion, headers: Record<string, string>) =>
  ErrorResponse.json(200, { data: modelVersion }, headers)

const withEtag = (etag: string | undefined, headers: Record<string, string> = {}) => (etag === undefined ? headers : { ...headers, etag })

const handlers =
  HttpApiBuilder.group(Api, "modelVersions", (handlers) =>
    Effect.gen(function*() {
      const registry = yield* ModelVersions.ModelVersions
      const mlRepoOf = (id: ModelVersion.ModelVersionId) => Effect.map(registry.get(id), ({ modelVersion }) => modelVersion.manifest.ml_repo)
      return handlers
        // Raw: the body is read under the size limit and parsed with line/column errors, and decoded by `Validation`
        // (did-you-mean issues, merged with the header issues); the framework's payload decoding offers neither.
        .handleRaw("upsert", ({ headers, request }) =>
          Effect.gen(function*() {
            const grant = yield* Auth.CurrentGrant
            yield* Auth.requireSomeWrite(grant)
            const json = yield* JsonBody.readJson(request)
            yield* Auth.requireWriteNamed(grant, json)
            const checked = upsertHeaders(headers)
            const decoded = Validation.decodeUpsertRequest(json)
            if (Either.isLeft(decoded) || checked.issues.length > 0) {
              const detail = [...(Either.isLeft(decoded) ? decoded.left.detail : []), ...checked.issues]
              return yield* Effect.fail(new RegistryError.ValidationError({ detail }))
            }
            const { manifest } = decoded.right
            yield* Auth.requireWrite(grant, manifest.ml_repo)
            const options = yield* scopedOptions(checked.options, grant.subject)
            const result = yield* registry.upsert(manifest, options)
            yield* requireSameModel(manifest, result.modelVersion.manifest)
            return one(result.modelVersion, withEtag(result.etag, result.replayed ? { "idempotent-replayed": "true" } : {}))
          }))
        // Raw for the same reasons as upsert: size limit, JSON syntax errors, every body problem at once.
        .handleRaw("applyTags", ({ request }) =>
          Auth.writing((grant) => Effect.gen(function*() {
            const json = yield* JsonBody.readJson(request)
            const tags = yield* decodeApplyTags(json)
            const id = yield* validId(tags.model_version_id)
            if (!grant.writesAll) yield* Auth.requireWrite(grant, yield* mlRepoOf(id))
            yield* registry.applyTags(tags)
            return {}
          })))
        // Reads see only the caller's ML repos (`Auth.withReadScope`): another repo's id is 404 as a missing one.
        .handle("get", ({ path }) =>
          Auth.reading(Effect.gen(function*() {
            const { etag, modelVersion } = yield* registry.get(yield* validId(path.id))
            return one(modelVersion, withEtag(etag))
          })))
        // Filtered in the store: `total` counts only the caller's ML repos, a filter naming another one is an empty page.
        .handle("list", ({ urlParams }) =>
          Auth.reading(Effect.map(Effect.flatMap(ListQueryParams.decode(urlParams), registry.list), (page) => ErrorResponse.json(200, page))))
        .handle("delete", ({ path }) =>
          Auth.writing((grant) => Effect.gen(function*() {
            const id = yield* validId(path.id)
            if (!grant.writesAll) yield* Auth.requireWrite(grant, yield* mlRepoOf(id))
            yield* registry.delete(id)
            return {}
          })))
        // mreg's history of a version (oldest first), read as `get`: another repo's id is 404 as a missing one.
        .handle("history", ({ path, urlParams }) =>
          Auth.reading(Effect.gen(function*() {
            const id = yield* validId(path.id)
            return ErrorResponse.json(200, yield* registry.history(id, yield* ListQueryParams.decodeHistory(urlParams)))
          })))
    }))

const SVC = RegistryApi.SVC_PREFIX

/** Paths served only under `/api/svc/v1` (the `apply` group), as TrueFoundry does. */
const SVC_ONLY = /^\/api\/svc\/v1\/(?:apply|delete)(?:[?#]|$)/

/**
 * `/api/svc/v1/…` is served as `/api/ml/v1/…` (around the router only: the platform answers the original request),
 * except the `apply` group's paths, which exist only under `/api/svc/v1`.
 */
const rewritePrefix = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  // The request is replaced only when its URL changes: a context change per request copied the fiber's refs twice.
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    (request.url === SVC || request.url.startsWith(`${SVC}/`) || request.url.startsWith(`${SVC}?`)) && !SVC_ONLY.test(request.url)
      ? Effect.provideService(app, HttpServerRequest.HttpServerRequest, request.modify({ url: RegistryApi.DEFAULT_PREFIX + request.url.slice(SVC.length) }))
      : app)

/**
 * Upstream mode: calls carry the caller's `X-Request-Id` and, in pass-through, `Authorization` (`Http.ForwardHeaders`);
 * with an injected upstream token, idempotency keys are scoped to the caller ({@link SharedUpstreamToken}).
 */
const forwardHeaders = (passthrough: boolean) => <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.flatMap(
    Effect.all([HttpServerRequest.HttpServerRequest, Effect.serviceOption(RequestLog.RequestInfo)]),
    ([request, info]) => {
      const headers: Record<string, string> = Option.isSome(info) ? { "x-request-id": info.value.requestId } : {}
      if (passthrough && request.headers.authorization !== undefined) headers.authorization = request.headers.authorization
      return app.pipe(Effect.provideService(Http.ForwardHeaders, headers), Effect.provideService(SharedUpstreamToken, !passthrough))
    }
  )

/** The serve-level middleware: request id and log line ({@link RequestLog.middleware}). @since 0.1.0 @category middleware */
export const middleware = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> => RequestLog.middleware(app)

/**
 * `/docs`: the framework's Swagger UI page (`HttpApiSwagger`), loaded on its first request and kept. Its module holds
 * swagger-ui's 1.9 MB script as a string literal: imported at start it kept ≈ 10 MB of heap (the module's source and
 * the literal, then the page built from them) in every proxy, whether or not anyone opens `/docs`. The page is built
 * in the routes' scope (the server's life), not the request's.
 */
const docsPage = Effect.flatMap(Effect.scope, (scope) =>
  Effect.cached(
    Effect.promise(() => Promise.all([import("@effect/platform/HttpApiSwagger"), import("@effect/platform/HttpLayerRouter")])).pipe(
      Effect.flatMap(([Swagger, HttpLayerRouter]) => HttpLayerRouter.toHttpEffect(Swagger.layerHttpLayerRouter({ api: Api, path: "/docs" }))),
      Scope.extend(scope)
    )
  ))

const extraRoutes = (options: Options) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function*() {
      const registry = yield* ModelVersions.ModelVersions
      const spec = OpenApi.fromApi(Api)
      const down = options.backend === "upstream" ? "the upstream control plane does not answer" : "the registry store does not answer"
      yield* router.get("/healthz", Effect.sync(() => ErrorResponse.json(200, { status: "ok" })))
      yield* router.get(
        "/readyz",
        registry.list(new ModelVersions.ListQuery({ limit: 1 })).pipe(
          Effect.timeout(Duration.seconds(5)),
          Effect.match({ onFailure: () => ErrorResponse.notReady(down), onSuccess: () => ErrorResponse.json(200, { status: "ok" }) })
        )
      )
      yield* router.get("/openapi.json", Effect.sync(() => ErrorResponse.json(200, spec)))
      yield* router.get("/docs", Effect.flatten(yield* docsPage))
      // The JSON Schema of manifest files, for editors (`# yaml-language-server: $schema=…`): public, like /docs.
      const manifestSchema = JSON.stringify(ManifestJsonSchema.make(), null, 2)
      yield* router.get(
        ManifestJsonSchema.PATH,
        Effect.sync(() =>
          HttpServerResponse.text(manifestSchema, {
            contentType: "application/schema+json",
            headers: { "cache-control": "public, max-age=3600" }
          })
        )
      )
    })
  )

/**
 * Everything the server serves (API handlers with auth, extra routes, docs, error contract), as an `HttpApi.Api`
 * layer on a `ModelVersions` and `Tokens`. Serve it with {@link layer}, or in-process with
 * `HttpApiBuilder.toWebHandler` and {@link middleware} around `NodeServer.limitBody` (the body limit).
 * @since 0.1.0
 * @category layers
 */
export const layerApp = (options: Options = {}) =>
  Layer.mergeAll(
    extraRoutes(options),
    options.extra?.routes ?? Layer.empty,
    options.webhooks === true ? Layer.empty : WebhooksServer.layerOff,
    Ui.layer(),
    HttpApiBuilder.middleware(Effect.map(Tokens.Tokens, (tokens) => {
      const forward = options.backend === "upstream" ? forwardHeaders(tokens.mode === "passthrough") : undefined
      return (app: HttpApp.Default) => ErrorResponse.middleware(rewritePrefix(forward === undefined ? app : forward(app)))
    }))
  ).pipe(Layer.provideMerge(HttpApiBuilder.api(Api).pipe(
    Layer.provide([handlers, ModelsHandlers.models, ModelsHandlers.apply]),
    Layer.provide(Auth.layer)
  )))

/**
 * The router's limit on one path parameter (an id in `…/model-versions/{id}`), in characters. find-my-way's default
 * of 100 made a longer id a "no route" 404 (Effect-TS/effect#5059); ids are any non-empty string (an upstream's
 * may be long), and the whole request line is already bounded by the server's 16 KiB header limit (a longer one is a
 * JSON 431).
 * @since 0.2.0
 * @category constants
 */
export const MAX_PATH_PARAMETER_LENGTH = 8192

/** The request log's middleware, observing each request with `extra.observe`, inside `extra.middleware`. */
const serveMiddleware = (extra: Options["extra"]) => {
  const logged = extra?.observe === undefined ? middleware : RequestLog.middlewareObserving(extra.observe)
  const outer = extra?.middleware
  return outer === undefined ? logged : <E, R>(app: HttpApp.Default<E, R>) => outer(logged(app))
}

/** The server on the `HttpServer` in context; logs one `listening` line with the bound URL. @since 0.1.0 @category layers */
export const layer = (options: Options = {}) =>
  Layer.effectDiscard(
    Effect.flatMap(Tokens.Tokens, (tokens) =>
      HttpServer.addressFormattedWith((url) =>
        Effect.logInfo("listening").pipe(Effect.annotateLogs({
          url,
          backend: options.backend === "upstream" ? "upstream control plane" : "embedded registry",
          auth: tokens.mode
        }))
      ))
  ).pipe(
    // The line is logged once the handler is attached: a client reading it can send requests at once.
    Layer.provideMerge(HttpApiBuilder.serve(serveMiddleware(options.extra))),
    Layer.provide([layerApp(options), HttpRouter.setRouterConfig({ maxParamLength: MAX_PATH_PARAMETER_LENGTH })])
  )
