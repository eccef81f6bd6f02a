/**
 * The whole proxy from a `ProxyConfig`: the `ModelVersions` served (embedded registry or upstream), authentication,
 * and the Node HTTP server with its limits. Closing the layer's scope stops accepting connections, waits for
 * in-flight requests, then closes the store.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { type ModelVersions, Telemetry } from "@mreg/core"
import * as Http from "@mreg/core/ModelVersions/Http"
import { ModelVersionsSql } from "@mreg/registry"
import { Duration, Effect, Layer, Option, type Redacted } from "effect"
import { constTrue } from "effect/Function"
import { join } from "node:path"
import * as NodeServer from "./NodeServer.js"
import * as Metrics from "./Metrics.js"
import { type ProxyConfig, ProxyConfigError } from "./ProxyConfig.js"
import * as Server from "./Server.js"
import * as Tokens from "./Tokens.js"
import * as Tracing from "./Tracing.js"
import * as WebhooksServer from "./WebhooksServer.js"

/** Default time limit of one upstream attempt: 30 s. @since 0.1.0 @category constants */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000

/** Default retries of an upstream request: 2. @since 0.1.0 @category constants */
export const DEFAULT_UPSTREAM_RETRIES = 2

/** Options of {@link layerUpstream}. @since 0.1.0 @category models */
export interface UpstreamOptions {
  /** Base URL of the control plane, e.g. `https://acme.truefoundry.cloud` (the API prefix is appended). */
  readonly baseUrl: string
  /** Bearer token sent instead of the caller's (`--upstream-token`); without it the caller's `Authorization` goes on. */
  readonly token: Option.Option<Redacted.Redacted<string>>
  /** Time limit of one attempt, in milliseconds. */
  readonly timeoutMs: number
  /** Retries of a failed attempt (core's HTTP client: connection errors, timeouts, 429, 502, 503, 504). */
  readonly retries: number
  /** First retry delay (default 200 ms, doubling, with jitter). */
  readonly retryBaseDelay?: Duration.DurationInput | undefined
}

/**
 * `ModelVersions` at an upstream control plane: core's HTTP client on Node's keep-alive agent (the server forwards
 * the caller's `X-Request-Id` and, in pass-through, `Authorization` through `Http.ForwardHeaders`).
 * @since 0.1.0
 * @category layers
 */
export const layerUpstream = (options: UpstreamOptions): Layer.Layer<ModelVersions.ModelVersions> =>
  Http.layer({
    baseUrl: options.baseUrl,
    apiKey: Option.getOrUndefined(options.token),
    timeout: Duration.millis(options.timeoutMs),
    retries: options.retries,
    retryBaseDelay: options.retryBaseDelay
  }).pipe(
    Layer.provide(NodeHttpClient.layerWithoutAgent),
    // `NodeHttpClient.layer`'s agent does not keep connections alive: a new TCP connection per upstream request.
    Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true }))
  )

/** The embedded registry (PostgreSQL with `databaseUrl`, else SQLite at `{home}/registry.db`), with webhooks when a webhooks file is given. */
const layerEmbedded = (config: ProxyConfig): Layer.Layer<ModelVersions.ModelVersions, { readonly message: string }, FileSystem.FileSystem | Tokens.Tokens> =>
  Option.match(config.webhooksFile ?? Option.none(), {
    onSome: (webhooksFile) => WebhooksServer.layerEmbedded({ ...config, webhooksFile }),
    onNone: () =>
      Option.match(config.databaseUrl, {
        onSome: (url) => ModelVersionsSql.layerPg({ url, tenant: config.tenant }),
        onNone: () => ModelVersionsSql.layerSqlite({ filename: join(config.home, "registry.db"), tenant: config.tenant })
      })
  })

/** {@link layerUpstream}, or the embedded registry. */
const layerModelVersions = (config: ProxyConfig): Layer.Layer<ModelVersions.ModelVersions, ProxyConfigError, FileSystem.FileSystem | Tokens.Tokens> =>
  Option.match(config.upstream, {
    onSome: (baseUrl) =>
      layerUpstream({ baseUrl, token: config.upstreamToken, timeoutMs: config.upstreamTimeoutMs, retries: config.upstreamRetries }),
    onNone: () => Layer.mapError(layerEmbedded(config), (error) => new ProxyConfigError({ message: error.message }))
  })

/** Authentication chosen by the configuration: the tokens file, `--insecure-no-auth`, or pass-through. */
const layerTokens = (config: ProxyConfig): Layer.Layer<Tokens.Tokens, Tokens.TokensFileError, FileSystem.FileSystem> =>
  Option.match(config.tokensFile, {
    onSome: Tokens.layerFile,
    onNone: () => (config.insecureNoAuth ? Tokens.layerInsecure : Tokens.layerPassthrough)
  })

/**
 * The proxy, listening on `host:port`. Observed as configured: with metrics (unless `--no-metrics`), `/metrics`, each
 * request counted by the request log's middleware (`Metrics.observe`), the connection count and counted
 * `ModelVersions` (`Telemetry.instrumented`); with traces (when the `OTEL_*` variables ask), the server span of
 * `Tracing.middleware` (the platform's own server span is off); with both off, only the request log is on the request
 * path. Expects a configuration that passed `ProxyConfig.validate`. Fails
 * with `ProxyConfigError` when the store cannot be opened or the address cannot be bound or the webhooks file is not
 * valid, `TokensFileError` for a bad tokens file.
 * @since 0.1.0
 * @category layers
 */
export const layer = (config: ProxyConfig): Layer.Layer<never, ProxyConfigError | Tokens.TokensFileError, FileSystem.FileSystem> =>
  Layer.unwrapEffect(Effect.map(Effect.orDie(Telemetry.tracingConfigured), (tracing) => {
    const metrics = config.metrics !== false
    const modelVersions = layerModelVersions(config)
    return Server.layer({
      backend: Option.isSome(config.upstream) ? "upstream" : "embedded",
      webhooks: Option.isNone(config.upstream) && Option.isSome(config.webhooksFile ?? Option.none()),
      extra: metrics || tracing
        ? {
          routes: metrics ? Metrics.layer({ token: config.metricsToken ?? Option.none() }) : Layer.empty,
          observe: metrics ? Metrics.observe : undefined,
          middleware: tracing ? Tracing.middleware : undefined
        }
        : undefined
    }).pipe(
      Layer.provide(
        NodeServer.layer({
          host: config.host,
          port: config.port,
          maxBodyBytes: config.maxBodyBytes,
          headerTimeout: Duration.seconds(config.headerTimeout),
          bodyTimeout: Duration.seconds(config.bodyTimeout),
          onServer: metrics ? Metrics.countConnections : undefined,
          tracing
        }).pipe(
          Layer.mapError(() => new ProxyConfigError({ message: `cannot listen on ${config.host}:${config.port} (in use, or not an address of this host)` }))
        )
      ),
      Layer.provide(metrics ? Telemetry.instrumented(modelVersions) : modelVersions),
      Layer.provide(layerTokens(config)),
      HttpMiddleware.withTracerDisabledWhen(constTrue)
    )
  })).pipe(Layer.provide(Telemetry.layerTracing({ serviceName: "mreg-proxy" })))
