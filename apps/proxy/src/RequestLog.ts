/**
 * One JSON log line per request, and the request id.
 *
 * Each request gets an id: its `X-Request-Id` header when that is 1–128 characters of `[A-Za-z0-9._:-]`, otherwise a
 * new UUID; the response echoes it in `X-Request-Id`. When the response is ready, one line is logged at level info:
 *
 * ```json
 * {"time":"2024-06-01T12:00:00.000Z","level":"info","msg":"request","method":"PUT","path":"/api/ml/v1/model-versions",
 *  "status":200,"duration_ms":4.2,"subject":"u-alice","request_id":"6f1c…"}
 * ```
 *
 * `path` has no query string; no header (and so no token) is ever logged. `subject` is the caller's `subjectId` once
 * authenticated, else `null`. {@link layerJson} makes every log of the process such a line.
 *
 * @since 0.1.0
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Cause, Context, Effect, HashMap, Layer, List, Logger, type LogLevel, Tracer } from "effect"
import { randomUUID } from "node:crypto"
import * as Route from "./internal/route.js"

/**
 * What is known about the request being served; the auth middleware fills in `subjectId`.
 * @since 0.1.0
 * @category models
 */
export interface Info {
  readonly requestId: string
  subjectId: string | undefined
}

/**
 * The current request's {@link Info} (provided per request by {@link middleware}).
 * @since 0.1.0
 * @category tags
 */
export class RequestInfo extends Context.Tag("proxy/RequestInfo")<RequestInfo, Info>() {}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The id of a request: its `X-Request-Id` header when that is 1–128 characters of `[A-Za-z0-9._:-]`, else a new UUID.
 * @since 0.1.0
 * @category request id
 */
export const requestIdOf = (given: string | undefined): string =>
  given !== undefined && REQUEST_ID.test(given) ? given : randomUUID()

/**
 * A request URL's path, without the query string (what the log line shows).
 * @since 0.1.0
 * @category logging
 */
export const pathOf = (url: string): string => {
  const q = url.indexOf("?")
  return q === -1 ? url : url.slice(0, q)
}

/**
 * What {@link middlewareObserving} calls once per request when the response is ready: the request, the response
 * about to be sent, the route template the router matched (`"/api/ml/v1/model-versions/:id"`; `undefined` when no
 * route matched) and the seconds since the request started.
 * @since 0.2.0
 * @category models
 */
export type Observer = Route.Observer

/**
 * The serve-level middleware: request id, `X-Request-Id` response header, one log line per request.
 * @since 0.1.0
 * @category middleware
 */
export const middleware = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> => serve(app, undefined)

/**
 * {@link middleware}, and `observe` called for each request when its response is ready (the proxy's request metrics):
 * one pass per request for both, with one context change and one pre-response handler. The route reaches `observe`
 * from the span the router sets `http.route` on: the current parent span when there is one (tracing's server span,
 * so this middleware goes inside `Tracing.middleware`), else a probe span provided to the app beside `RequestInfo`.
 * @since 0.2.0
 * @category middleware
 */
export const middlewareObserving = (observe: Observer) => <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  serve(app, observe)

const serve = <E, R>(app: HttpApp.Default<E, R>, observe: Observer | undefined): HttpApp.Default<E, R> =>
  // Synchronous set-up (no generator): a serve-level middleware runs once per request.
  Effect.withFiberRuntime((fiber) => {
    const context = fiber.currentContext
    const request = Context.unsafeGet(context, HttpServerRequest.HttpServerRequest)
    const started = performance.now()
    const info: Info = { requestId: requestIdOf(request.headers["x-request-id"]), subjectId: undefined }
    const method = request.method
    const path = pathOf(request.url)
    const span = observe === undefined ? undefined : Route.routeSpan(context)
    const logged = HttpApp.appendPreResponseHandler((_request, response) => {
      const elapsed = performance.now() - started
      if (span !== undefined) observe!(request, response, Route.routeAt(span), elapsed / 1000)
      return Effect.as(
        logRequest({
          method,
          path,
          status: response.status,
          duration_ms: Math.round(elapsed * 10) / 10,
          subject: info.subjectId ?? null,
          request_id: info.requestId
        }),
        HttpServerResponse.setHeader(response, "x-request-id", info.requestId)
      )
    })
    // One context change: `RequestInfo`, and the probe as parent span when there is no span for the router to annotate.
    const probe = span !== undefined && Route.isProbe(span) ? span : undefined
    const provided = Effect.mapInputContext(app, (current: Context.Context<never>) => {
      const withInfo = Context.add(current, RequestInfo, info)
      return (probe === undefined ? withInfo : Context.add(withInfo, Tracer.ParentSpan, probe)) as Context.Context<R | HttpServerRequest.HttpServerRequest>
    })
    return Effect.zipRight(logged, provided)
  })

/**
 * The fields of one `request` line, logged as the log's message: the format puts them beside the annotations. One
 * `Effect.annotateLogs` per request copied the fiber's refs twice and hashed six annotations into its map.
 */
class RequestLine {
  constructor(readonly fields: Readonly<Record<string, unknown>>) {}
}

/**
 * Logs one `request` line (level info) with `fields` (`method`, `path`, `status`, `duration_ms`, `subject`,
 * `request_id`, …) as top-level fields, in the order of {@link middleware}'s line, through Effect's logger.
 * @since 0.2.0
 * @category logging
 */
export const logRequest = (fields: Readonly<Record<string, unknown>>): Effect.Effect<void> => Effect.logInfo(new RequestLine(fields))

const ORDER = ["method", "path", "status", "duration_ms", "subject", "request_id", "url", "backend", "auth"]
const rank = (key: string) => {
  const i = ORDER.indexOf(key)
  return i === -1 ? ORDER.length : i
}

const levelName = (level: LogLevel.LogLevel) => level.label.toLowerCase()

/**
 * A log entry as one JSON line: `time`, `level`, `msg`, then the annotations as top-level fields, and `error` (the
 * failure's message only, no stack) when a cause is logged.
 */
const format = (options: Logger.Logger.Options<unknown>): string => {
  const messages: ReadonlyArray<unknown> = Array.isArray(options.message) ? options.message : [options.message]
  const line = messages.length === 1 && messages[0] instanceof RequestLine ? messages[0] : undefined
  const entry: Record<string, unknown> = {
    time: options.date.toISOString(),
    level: levelName(options.logLevel),
    msg: line !== undefined ? "request" : messages.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ")
  }
  const annotations: Array<readonly [string, unknown]> = HashMap.toEntries(options.annotations)
  // A request line's fields come after the annotations: on the same key, the field's value is the one written.
  if (line !== undefined) for (const key in line.fields) annotations.push([key, line.fields[key]])
  annotations.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
  for (const [key, value] of annotations) entry[key] = value
  if (!List.isNil(options.spans)) entry.spans = List.toArray(options.spans).map((span) => span.label)
  if (!Cause.isEmpty(options.cause)) {
    const squashed = Cause.squash(options.cause)
    entry.error = squashed instanceof Error ? `${squashed.name}: ${squashed.message}` : String(squashed)
  }
  return JSON.stringify(entry)
}

/**
 * Replaces the default logger with one that hands each JSON line to `write` (tests).
 * @since 0.1.0
 * @category layers
 */
export const layerTo = (write: (line: string) => void): Layer.Layer<never> =>
  Logger.replace(Logger.defaultLogger, Logger.make((options) => write(format(options))))

/**
 * Replaces the default logger with JSON lines on stdout.
 * @since 0.1.0
 * @category layers
 */
export const layerJson: Layer.Layer<never> = layerTo((line) => process.stdout.write(`${line}\n`))
