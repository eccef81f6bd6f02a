/**
 * `ModelVersions` over HTTP: a client of the model-version API derived from the `RegistryApi` contract with
 * `HttpApiClient`, for a TrueFoundry control plane or an `mreg-proxy`.
 *
 * - Auth: `Authorization: Bearer <apiKey>` (the key is `Redacted` and never logged).
 * - Timeouts: each attempt is limited to `timeout` (default 30 s); a timeout is `UpstreamError` 504.
 * - Retries: exponential backoff with jitter (`retries`, default 4; first delay `retryBaseDelay`, default 200 ms), only
 *   for connection errors, timeouts, 429, 502, 503 and 504 — never for a 4xx such as 413 or 422.
 * - Every upsert carries an `Idempotency-Key`, generated once per logical call when the caller gives none, so a
 *   retry after a lost response never creates a second version.
 * - Error bodies that are not JSON (an HTML 502 from a load balancer) become typed errors carrying the status.
 * - A server that implements only TrueFoundry's documented shapes (no `ETag`, no `Idempotent-Replayed`) works:
 *   `etag` is then `undefined` and `replayed` `false`.
 *
 * @since 0.1.0
 */
import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Config, Duration, Effect, FiberRef, Layer, Option, Redacted, Schedule } from "effect"
import type { ModelManifest } from "../ModelManifest.js"
import type { ModelVersionId } from "../ModelVersion.js"
import * as ModelVersions from "../ModelVersions.js"
import * as RegistryApi from "../RegistryApi.js"
import * as RegistryError from "../RegistryError.js"

/**
 * Options of the HTTP client.
 * - `baseUrl`: the control plane, e.g. `https://acme.truefoundry.cloud` or `http://127.0.0.1:8080` (the API prefix
 *   is appended);
 * - `apiKey`: bearer token; `prefix`: API prefix (default `/api/ml/v1`);
 * - `timeout` per attempt (default 30 s); `retries` (default 4); `retryBaseDelay` (default 200 ms).
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly baseUrl: string
  readonly apiKey?: Redacted.Redacted<string> | undefined
  readonly prefix?: string | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly retries?: number | undefined
  readonly retryBaseDelay?: Duration.DurationInput | undefined
}

interface Capture {
  status?: number
  headers?: Readonly<Record<string, string>>
}

/** Where the response of the current call is noted (one box per call, fiber-local). */
const currentCapture = FiberRef.unsafeMake<Capture | undefined>(undefined)

const isRegistryError = (error: unknown): error is RegistryError.RegistryError =>
  typeof error === "object" && error !== null && "_tag" in error &&
  ["ValidationError", "InvalidJson", "Unauthorized", "Forbidden", "NotFound", "Conflict", "PreconditionFailed",
    "PayloadTooLarge", "UpstreamError", "StoreError"].includes(String(error._tag))

const newKey = () => globalThis.crypto.randomUUID()

/**
 * Builds the HTTP `ModelVersions` on the `HttpClient` in context.
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
    const client = yield* HttpApiClient.make(RegistryApi.make(options.prefix ?? RegistryApi.DEFAULT_PREFIX), {
      baseUrl,
      transformClient: (http) =>
        http.pipe(
          HttpClient.mapRequest((request) =>
            options.apiKey === undefined ? request : HttpClientRequest.bearerToken(request, Redacted.value(options.apiKey))
          ),
          HttpClient.tap((response) =>
            Effect.flatMap(FiberRef.get(currentCapture), (box) =>
              Effect.sync(() => {
                if (box !== undefined) {
                  box.status = response.status
                  box.headers = response.headers
                }
              }))
          )
        )
    })

    /** Maps anything that is not already a registry error (transport, timeout, undecodable body) to one. */
    const normalize = (error: unknown, box: Capture): RegistryError.RegistryError => {
      if (isRegistryError(error)) return error
      if (box.status !== undefined && box.status >= 400) {
        const base = RegistryError.fromBody(box.status, undefined)
        return base._tag === "UpstreamError"
          ? new RegistryError.UpstreamError({
            status: base.status,
            upstreamStatus: box.status,
            message: `${host} answered HTTP ${box.status} without a JSON error body`
          })
          : base
      }
      return new RegistryError.UpstreamError({ status: 502, message: `cannot reach ${host}` })
    }

    /** One attempt: fresh capture box, per-attempt timeout, every failure a registry error. */
    const attempt = <A, E, R>(call: Effect.Effect<A, E, R>) =>
      Effect.suspend(() => {
        const box: Capture = {}
        return call.pipe(
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () =>
              new RegistryError.UpstreamError({ status: 504, message: `${host} did not answer within ${Duration.format(timeout)}` })
          }),
          Effect.map((value) => [value, box] as const),
          Effect.mapError((error) => normalize(error, box)),
          Effect.catchAllDefect((defect) => Effect.fail(normalize(defect, box))),
          Effect.locally(currentCapture, box)
        )
      })

    const retrying = <A>(effect: Effect.Effect<A, RegistryError.RegistryError>) =>
      effect.pipe(
        Effect.retry({
          while: (error) => error._tag === "UpstreamError",
          times: options.retries ?? 4,
          schedule: Schedule.exponential(options.retryBaseDelay ?? "200 millis").pipe(Schedule.jittered)
        })
      )

    const header = (box: Capture, name: string) => box.headers?.[name]

    const upsert = Effect.fn("ModelVersions.upsert")(function*(
      manifest: ModelManifest,
      upsertOptions: ModelVersions.UpsertOptions = {}
    ) {
      const headers = {
        "idempotency-key": upsertOptions.idempotencyKey ?? newKey(),
        ...(upsertOptions.ifMatch === undefined ? {} : { "if-match": upsertOptions.ifMatch }),
        ...(upsertOptions.ifNoneMatch === undefined ? {} : { "if-none-match": upsertOptions.ifNoneMatch })
      }
      const [response, box] = yield* retrying(attempt(client.modelVersions.upsert({ payload: { manifest }, headers })))
      const modelVersion = response.data
      return {
        modelVersion,
        etag: header(box, "etag"),
        created: modelVersion.created_at === modelVersion.updated_at,
        replayed: header(box, "idempotent-replayed") === "true"
      } satisfies ModelVersions.UpsertResult
    })

    const get = Effect.fn("ModelVersions.get")(function*(id: ModelVersionId) {
      const [response, box] = yield* retrying(attempt(client.modelVersions.get({ path: { id } })))
      return { modelVersion: response.data, etag: header(box, "etag") } satisfies ModelVersions.Versioned
    })

    const list = Effect.fn("ModelVersions.list")(function*(query: ModelVersions.ListQuery) {
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
          offset: text(query.offset)
        }).filter((entry): entry is [string, string] => entry[1] !== undefined)
      )
      const [page] = yield* retrying(attempt(client.modelVersions.list({ urlParams })))
      return page
    })

    const delete_ = Effect.fn("ModelVersions.delete")(function*(id: ModelVersionId) {
      yield* retrying(attempt(client.modelVersions.delete({ path: { id } })))
    })

    const applyTags = Effect.fn("ModelVersions.applyTags")(function*(request: ModelVersions.ApplyTagsRequest) {
      yield* retrying(attempt(client.modelVersions.applyTags({ payload: request })))
    })

    return ModelVersions.ModelVersions.of({ upsert, get, list, delete: delete_, applyTags })
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
 * The control plane from the environment: `TFY_HOST` (required) and `TFY_API_KEY` (optional, Redacted).
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Options> = Config.all({
  baseUrl: Config.string("TFY_HOST").pipe(
    Config.validate({ message: "TFY_HOST must be an http(s) URL", validation: (url) => /^https?:\/\/[^\s]+$/.test(url) })
  ),
  apiKey: Config.option(Config.redacted("TFY_API_KEY")).pipe(Config.map(Option.getOrUndefined))
})

/**
 * `layerFetch` configured from `TFY_HOST` and `TFY_API_KEY`.
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<ModelVersions.ModelVersions, never> = Layer.unwrapEffect(
  Effect.map(Effect.orDie(config), layerFetch)
)

