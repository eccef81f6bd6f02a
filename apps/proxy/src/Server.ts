/**
 * The HTTP server of the proxy: the `RegistryApi` handlers, the extra routes, and the error contract around them.
 *
 * Routes:
 * - the model-version API under `/api/ml/v1` and `/api/svc/v1` (the second is rewritten to the first);
 * - `GET /healthz` → 200 `{"status":"ok"}` while the process runs;
 * - `GET /readyz` → 200 `{"status":"ok"}` when the store answers (or the upstream is reachable), else 503 JSON;
 * - `GET /openapi.json` (the contract as OpenAPI 3.1) and `GET /docs` (Swagger UI, inline: works offline).
 *
 * Every request body is read by the handlers themselves, in this order, and the first failure answers:
 * authentication (401) → body size (413) → JSON syntax (400 with line/column) → write scope on the manifest's
 * `ml_repo` (403) → every header and body problem at once (422) → the backend. Query strings are validated into
 * `ListQuery` (422 with `loc` `["query", name]`). Unknown routes are 404 JSON; any unexpected failure is 500 JSON
 * without details; the framework's own decode error (400) is replaced with the 422 body.
 *
 * @since 0.1.0
 */
import {
  HttpApiBuilder,
  type HttpApiError,
  HttpApiSwagger,
  type HttpApp,
  HttpServer,
  HttpServerRequest,
  type HttpServerResponse,
  OpenApi
} from "@effect/platform"
import { Fqn, ModelVersion, ModelVersions, RegistryApi, RegistryError, Validation } from "@mreg/core"
import { Cause, Effect, Either, Layer, Option, Predicate, Schema } from "effect"
import { randomUUID } from "node:crypto"
import * as Auth from "./Auth.js"
import { Backend, type Call, type Failure } from "./Backend.js"
import * as ErrorResponse from "./ErrorResponse.js"
import * as JsonBody from "./JsonBody.js"

const utf8 = new TextEncoder()
/** The bytes of a parsed JSON value, as forwarded upstream. */
const canonicalBytes = (json: unknown): Uint8Array => utf8.encode(JSON.stringify(json))
import * as ListParams from "./ListParams.js"
import * as RequestLog from "./RequestLog.js"
import { Tokens } from "./Tokens.js"

/**
 * Options of the server.
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Largest accepted request body, in bytes (default 1 MiB). */
  readonly maxBodyBytes: number
}

const REGISTRY_ERRORS = new Set([
  "ValidationError",
  "InvalidJson",
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "Conflict",
  "PreconditionFailed",
  "PayloadTooLarge",
  "UpstreamError",
  "StoreError"
])

const isRegistryError = (u: unknown): u is RegistryError.RegistryError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && REGISTRY_ERRORS.has(u._tag)

const respond = <R>(
  effect: Effect.Effect<HttpServerResponse.HttpServerResponse, Failure, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R> =>
  Effect.catchAll(effect, (failure) => Effect.succeed(failure._tag === "Refused" ? failure.response : ErrorResponse.fromError(failure)))

const searchOf = (url: string) => {
  const q = url.indexOf("?")
  return q === -1 ? "" : url.slice(q)
}

const headerIssue = (name: string, msg: string) =>
  new RegistryError.ValidationIssue({ loc: ["header", name], msg, type: "value_error" })

/**
 * The `Idempotency-Key`, `If-Match` and `If-None-Match` headers of an upsert, or every problem with them.
 * @since 0.1.0
 * @category validation
 */
export const upsertHeaders = (headers: Readonly<Record<string, string | undefined>>): {
  readonly issues: ReadonlyArray<RegistryError.ValidationIssue>
  readonly idempotencyKey: string | undefined
  readonly ifMatch: string | undefined
  readonly ifNoneMatch: "*" | undefined
} => {
  const issues: Array<RegistryError.ValidationIssue> = []
  const key = headers["idempotency-key"]
  if (key !== undefined && !/^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/.test(key)) {
    issues.push(headerIssue("idempotency-key", "must be 1–255 printable ASCII characters"))
  }
  const ifMatch = headers["if-match"]?.trim()
  if (ifMatch !== undefined && (ifMatch.length === 0 || ifMatch.length > 1024)) {
    issues.push(headerIssue("if-match", "must be an ETag from an earlier response (or *)"))
  }
  const ifNoneMatch = headers["if-none-match"]?.trim()
  if (ifNoneMatch !== undefined && ifNoneMatch !== "*") {
    issues.push(headerIssue("if-none-match", `must be * (create only) (received ${JSON.stringify(ifNoneMatch.slice(0, 64))})`))
  }
  return { issues, idempotencyKey: key, ifMatch, ifNoneMatch: ifNoneMatch === "*" ? "*" : undefined }
}

const pick = (value: unknown, ...path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((at, key) => (Predicate.isRecord(at) ? at[key] : undefined), value)

const decodeApplyTags = Schema.decodeUnknownEither(ModelVersions.ApplyTagsRequest, { errors: "all", onExcessProperty: "error" })
const decodeId = Schema.decodeUnknownEither(ModelVersion.ModelVersionId)

const validId = (id: string): Effect.Effect<ModelVersion.ModelVersionId, RegistryError.ValidationError> =>
  Either.match(decodeId(id), {
    onLeft: (error) => Effect.fail(Validation.fromParseError(error, ["path", "id"])),
    onRight: Effect.succeed
  })

const DECODE_ERROR_REF = "#/components/schemas/HttpApiDecodeError"

/**
 * The framework declares its decode error (400 `HttpApiDecodeError`) on every endpoint; this server answers such
 * problems with the 422 body instead, so the published document leaves it out.
 */
const withoutDecodeError = (spec: Record<string, any>): Record<string, any> => {
  const out = structuredClone(spec)
  for (const item of Object.values<Record<string, any>>(out.paths ?? {})) {
    for (const operation of Object.values<Record<string, any>>(item)) {
      const responses: Record<string, any> = operation?.responses ?? {}
      for (const [status, response] of Object.entries<any>(responses)) {
        const media = response?.content?.["application/json"]
        if (media?.schema?.$ref === DECODE_ERROR_REF) {
          delete responses[status]
        } else if (Array.isArray(media?.schema?.anyOf)) {
          const kept = media.schema.anyOf.filter((member: any) => member?.$ref !== DECODE_ERROR_REF)
          if (kept.length < media.schema.anyOf.length) {
            media.schema = kept.length === 1 ? kept[0] : { anyOf: kept }
            response.description = status === "400" ? "The request body is not JSON" : response.description
          }
        }
      }
    }
  }
  const schemas: Record<string, unknown> = out.components?.schemas ?? {}
  delete schemas.HttpApiDecodeError
  for (const unused of ["Issue", "PropertyKey"]) {
    if (!JSON.stringify(out).includes(`"#/components/schemas/${unused}"`)) delete schemas[unused]
  }
  return out
}

/**
 * The contract served: `RegistryApi`, with an OpenAPI document that says `/api/svc/v1` serves it too and that leaves
 * out the framework's decode error.
 * @since 0.1.0
 * @category api
 */
export const Api = RegistryApi.RegistryApi.annotate(OpenApi.Transform, (spec) => withoutDecodeError(spec) as typeof spec).annotate(
  OpenApi.Description,
  "TrueFoundry-compatible create-or-update model version API (PUT /api/ml/v1/model-versions), served by mreg-proxy under /api/ml/v1 and /api/svc/v1. Errors are JSON {statusCode, code, message, detail?, details?}."
)

const handlers = (options: Options) =>
  HttpApiBuilder.group(Api, "modelVersions", (handlers) =>
    Effect.gen(function*() {
      const backend = yield* Backend
      const tokens = yield* Tokens

      const caller = (request: HttpServerRequest.HttpServerRequest) =>
        Effect.gen(function*() {
          const subject = yield* RegistryApi.CurrentSubject
          const info = yield* Effect.serviceOption(RequestLog.RequestInfo)
          const call: Call = {
            bearer: Auth.bearerToken(request.headers.authorization),
            subject,
            requestId: Option.match(info, { onNone: () => randomUUID(), onSome: (i) => i.requestId })
          }
          return { call, grant: tokens.grantOf(subject) }
        })

      return handlers
        .handleRaw("upsert", ({ request }) =>
          respond(Effect.gen(function*() {
            const { call, grant } = yield* caller(request)
            yield* Auth.requireSomeWrite(grant)
            const { bytes, json } = yield* JsonBody.readJson(request, options.maxBodyBytes)
            const named = pick(json, "manifest", "ml_repo")
            if (typeof named === "string") yield* Auth.requireWrite(grant, named)
            const headers = upsertHeaders(request.headers)
            const decoded = Validation.decodeUpsertRequest(json)
            if (Either.isLeft(decoded) || headers.issues.length > 0) {
              return yield* Effect.fail(
                new RegistryError.ValidationError({
                  detail: [...(Either.isLeft(decoded) ? decoded.left.detail : []), ...headers.issues]
                })
              )
            }
            yield* Auth.requireWrite(grant, decoded.right.manifest.ml_repo)
            return yield* backend.upsert({
              // The validated JSON value, not the raw bytes: with duplicate keys the raw text could say something
              // else to an upstream that keeps the first of them (a scope or validation bypass).
              body: canonicalBytes(json),
              request: decoded.right,
              idempotencyKey: headers.idempotencyKey,
              ifMatch: headers.ifMatch,
              ifNoneMatch: headers.ifNoneMatch
            }, call)
          })))
        .handleRaw("applyTags", ({ request }) =>
          respond(Effect.gen(function*() {
            const { call, grant } = yield* caller(request)
            yield* Auth.requireSomeWrite(grant)
            const { bytes, json } = yield* JsonBody.readJson(request, options.maxBodyBytes)
            const decoded = decodeApplyTags(json)
            if (Either.isLeft(decoded)) return yield* Effect.fail(Validation.fromParseError(decoded.left, ["body"]))
            const id = yield* validId(decoded.right.model_version_id)
            if (!grant.writesAll) yield* Auth.requireWrite(grant, yield* backend.mlRepoOf(id, call))
            return yield* backend.applyTags({ body: canonicalBytes(json), request: decoded.right }, call)
          })))
        .handleRaw("get", ({ path, request }) =>
          respond(Effect.gen(function*() {
            const { call, grant } = yield* caller(request)
            yield* Auth.requireSomeRead(grant)
            const shown = yield* backend.get(yield* validId(path.id), call)
            yield* Auth.requireRead(grant, shown.mlRepos)
            return shown.response
          })))
        .handleRaw("list", ({ request }) =>
          respond(Effect.gen(function*() {
            const { call, grant } = yield* caller(request)
            yield* Auth.requireSomeRead(grant)
            const search = searchOf(request.url)
            const query = yield* ListParams.decode(ListParams.fromSearch(search))
            if (!grant.readsAll) {
              const named = query.ml_repo ?? (query.fqn === undefined ? undefined : Either.getOrUndefined(Fqn.parse(query.fqn))?.mlRepo)
              if (named === undefined) {
                return yield* Effect.fail(
                  new RegistryError.Forbidden({
                    message: `subject ${JSON.stringify(grant.subject.subjectId)} may read only some ML repos: filter the list with ml_repo=<name> or fqn=<fqn>`
                  })
                )
              }
              yield* Auth.requireRead(grant, [named])
            }
            const shown = yield* backend.list(query, search, call)
            yield* Auth.requireRead(grant, shown.mlRepos)
            return shown.response
          })))
        .handleRaw("delete", ({ path, request }) =>
          respond(Effect.gen(function*() {
            const { call, grant } = yield* caller(request)
            yield* Auth.requireSomeWrite(grant)
            const id = yield* validId(path.id)
            if (!grant.writesAll) yield* Auth.requireWrite(grant, yield* backend.mlRepoOf(id, call))
            return yield* backend.delete(id, call)
          })))
    }))

/** The path of a request URL, which is a path (Node) or a whole URL (web handlers). */
const pathOf = (url: string) => {
  try {
    return new URL(url, "http://localhost").pathname
  } catch {
    return url.split("?")[0]!
  }
}

const isDecodeError = (u: unknown): u is HttpApiError.HttpApiDecodeError => Predicate.isTagged(u, "HttpApiDecodeError")

/**
 * Turns every failure that leaves the router into a contract body: registry errors (401 from the auth middleware),
 * the framework's decode error (→ 422), an unknown route (→ 404 JSON), anything else (→ 500 JSON, logged).
 */
const contractErrors = (app: HttpApp.Default): HttpApp.Default =>
  Effect.catchAllCause(app, (cause) =>
    Effect.gen(function*() {
      if (Cause.isInterruptedOnly(cause)) return yield* Effect.failCause(cause as Cause.Cause<never>)
      const request = yield* HttpServerRequest.HttpServerRequest
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure)) {
        const error = failure.value
        if (isRegistryError(error)) return ErrorResponse.fromError(error)
        if (isDecodeError(error)) return ErrorResponse.fromError(ErrorResponse.fromDecodeError(error, request.method === "GET" ? "query" : "body"))
        if (Predicate.isTagged(error, "RouteNotFound")) {
          return ErrorResponse.routeNotFound(request.method, pathOf(request.originalUrl))
        }
      }
      yield* Effect.logError("unexpected failure while serving a request", cause)
      const info = yield* Effect.serviceOption(RequestLog.RequestInfo)
      return ErrorResponse.internalError(Option.getOrUndefined(Option.map(info, (i) => i.requestId)))
    }))

const SVC = RegistryApi.SVC_PREFIX

/**
 * `/api/svc/v1/…` is served as `/api/ml/v1/…`. Applied around the router only: the platform answers through the
 * request object it handed in, which must stay the original.
 */
const rewritePrefix = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.updateService(app, HttpServerRequest.HttpServerRequest, (request) =>
    request.url === SVC || request.url.startsWith(`${SVC}/`) || request.url.startsWith(`${SVC}?`)
      ? request.modify({ url: RegistryApi.DEFAULT_PREFIX + request.url.slice(SVC.length) })
      : request)

/**
 * The serve-level middleware: request id and log line ({@link RequestLog.middleware}).
 * @since 0.1.0
 * @category middleware
 */
export const middleware = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> => RequestLog.middleware(app)

/**
 * The OpenAPI document of the API served (`/openapi.json`).
 * @since 0.1.0
 * @category constructors
 */
export const openApi = () => OpenApi.fromApi(Api)

const extraRoutes = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const backend = yield* Backend
    const spec = openApi()
    yield* router.get("/healthz", Effect.sync(() => ErrorResponse.json(200, { status: "ok" })))
    yield* router.get(
      "/readyz",
      Effect.map(backend.ready, Option.match({
        onNone: () => ErrorResponse.json(200, { status: "ok" }),
        onSome: (reason) => ErrorResponse.notReady(reason)
      }))
    )
    yield* router.get("/openapi.json", Effect.sync(() => ErrorResponse.json(200, spec)))
  })
)

/**
 * Everything the server serves (API handlers with auth, extra routes, docs, error contract), as an `HttpApi.Api`
 * layer on a `Backend` and `Tokens`. Serve it with {@link layer}, or in-process with `HttpApiBuilder.toWebHandler`
 * and {@link middleware}.
 * @since 0.1.0
 * @category layers
 */
export const layerApp = (options: Options) =>
  Layer.mergeAll(extraRoutes, HttpApiSwagger.layer({ path: "/docs" }), HttpApiBuilder.middleware((app) => contractErrors(rewritePrefix(app)))).pipe(
    Layer.provideMerge(
      HttpApiBuilder.api(Api).pipe(Layer.provide(handlers(options)), Layer.provide(Auth.layer))
    )
  )

/**
 * The server on the `HttpServer` in context (e.g. `NodeHttpServer.layer`); logs one `listening` line with the
 * bound URL once it listens.
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options) =>
  Layer.effectDiscard(
    Effect.flatMap(Effect.all([Backend, Tokens]), ([backend, tokens]) =>
      HttpServer.addressFormattedWith((url) =>
        Effect.logInfo("listening").pipe(Effect.annotateLogs({ url, backend: backend.describe, auth: tokens.mode }))
      ))
  ).pipe(
    // The line is logged once the handler is attached: a client reading it can send requests at once.
    Layer.provideMerge(HttpApiBuilder.serve(middleware)),
    Layer.provide(layerApp(options))
  )
