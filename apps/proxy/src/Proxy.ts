/**
 * The whole proxy from a `ProxyConfig`: backend (embedded registry or upstream), authentication, and the HTTP server
 * on Node with the request limits of `NodeServer`. Building the layer listens; closing its scope shuts down gracefully, in this order: stop accepting
 * connections and wait for in-flight requests to finish (Node's `server.close`), then close the store.
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { SqlRegistry } from "@mreg/registry"
import { Duration, Layer, Option } from "effect"
import { join } from "node:path"
import type { Backend } from "./Backend.js"
import * as Embedded from "./Embedded.js"
import * as NodeServer from "./NodeServer.js"
import { type ProxyConfig, ProxyConfigError } from "./ProxyConfig.js"
import * as Server from "./Server.js"
import * as Tokens from "./Tokens.js"
import * as Upstream from "./Upstream.js"

/**
 * The backend chosen by the configuration: upstream when `upstream` is set, else the embedded registry (PostgreSQL
 * when `databaseUrl` is set, else SQLite at `{home}/registry.db`).
 * @since 0.1.0
 * @category layers
 */
export const layerBackend = (config: ProxyConfig): Layer.Layer<Backend, ProxyConfigError> =>
  Option.match(config.upstream, {
    onSome: (url) =>
      Upstream.layer({
        url,
        token: config.upstreamToken,
        timeoutMs: config.upstreamTimeoutMs,
        retries: config.upstreamRetries
      }).pipe(Layer.provide(NodeHttpClient.layer)),
    onNone: () =>
      Embedded.layer.pipe(
        Layer.provide(
          Option.match(config.databaseUrl, {
            onSome: (url) => SqlRegistry.layerPg({ url, tenant: config.tenant }),
            onNone: () => SqlRegistry.layerSqlite({ filename: join(config.home, "registry.db"), tenant: config.tenant })
          })
        ),
        Layer.mapError((error) => new ProxyConfigError({ message: error.message }))
      )
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
  Server.layer({ maxBodyBytes: config.maxBodyBytes }).pipe(
    Layer.provide(
      NodeServer.layer({
        host: config.host,
        port: config.port,
        maxBodyBytes: config.maxBodyBytes,
        headerTimeout: Duration.seconds(config.headerTimeout),
        bodyTimeout: Duration.seconds(config.bodyTimeout)
      }).pipe(
        Layer.mapError(() => new ProxyConfigError({ message: `cannot listen on ${config.host}:${config.port} (in use, or not an address of this host)` }))
      )
    ),
    Layer.provide(layerBackend(config)),
    Layer.provide(layerTokens(config))
  )
