/**
 * The upstream backend: the proxy in front of a control plane (TrueFoundry, or another `mreg-proxy`). Requests reach
 * it only after they were authenticated and fully validated here; then:
 *
 * - forwarding: `{url}{prefix}{path}{query}` (`prefix` `/api/ml/v1`) with the validated JSON body, `Authorization:
 *   Bearer` the injected token (`--upstream-token` / `TFY_API_KEY`) or else the caller's own, `Idempotency-Key`,
 *   `If-Match`, `If-None-Match` and `X-Request-Id`;
 * - timeout: each attempt is limited to `timeoutMs` → 504 `GATEWAY_TIMEOUT`;
 * - retries: connection errors and 502/503/504 answers are retried (`retries` times, exponential backoff with jitter)
 *   only when repeating is safe: get, list, applyTags, and an upsert that carries an `Idempotency-Key`;
 * - answers: a 2xx JSON body passes through unchanged (unknown fields kept) with the upstream's `ETag`,
 *   `Idempotent-Replayed` and `Location` headers (an empty 2xx body becomes `200 {}`); a JSON 4xx error of a status the
 *   contract knows (400, 401, 403, 404, 409, 412, 413, 422, 429) passes through with its status, normalised to the
 *   contract's shape when it is not already (FastAPI's `{"detail": …}`); a 504 is 504 `GATEWAY_TIMEOUT`; anything
 *   else — unreachable, another 5xx, a body that is not JSON where JSON is due (an HTML 502 page) — is 502
 *   `BAD_GATEWAY` with `details.upstreamStatus`.
 *
 * Messages never include the upstream URL (it may hold credentials) or transport error text.
 *
 * @since 0.1.0
 */
import { HttpClient, HttpClientRequest, HttpServerResponse } from "@effect/platform"
import { RegistryApi, RegistryError } from "@mreg/core"
import { Data, Duration, Effect, Layer, Option, Redacted, Schedule } from "effect"
import { Backend, type Call, Refused, type Shown } from "./Backend.js"

/**
 * Options of the upstream backend.
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Base URL of the control plane, e.g. `https://acme.truefoundry.cloud` (the API prefix is appended). */
  readonly url: string
  /** Token sent instead of the caller's (Redacted; never logged). */
  readonly token: Option.Option<Redacted.Redacted<string>>
  /** Time limit of one attempt, in milliseconds. */
  readonly timeoutMs: number
  /** Retries after the first attempt, for requests that are safe to repeat. */
  readonly retries: number
  /** First retry delay, in milliseconds (default 100; doubles each time, with jitter). */
  readonly retryBaseDelayMs?: number | undefined
  /** API prefix at the upstream (default `/api/ml/v1`). */
  readonly prefix?: string | undefined
}

/** Default time limit of one upstream attempt: 30 s. @since 0.1.0 @category constants */
export const DEFAULT_TIMEOUT_MS = 30_000

/** Default retries of a safe upstream request: 2. @since 0.1.0 @category constants */
export const DEFAULT_RETRIES = 2

interface Outcome {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

class Transport extends Data.TaggedError("Transport")<{}> {}
class TimedOut extends Data.TaggedError("TimedOut")<{}> {}
class Busy extends Data.TaggedError("Busy")<{ readonly outcome: Outcome }> {}

const PASSED_HEADERS = ["etag", "idempotent-replayed", "location", "retry-after"] as const
const KNOWN_4XX = new Set([400, 401, 403, 404, 409, 412, 413, 422, 429])
const CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  412: "PRECONDITION_FAILED",
  413: "PAYLOAD_TOO_LARGE",
  422: "VALIDATION_ERROR",
  429: "TOO_MANY_REQUESTS"
}

const decoder = new TextDecoder()

const parseJson = (body: Uint8Array): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(decoder.decode(body)) as unknown)
  } catch {
    return Option.none()
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const badGateway = (message: string, upstreamStatus?: number) =>
  new RegistryError.UpstreamError(upstreamStatus === undefined ? { status: 502, message } : { status: 502, message, upstreamStatus })

const passedHeaders = (headers: Readonly<Record<string, string>>) => {
  const out: Record<string, string> = {}
  for (const name of PASSED_HEADERS) {
    const value = headers[name]
    if (value !== undefined) out[name] = value
  }
  return out
}

/**
 * The contract body for an upstream 4xx JSON error: unchanged when it already has `statusCode`, `code` and
 * `message`; FastAPI's `{"detail": "…"}` and `{"detail": [{loc, msg, type}]}`, or `{"message"|"error": "…"}`,
 * normalised; a body that is not JSON gets a message naming the status.
 * @since 0.1.0
 * @category conversions
 */
export const normaliseError = (status: number, json: Option.Option<unknown>): RegistryError.ErrorBody => {
  const code = CODES[status] ?? "BAD_GATEWAY"
  const fallback = `the upstream answered HTTP ${status}`
  if (Option.isNone(json) || !isRecord(json.value)) {
    return status === 422
      ? { statusCode: status, code, message: fallback, detail: [{ loc: ["body"], msg: fallback, type: "value_error" }] }
      : { statusCode: status, code, message: `${fallback} without a JSON error body` }
  }
  const body = json.value
  const detail = body.detail
  const issues = Array.isArray(detail)
    ? detail.map((item) =>
      isRecord(item) && Array.isArray(item.loc)
        ? {
          loc: item.loc.filter((part): part is string | number => typeof part === "string" || typeof part === "number"),
          msg: typeof item.msg === "string" ? item.msg : JSON.stringify(item.msg ?? null),
          type: typeof item.type === "string" ? item.type : "value_error"
        }
        : { loc: ["body"], msg: typeof item === "string" ? item : JSON.stringify(item), type: "value_error" }
    )
    : undefined
  const message = typeof body.message === "string"
    ? body.message
    : typeof detail === "string"
    ? detail
    : typeof body.error === "string"
    ? body.error
    : issues !== undefined && issues.length > 0
    ? issues.map((issue) => `${RegistryError.formatLoc(issue.loc)}: ${issue.msg}`).join("; ")
    : fallback
  const details = isRecord(body.details) ? { details: body.details } : {}
  if (status === 422) {
    return {
      statusCode: 422,
      code,
      message,
      detail: issues !== undefined && issues.length > 0 ? issues : [{ loc: ["body"], msg: message, type: "value_error" }],
      ...details
    }
  }
  return { statusCode: status, code: typeof body.code === "string" ? body.code : code, message, ...details }
}

const isContractBody = (status: number, json: Option.Option<unknown>) =>
  Option.isSome(json) && isRecord(json.value) && json.value.statusCode === status &&
  typeof json.value.code === "string" && typeof json.value.message === "string" &&
  (status !== 422 || Array.isArray(json.value.detail))

/**
 * The upstream backend on the `HttpClient` in context.
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const base = options.url.replace(/\/+$/, "") + (options.prefix ?? RegistryApi.DEFAULT_PREFIX)
    const timeout = Duration.millis(options.timeoutMs)
    const retryBase = Duration.millis(options.retryBaseDelayMs ?? 100)

    const send = (request: {
      readonly method: "GET" | "PUT" | "DELETE"
      readonly path: string
      readonly search?: string | undefined
      readonly body?: Uint8Array | undefined
      readonly headers?: Readonly<Record<string, string | undefined>> | undefined
      readonly retryable: boolean
      readonly call: Call
    }): Effect.Effect<Outcome, RegistryError.UpstreamError> => {
      const token = Option.orElse(options.token, () => request.call.bearer)
      const headers: Record<string, string> = { accept: "application/json", "x-request-id": request.call.requestId }
      if (Option.isSome(token)) headers.authorization = `Bearer ${Redacted.value(token.value)}`
      for (const [name, value] of Object.entries(request.headers ?? {})) if (value !== undefined) headers[name] = value
      let outgoing = HttpClientRequest.make(request.method)(`${base}${request.path}${request.search ?? ""}`).pipe(
        HttpClientRequest.setHeaders(headers)
      )
      if (request.body !== undefined) outgoing = HttpClientRequest.bodyUint8Array(outgoing, request.body, "application/json")
      const attempt = client.execute(outgoing).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.arrayBuffer, (buffer): Outcome => ({
            status: response.status,
            headers: response.headers,
            body: new Uint8Array(buffer)
          }))
        ),
        Effect.mapError(() => new Transport()),
        Effect.timeoutFail({ duration: timeout, onTimeout: () => new TimedOut() }),
        Effect.flatMap((outcome) =>
          outcome.status === 502 || outcome.status === 503 || outcome.status === 504
            ? Effect.fail(new Busy({ outcome }))
            : Effect.succeed(outcome)
        )
      )
      return attempt.pipe(
        Effect.retry({
          while: (error) => request.retryable && error._tag !== "TimedOut",
          times: options.retries,
          schedule: Schedule.exponential(retryBase).pipe(Schedule.jittered)
        }),
        Effect.catchTags({
          Busy: ({ outcome }) => Effect.succeed(outcome),
          Transport: () => Effect.fail(badGateway("cannot reach the upstream control plane")),
          TimedOut: () =>
            Effect.fail(
              new RegistryError.UpstreamError({ status: 504, message: `the upstream control plane did not answer within ${options.timeoutMs} ms` })
            )
        })
      )
    }

    /** The response for an upstream answer, and its JSON on success. */
    const answer = (outcome: Outcome): Effect.Effect<{ readonly response: HttpServerResponse.HttpServerResponse; readonly json: unknown }, RegistryError.UpstreamError | Refused> => {
      const { status } = outcome
      if (status >= 200 && status < 300) {
        if (outcome.body.length === 0) return Effect.succeed({ response: HttpServerResponse.unsafeJson({}), json: {} })
        const json = parseJson(outcome.body)
        if (Option.isNone(json)) return Effect.fail(badGateway(`the upstream answered HTTP ${status} with a body that is not JSON`, status))
        return Effect.succeed({
          response: HttpServerResponse.uint8Array(outcome.body, {
            status,
            contentType: "application/json",
            headers: passedHeaders(outcome.headers)
          }),
          json: json.value
        })
      }
      if (KNOWN_4XX.has(status)) {
        const json = parseJson(outcome.body)
        const headers = passedHeaders(outcome.headers)
        const response = isContractBody(status, json)
          ? HttpServerResponse.uint8Array(outcome.body, { status, contentType: "application/json", headers })
          : HttpServerResponse.unsafeJson(normaliseError(status, json), { status, headers })
        return Effect.fail(new Refused({ response }))
      }
      if (status === 504) {
        return Effect.fail(new RegistryError.UpstreamError({ status: 504, message: "the upstream control plane timed out (HTTP 504)", upstreamStatus: 504 }))
      }
      return Effect.fail(badGateway(`the upstream control plane failed (HTTP ${status})`, status))
    }

    const mlRepoIn = (value: unknown): string => {
      const manifest = isRecord(value) ? value.manifest : undefined
      return isRecord(manifest) && typeof manifest.ml_repo === "string" ? manifest.ml_repo : ""
    }

    const versionPath = (id: string) => `/model-versions/${encodeURIComponent(id)}`

    const get = (id: string, call: Call): Effect.Effect<Shown, RegistryError.UpstreamError | Refused> =>
      send({ method: "GET", path: versionPath(id), retryable: true, call }).pipe(
        Effect.flatMap(answer),
        Effect.map(({ json, response }) => ({ response, mlRepos: [mlRepoIn(isRecord(json) ? json.data : undefined)] }))
      )

    const probe = HttpClientRequest.get(`${base}/model-versions?limit=1`).pipe(
      HttpClientRequest.setHeaders({
        accept: "application/json",
        ...(Option.isSome(options.token) ? { authorization: `Bearer ${Redacted.value(options.token.value)}` } : {})
      })
    )

    return Backend.of({
      mode: "upstream",
      describe: "upstream control plane",
      upsert: (input, call) =>
        send({
          method: "PUT",
          path: "/model-versions",
          body: input.body,
          headers: {
            "idempotency-key": input.idempotencyKey,
            "if-match": input.ifMatch,
            "if-none-match": input.ifNoneMatch
          },
          retryable: input.idempotencyKey !== undefined,
          call
        }).pipe(Effect.flatMap(answer), Effect.map(({ response }) => response)),
      get,
      mlRepoOf: (id, call) => Effect.map(get(id, call), ({ mlRepos }) => mlRepos[0] ?? ""),
      list: (_query, search, call) =>
        send({ method: "GET", path: "/model-versions", search, retryable: true, call }).pipe(
          Effect.flatMap(answer),
          Effect.map(({ json, response }) => ({
            response,
            mlRepos: [...new Set((isRecord(json) && Array.isArray(json.data) ? json.data : []).map(mlRepoIn))]
          }))
        ),
      delete: (id, call) =>
        send({ method: "DELETE", path: versionPath(id), retryable: false, call }).pipe(
          Effect.flatMap(answer),
          Effect.map(({ response }) => response)
        ),
      applyTags: (input, call) =>
        send({ method: "PUT", path: "/model-versions/tags", body: input.body, retryable: true, call }).pipe(
          Effect.flatMap(answer),
          Effect.map(({ response }) => response)
        ),
      ready: client.execute(probe).pipe(
        Effect.flatMap((response) => Effect.as(response.arrayBuffer, response.status)),
        Effect.timeout(Duration.millis(Math.min(options.timeoutMs, 5_000))),
        Effect.map((status) => (status < 500 ? Option.none() : Option.some(`the upstream control plane answers HTTP ${status}`))),
        Effect.catchAll(() => Effect.succeed(Option.some("the upstream control plane is unreachable")))
      )
    })
  })

/**
 * The upstream backend layer, on an `HttpClient` layer (e.g. `FetchHttpClient.layer`).
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Backend, never, HttpClient.HttpClient> => Layer.effect(Backend, make(options))
