/**
 * The OpenTelemetry SDK of `Telemetry.layerTracing`, in its own module so that it is loaded (`import()`) only when the
 * `OTEL_*` variables ask for traces.
 * @internal
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { SpanKind } from "@opentelemetry/api"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor, type Span, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { Layer } from "effect"

/**
 * Names a server span `{method} {route}` (the HTTP semantic conventions) once the router has set `http.route`: the
 * span is started before routing, under its method alone.
 */
const serverSpanNames: SpanProcessor = {
  onStart: () => {},
  onEnding: (span: Span) => {
    const route = span.attributes["http.route"]
    const method = span.attributes["http.request.method"]
    if (span.kind === SpanKind.SERVER && typeof route === "string" && typeof method === "string") span.updateName(`${method} ${route}`)
  },
  onEnd: () => {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve()
}

/**
 * `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` when it is a positive integer, else the SDK's default 512: the SDK takes `0` as
 * given, and its flush then loops forever, filling the heap until the process dies.
 * @internal
 */
export const maxExportBatchSize = (env: Readonly<Record<string, string | undefined>>): number => {
  const size = Number(env["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"] ?? "")
  return Number.isInteger(size) && size >= 1 ? size : 512
}

/**
 * `NodeSdk.layer` with one `BatchSpanProcessor` over the OTLP/HTTP (JSON) exporter; the exporter reads
 * `OTEL_EXPORTER_OTLP_*` (endpoint, headers, timeout) and the tracer provider `OTEL_TRACES_SAMPLER(_ARG)` itself.
 * Resource attributes: `OTEL_RESOURCE_ATTRIBUTES`, then `service.name` / `service.version` given here.
 * @internal
 */
export const layer = (resource: { readonly serviceName: string; readonly serviceVersion?: string | undefined }): Layer.Layer<never> =>
  NodeSdk.layer(() => ({
    resource: resource.serviceVersion === undefined ? { serviceName: resource.serviceName } : { serviceName: resource.serviceName, serviceVersion: resource.serviceVersion },
    spanProcessor: [serverSpanNames, new BatchSpanProcessor(new OTLPTraceExporter(), { maxExportBatchSize: maxExportBatchSize(process.env) })]
  })).pipe((layer) => layer as Layer.Layer<never>)
