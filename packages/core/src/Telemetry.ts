/**
 * Traces and metrics of mreg, shared by the proxy, the CLI and the facade.
 *
 * Traces: OpenTelemetry through `@effect/opentelemetry`, configured only by the standard `OTEL_*` variables and on
 * only when an OTLP endpoint is set ({@link isTracingConfigured}): `OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, unless `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. Then
 * {@link layerTracing} loads the SDK (a dynamic `import()`: nothing of it is loaded otherwise) with a
 * `BatchSpanProcessor` and the OTLP/HTTP (JSON) exporter, which reads its own variables (`…_ENDPOINT`, `…_HEADERS`,
 * `…_TIMEOUT`); the sampler comes from `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`, the service name from
 * `OTEL_SERVICE_NAME` (else the program's name), more resource attributes from `OTEL_RESOURCE_ATTRIBUTES`. Without
 * an endpoint the layer turns Effect's tracer off: spans cost nothing.
 *
 * Metrics: Effect `Metric`s in the global registry (every Effect metric of the process is exported by the proxy's
 * `/metrics`). {@link instrument} wraps a `ModelVersions` service once: {@link upserts} by outcome and
 * {@link storeErrors} by operation. Spans of the operations (`ModelVersions.upsert`, …) come from the implementations.
 *
 * @since 0.2.0
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import { Config, Effect, FiberRef, Layer, Metric, MetricKey, type MetricKeyType, MetricLabel, Option } from "effect"
import type { YieldWrap } from "effect/Utils"
import { Table } from "./internal/registryErrors.js"
import * as ModelVersions from "./ModelVersions.js"
import type { RegistryError } from "./RegistryError.js"

const ModelVersionsTag = ModelVersions.ModelVersions
type ModelVersionsTag = ModelVersions.ModelVersions

/**
 * `Effect.fn(name)(body)` whose span exists only when Effect's tracer is on (the proxy, the CLI and the facade turn it
 * off unless traces are configured: {@link isTracingConfigured}). `Effect.fn` captures its call site's stack and makes
 * a span on every call, about 15 µs of CPU even with the tracer off (a no-op span); with it off this runs `body` as
 * `Effect.fnUntraced` does. The `ModelVersions` operations of the embedded registry and of the HTTP client use it.
 *
 * ```ts
 * const get = Telemetry.traced("ModelVersions.get", function*(id: ModelVersionId) { … })
 * ```
 * @since 0.2.0
 * @category traces
 */
export const traced = <Eff extends YieldWrap<Effect.Effect<any, any, any>>, AEff, Args extends Array<any>>(
  name: string,
  body: (...args: Args) => Generator<Eff, AEff, never>
) => {
  const untraced = Effect.fnUntraced(body)
  const spanned = Effect.fn(name)(body)
  return (...args: Args): ReturnType<typeof untraced> =>
    Effect.withFiberRuntime((fiber) => fiber.getFiberRef(FiberRef.currentTracerEnabled) ? spanned(...args) : untraced(...args)) as ReturnType<
      typeof untraced
    >
}

/**
 * Whether the `OTEL_*` variables of `env` (default `process.env`) ask for traces: an OTLP endpoint is set
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), `OTEL_SDK_DISABLED` is not `true` and
 * `OTEL_TRACES_EXPORTER` is not `none` (OpenTelemetry's SDK configuration specification; case-insensitive). Empty
 * or blank values count as unset.
 * @since 0.2.0
 * @category config
 */
export const isTracingConfigured = (env: Readonly<Record<string, string | undefined>> = process.env): boolean => {
  const value = (name: string) => (env[name] ?? "").trim().toLowerCase()
  return (value("OTEL_EXPORTER_OTLP_ENDPOINT") !== "" || value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") !== "") &&
    value("OTEL_SDK_DISABLED") !== "true" && value("OTEL_TRACES_EXPORTER") !== "none"
}

const OTEL_SWITCHES = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER"] as const

/**
 * {@link isTracingConfigured} read through Effect's `Config` (the `ConfigProvider` in context).
 * @since 0.2.0
 * @category config
 */
export const tracingConfigured: Config.Config<boolean> = Config.all(
  Object.fromEntries(OTEL_SWITCHES.map((name) => [name, Config.string(name).pipe(Config.withDefault(""))]))
).pipe(Config.map(isTracingConfigured))

/** What names the program in its spans' resource. @since 0.2.0 @category models */
export interface ServiceInfo {
  /** `service.name` unless `OTEL_SERVICE_NAME` is set (`mreg-proxy`, `mreg`, `@mreg/client`). */
  readonly serviceName: string
  /** `service.version`. */
  readonly serviceVersion?: string | undefined
}

/**
 * Traces as the `OTEL_*` variables say ({@link tracingConfigured}): the OpenTelemetry SDK, loaded on demand, with a
 * `BatchSpanProcessor` over the OTLP/HTTP exporter (flushed when the layer's scope closes); otherwise Effect's tracer
 * turned off, so `Effect.withSpan` and the platform's HTTP spans do no work.
 * @since 0.2.0
 * @category layers
 */
export const layerTracing = (service: ServiceInfo): Layer.Layer<never> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    if (!(yield* Effect.orDie(tracingConfigured))) return Layer.setTracerEnabled(false)
    const serviceName = Option.getOrElse(yield* Effect.orDie(Config.option(Config.nonEmptyString("OTEL_SERVICE_NAME"))), () => service.serviceName)
    const sdk = yield* Effect.promise(() => import("./internal/otel.js"))
    return sdk.layer({ serviceName, serviceVersion: service.serviceVersion })
  }))

/**
 * Runs an effect as a child of the span a W3C `traceparent` value names (the CLI's `TRACEPARENT`, the facade's
 * `traceparent` option); unchanged when the value is absent or not a valid `traceparent`.
 * @since 0.2.0
 * @category tracing
 */
export const withTraceparent = (traceparent: string | undefined) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  if (traceparent === undefined) return self
  const parent = HttpTraceContext.w3c(Headers.fromInput({ traceparent }))
  return Option.isSome(parent) ? Effect.withParentSpan(self, parent.value) : self
}

const upsertsKey = MetricKey.counter("mreg_upserts_total", { description: "Model-version upserts by outcome", incremental: true })

/**
 * `mreg_upserts_total{outcome}`: upserts by outcome — `created`, `updated`, `replayed` (an `Idempotency-Key`
 * replay), `conflict` (409 or 412), `invalid` (422, counted by the server that answers it; see the proxy's metrics).
 * @since 0.2.0
 * @category metrics
 */
export const upserts: Metric.Metric.Counter<number> = Metric.fromMetricKey(upsertsKey)

/**
 * One labelled series of a metric, as a metric of its own: the labels are put in its key once, in the order given.
 * Update it on a hot path instead of `Metric.tagged(metric, …)`, which builds a new label array on every update, so
 * Effect's registry hashed the labelled key (a histogram's boundaries included) to find the series again each time;
 * this metric keeps its registry entry after its first update. Make each series once (e.g. per label set, in a map).
 *
 * ```ts
 * const key = MetricKey.counter("mreg_upserts_total", { incremental: true })
 * const created = Telemetry.series(key, { outcome: "created" })
 * created.unsafeUpdate(1, [])
 * ```
 * @since 0.2.0
 * @category metrics
 */
export const series = <Type extends MetricKeyType.MetricKeyType<any, any>>(
  key: MetricKey.MetricKey<Type>,
  labels: Readonly<Record<string, string>>
): Metric.Metric<Type, MetricKeyType.MetricKeyType.InType<Type>, MetricKeyType.MetricKeyType.OutType<Type>> =>
  Metric.fromMetricKey(MetricKey.taggedWithLabels(key, Object.entries(labels).map(([name, value]) => MetricLabel.make(name, value))))

/**
 * The counter of {@link upserts} for one outcome.
 * @since 0.2.0
 * @category metrics
 */
export const upsertOutcome = (outcome: "created" | "updated" | "replayed" | "conflict" | "invalid"): Metric.Metric.Counter<number> =>
  series(upsertsKey, { outcome })

const storeErrorsKey = MetricKey.counter("mreg_store_errors_total", {
  description: "Registry operations that failed in the store or upstream",
  incremental: true
})

/**
 * `mreg_store_errors_total{operation}`: `ModelVersions` operations that failed on the store's or the upstream's side
 * (500, 502, 503, 504: `StoreError`, `StoreUnavailable`, `UpstreamError`).
 * @since 0.2.0
 * @category metrics
 */
export const storeErrors: Metric.Metric.Counter<number> = Metric.fromMetricKey(storeErrorsKey)

const outcomes = {
  created: upsertOutcome("created"),
  updated: upsertOutcome("updated"),
  replayed: upsertOutcome("replayed"),
  conflict: upsertOutcome("conflict")
}

const isStoreSide = (error: RegistryError) => error._tag === "StoreError" || error._tag === "StoreUnavailable" || error._tag === "UpstreamError"

const conflictStatuses: ReadonlySet<number> = new Set([Table.Conflict.status, Table.PreconditionFailed.status])

/** The operation's store-side failures counted in {@link storeErrors}. */
const counted = (name: string) => {
  const errors = series(storeErrorsKey, { operation: name })
  return <A, R>(self: Effect.Effect<A, RegistryError, R>): Effect.Effect<A, RegistryError, R> =>
    Effect.tapError(self, (error) => (isStoreSide(error) ? Metric.increment(errors) : Effect.void))
}

const statusOf = (error: RegistryError): number => Table[error._tag].status

/**
 * A `ModelVersions` service whose operations are counted ({@link upserts}, {@link storeErrors}); results and errors
 * unchanged. (Each implementation already traces its operations as `ModelVersions.{operation}` spans.)
 * @since 0.2.0
 * @category instrumentation
 */
export const instrument = (service: ModelVersions.Service): ModelVersions.Service => {
  const upsertErrors = series(storeErrorsKey, { operation: "upsert" })
  const get = counted("get")
  const list = counted("list")
  const del = counted("delete")
  const applyTags = counted("applyTags")
  const listModels = counted("listModels")
  const getModel = counted("getModel")
  const deleteModel = counted("deleteModel")
  const history = counted("history")
  return {
    ...service,
    // One tap counts both the outcome and a store-side failure (`upsertErrors`).
    upsert: (manifest, options) =>
      Effect.tapBoth(service.upsert(manifest, options), {
        onFailure: (error) =>
          Effect.sync(() => {
            if (conflictStatuses.has(statusOf(error))) outcomes.conflict.unsafeUpdate(1, [])
            else if (isStoreSide(error)) upsertErrors.unsafeUpdate(1, [])
          }),
        onSuccess: (result) =>
          Effect.sync(() => (result.replayed ? outcomes.replayed : result.created ? outcomes.created : outcomes.updated).unsafeUpdate(1, []))
      }),
    get: (id) => get(service.get(id)),
    list: (query) => list(service.list(query)),
    delete: (id) => del(service.delete(id)),
    applyTags: (request) => applyTags(service.applyTags(request)),
    listModels: (query) => listModels(service.listModels(query)),
    getModel: (id) => getModel(service.getModel(id)),
    deleteModel: (id) => deleteModel(service.deleteModel(id)),
    history: (id, query) => history(service.history(id, query))
  }
}

/**
 * A `ModelVersions` layer whose service is {@link instrument}ed.
 * @since 0.2.0
 * @category instrumentation
 */
export const instrumented = <E, R>(layer: Layer.Layer<ModelVersionsTag, E, R>): Layer.Layer<ModelVersionsTag, E, R> =>
  Layer.effect(ModelVersionsTag, Effect.map(ModelVersionsTag, instrument)).pipe(Layer.provide(layer))
