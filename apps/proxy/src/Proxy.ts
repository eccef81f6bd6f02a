/**
 * The whole proxy from a `ProxyConfig`: the `ModelVersions` served (embedded registry or upstream), authentication, and the HTTP server
 * on Node. Building the layer listens; closing its scope shuts down gracefully, in this order: stop accepting
 * connections and wait for in-flight requests to finish (Node's `server.close`), then close the store.
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type { ModelVersions } from "@mreg/core"
import * as Http from "@mreg/core/ModelVersions/Http"
import { SqlRegistry } from "@mreg/registry"
import { Layer, Option } from "effect"
import { createServer } from "node:http"
import { join } from "node:path"
import { type ProxyConfig, ProxyConfigError } from "./ProxyConfig.js"
import * as Server from "./Server.js"
import * as Tokens from "./Tokens.js"

/** Default time limit of one upstream attempt: 30 s. @since 0.1.0 @category constants */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000

/** Default retries of an upstream request: 2. @since 0.1.0 @category constants */
export const DEFAULT_UPSTREAM_RETRIES = 2

/**
 * The `ModelVersions` the proxy serves: with `upstream`, core's HTTP client pointed at it (Node's keep-alive agent,
 * `upstreamToken` as its bearer, `upstreamTimeoutMs` per attempt, `upstreamRetries`); else the embedded registry
 * (PostgreSQL when `databaseUrl` is set, else SQLite at `{home}/registry.db`). Fails with `ProxyConfigError` when the
 * store cannot be opened.
 * @since 0.1.0
 * @category layers
 */
export const layerModelVersions = (config: ProxyConfig): Layer.Layer<ModelVersions.ModelVersions, ProxyConfigError> =>
  Option.match(config.upstream, {
    onSome: (baseUrl) =>
      Http.layer({
        baseUrl,
        apiKey: Option.getOrUndefined(config.upstreamToken),
        timeout: config.upstreamTimeoutMs,
        retries: config.upstreamRetries
      }).pipe(Layer.provide(NodeHttpClient.layer)),
    onNone: () =>
      Option.match(config.databaseUrl, {
        onSome: (url) => SqlRegistry.layerPg({ url, tenant: config.tenant }),
        onNone: () => SqlRegistry.layerSqlite({ filename: join(config.home, "registry.db"), tenant: config.tenant })
      }).pipe(Layer.mapError((error) => new ProxyConfigError({ message: error.message })))
  })

/**
 * Authentication chosen by the configuration: the tokens file, `--insecure-no-auth`, or pass-through.
 * @since 0.1.0
 * @category layers
 */
export const layerTokens = (config: ProxyConfig): Layer.Layer<Tokens.Tokens, Tokens.TokensFileError, FileSystem.FileSystem> =>
  Option.match(config.tokensFile, {
    onSome: Tokens.layerFile,
    onNone: () => (config.insecureNoAuth ? Tokens.layerInsecure : Tokens.layerPassthrough)
  })

/**
 * The proxy, listening on `host:port`. Expects a configuration that passed `ProxyConfig.validate`. Fails with
 * `ProxyConfigError` when the store cannot be opened or the address cannot be bound, `TokensFileError` for a bad
 * tokens file.
 * @since 0.1.0
 * @category layers
 */
export const layer = (config: ProxyConfig): Layer.Layer<never, ProxyConfigError | Tokens.TokensFileError, FileSystem.FileSystem> =>
  Server.layer({ maxBodyBytes: config.maxBodyBytes, backend: Option.isSome(config.upstream) ? "upstream" : "embedded" }).pipe(
    Layer.provide(
      NodeHttpServer.layer(() => createServer(), { host: config.host, port: config.port }).pipe(
        Layer.mapError(() => new ProxyConfigError({ message: `cannot listen on ${config.host}:${config.port} (in use, or not an address of this host)` }))
      )
    ),
    Layer.provide(layerModelVersions(config)),
    Layer.provide(layerTokens(config))
  )
