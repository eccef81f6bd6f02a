/**
 * What the proxy adds to be observed, from its configuration and whether the `OTEL_*` variables turn traces on:
 * `/metrics` and its middleware (unless `--no-metrics`), the server span middleware (traces on), the connection
 * count and the counted `ModelVersions` (metrics on). With both off, nothing is added to the request path.
 * @internal
 */
import { type HttpApp } from "@effect/platform"
import { type ModelVersions, Telemetry } from "@mreg/core"
import { identity, Layer, Option } from "effect"
import * as Metrics from "../Metrics.js"
import type { ProxyConfig } from "../ProxyConfig.js"
import type * as Server from "../Server.js"
import * as Tracing from "../Tracing.js"

/** The additions; `extra` and `onServer` are `undefined` when there is nothing to add. @internal */
export interface Observe {
  /** Whether requests are traced (`NodeServer`'s switch); the server span is then `Tracing.middleware`'s. */
  readonly tracing: boolean
  readonly extra: Server.Options["extra"]
  readonly onServer: typeof Metrics.countConnections | undefined
  readonly modelVersions: <E, R>(layer: Layer.Layer<ModelVersions.ModelVersions, E, R>) => Layer.Layer<ModelVersions.ModelVersions, E, R>
}

const both = (outer: <E, R>(app: HttpApp.Default<E, R>) => HttpApp.Default<E, R>, inner: <E, R>(app: HttpApp.Default<E, R>) => HttpApp.Default<E, R>) =>
<E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> => outer(inner(app))

/** @internal */
export const make = (config: ProxyConfig, tracing: boolean): Observe => {
  const metrics = config.metrics !== false
  const middleware = metrics && tracing ? both(Tracing.middleware, Metrics.middleware) : metrics ? Metrics.middleware : tracing ? Tracing.middleware : undefined
  return {
    tracing,
    extra: middleware === undefined
      ? undefined
      : { middleware, routes: metrics ? Metrics.layer({ token: config.metricsToken ?? Option.none() }) : Layer.empty },
    onServer: metrics ? Metrics.countConnections : undefined,
    modelVersions: metrics ? Telemetry.instrumented : identity
  }
}
