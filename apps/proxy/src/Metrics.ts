/**
 * `GET /metrics` in the Prometheus text format (0.0.4): every Effect `Metric` of the process but Effect's own runtime
 * series (`effect_fiber_*`), read through `@effect/opentelemetry`'s metric producer by
 * `@opentelemetry/exporter-prometheus` (a pull `MetricReader`, its own server not started) and serialized by that
 * exporter's `PrometheusSerializer` (README, "Operate"), without `# UNIT` lines (OpenMetrics only).
 *
 * Names follow Prometheus' conventions (base units in the name, `_total` on counters):
 *
 * | metric | type | labels |
 * | --- | --- | --- |
 * | `mreg_http_requests_total` | counter | `route` (the route template, `unmatched` when none), `method`, `status` |
 * | `mreg_http_request_duration_seconds` | histogram | `route`, `method`, `status` |
 * | `mreg_http_open_connections` | gauge | |
 * | `mreg_upserts_total` | counter | `outcome`: `created`, `updated`, `replayed`, `conflict`, `invalid` |
 * | `mreg_store_errors_total` | counter | `operation` |
 * | `process_cpu_seconds_total`, `process_resident_memory_bytes`, `nodejs_heap_used_bytes`, `nodejs_eventloop_lag_seconds`, `nodejs_eventloop_lag_max_seconds` | | |
 *
 * @since 0.2.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Metrics from "@effect/opentelemetry/Metrics"
import * as Resource from "@effect/opentelemetry/Resource"
import { RegistryApi, RegistryError, Telemetry } from "@mreg/core"
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus"
import { Effect, Layer, Metric, MetricBoundaries, MetricKey, Option, type Redacted } from "effect"
import type * as Http from "node:http"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { bearerToken } from "./Auth.js"
import * as ErrorResponse from "./ErrorResponse.js"
import type * as RequestLog from "./RequestLog.js"
import * as Tokens from "./Tokens.js"

/** The path of the metrics endpoint. @since 0.2.0 @category constants */
export const PATH = "/metrics"

/** Options of {@link layer}. @since 0.2.0 @category models */
export interface Options {
  /** Bearer token `/metrics` asks for (`--metrics-token`); without one the endpoint is open. */
  readonly token: Option.Option<Redacted.Redacted<string>>
}

const requestsKey = MetricKey.counter("mreg_http_requests_total", { description: "HTTP requests by route template, method and status", incremental: true })

/** OpenTelemetry's advised boundaries for `http.server.request.duration`, in seconds. */
const DURATION_BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

const durationKey = MetricKey.histogram(
  "mreg_http_request_duration_seconds",
  MetricBoundaries.fromIterable(DURATION_BOUNDARIES),
  "HTTP request duration in seconds, by route template, method and status"
)

/** `mreg_http_open_connections`: TCP connections open to the server. @since 0.2.0 @category metrics */
export const openConnections = Metric.gauge("mreg_http_open_connections", { description: "Open HTTP connections" })

const cpuSeconds = Metric.counter("process_cpu_seconds_total", { description: "CPU time of the process (user and system), in seconds", incremental: true })
const rssBytes = Metric.gauge("process_resident_memory_bytes", { description: "Resident set size of the process, in bytes" })
const heapBytes = Metric.gauge("nodejs_heap_used_bytes", { description: "V8 heap in use, in bytes" })
const lagSeconds = Metric.gauge("nodejs_eventloop_lag_seconds", { description: "Mean event-loop delay since the last scrape, in seconds" })
const lagMaxSeconds = Metric.gauge("nodejs_eventloop_lag_max_seconds", { description: "Largest event-loop delay since the last scrape, in seconds" })

/** Counts the connections of a Node HTTP server into {@link openConnections}. @since 0.2.0 @category metrics */
export const countConnections = (server: Http.Server): void => {
  let open = 0
  server.on("connection", (socket) => {
    openConnections.unsafeUpdate(++open, [])
    socket.once("close", () => openConnections.unsafeUpdate(--open, []))
  })
}

interface Series {
  readonly requests: Metric.Metric.Counter<number>
  readonly duration: Metric.Metric.Histogram<number>
}

const series = new Map<string, Series>()

/** The metrics of one route, method and status, made once (`Telemetry.series`: their keys carry the labels). */
const seriesOf = (route: string, method: string, status: number): Series => {
  const key = `${method} ${status} ${route}`
  let found = series.get(key)
  if (found === undefined) {
    const labels = { route, method, status: String(status) }
    found = { requests: Telemetry.series(requestsKey, labels), duration: Telemetry.series(durationKey, labels) }
    series.set(key, found)
  }
  return found
}

const UPSERT_ROUTE = `${RegistryApi.DEFAULT_PREFIX}/model-versions`
const invalidUpsert = Telemetry.upsertOutcome("invalid")

/**
 * Counts one served request: `mreg_http_requests_total` and `mreg_http_request_duration_seconds` (seconds) under
 * `{route, method, status}`, `route` being the template the router matched (`"unmatched"` when none did), and the
 * upserts the server answers 400 or 422 (`mreg_upserts_total{outcome="invalid"}`). The proxy passes it to
 * `Server.layer` (`extra.observe`), which calls it from the request log's middleware (`RequestLog.middlewareObserving`).
 * @since 0.2.0
 * @category metrics
 */
export const observe: RequestLog.Observer = (request, response, route, seconds) => {
  const { duration, requests } = seriesOf(route ?? "unmatched", request.method, response.status)
  requests.unsafeUpdate(1, [])
  duration.unsafeUpdate(seconds, [])
  if (route === UPSERT_ROUTE && request.method === "PUT" && (response.status === 400 || response.status === 422)) {
    invalidUpsert.unsafeUpdate(1, [])
  }
}

/** Samples the process metrics (CPU, memory, event-loop delay since the last scrape) into their gauges. */
const sampleProcess = (lag: ReturnType<typeof monitorEventLoopDelay>) => {
  let lastCpu = 0
  return Effect.sync(() => {
    const cpu = process.cpuUsage()
    const total = (cpu.user + cpu.system) / 1e6
    cpuSeconds.unsafeUpdate(total - lastCpu, [])
    lastCpu = total
    const memory = process.memoryUsage()
    rssBytes.unsafeUpdate(memory.rss, [])
    heapBytes.unsafeUpdate(memory.heapUsed, [])
    lagSeconds.unsafeUpdate(Number.isNaN(lag.mean) ? 0 : lag.mean / 1e9, [])
    lagMaxSeconds.unsafeUpdate(lag.max / 1e9, [])
    lag.reset()
  })
}

/** Effect's own runtime series (fibers started, active, their lifetimes): no description, and not asked for. */
const RUNTIME_SERIES = "effect_fiber_"

type Collected = Parameters<PrometheusSerializer["serialize"]>[0]

/**
 * The collected metrics as the 0.0.4 text format has them: no unit (`@effect/opentelemetry` gives every metric one,
 * which the serializer writes as a `# UNIT` line, an OpenMetrics line that format does not have; the names carry
 * their units), and without Effect's runtime series.
 */
const forTextFormat = (collected: Collected): Collected => ({
  ...collected,
  scopeMetrics: collected.scopeMetrics.map((scope) => ({
    ...scope,
    metrics: scope.metrics.flatMap((metric) =>
      metric.descriptor.name.startsWith(RUNTIME_SERIES) ? [] : [{ ...metric, descriptor: { ...metric.descriptor, unit: "" } }]
    )
  }))
})

const unauthorized = () => {
  const error = new RegistryError.Unauthorized({ message: "the metrics endpoint needs the bearer token given by --metrics-token (MREG_METRICS_TOKEN)" })
  return ErrorResponse.json(401, RegistryError.toBody(error), { "www-authenticate": "Bearer" })
}

/**
 * The `GET /metrics` route on the server's router, and the exporter behind it: `PrometheusExporter` (server not
 * started) reading every Effect metric through `@effect/opentelemetry`'s producer, with the process metrics sampled
 * at each scrape. With `token`, a request without `Authorization: Bearer <token>` is 401 `UNAUTHORIZED`.
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options) =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true })
    const serializer = new PrometheusSerializer("", false, undefined, true, true)
    const lag = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const histogram = monitorEventLoopDelay({ resolution: 20 })
        histogram.enable()
        return histogram
      }),
      (histogram) => Effect.sync(() => histogram.disable())
    )
    const sample = sampleProcess(lag)
    const expected = Option.map(options.token, Tokens.isToken)
    const scrape = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (Option.isSome(expected) && !expected.value(bearerToken(request.headers.authorization))) return unauthorized()
      yield* sample
      const { resourceMetrics } = yield* Effect.promise(() => exporter.collect())
      return HttpServerResponse.text(serializer.serialize(forTextFormat(resourceMetrics)), { contentType: "text/plain; version=0.0.4; charset=utf-8" })
    })
    return Layer.mergeAll(
      HttpApiBuilder.Router.use((router) => router.get(PATH, scrape)),
      Metrics.layer(() => exporter).pipe(Layer.provide(Resource.layerEmpty))
    )
  }))
