/**
 * The contract test: the proxy served on `NodeHttpServer.layerTest`, called through the `HttpApiClient`-derived
 * `ModelVersions` of `@mreg/core`, runs the whole registry behaviour suite — one test covers the contract, the
 * handlers and the client. Twice: embedded (in-memory SQLite), and in upstream mode in front of a second proxy
 * (client → proxy A, pass-through auth → proxy B, embedded, tokens file).
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type { ModelVersions } from "@mreg/core"
import * as Http from "@mreg/core/ModelVersions/Http"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { modelVersionsSuite } from "../../../packages/registry/test/ModelVersionsSuite.js"
import { scopePagingSuite } from "../../../packages/registry/test/ScopePagingSuite.js"
import * as Proxy from "../src/Proxy.js"
import * as RequestLog from "../src/RequestLog.js"
import * as Server from "../src/Server.js"
import * as Tokens from "../src/Tokens.js"
import { embedded, layerServer, TestServer, TOKENS, tokensFile } from "./utils.js"

/** The proxy on `registry` served by `layerTest`, and core's HTTP client of it with alice's token. */
const overHttp = (registry: Layer.Layer<ModelVersions.ModelVersions>, tokens: Layer.Layer<Tokens.Tokens>, backend: "embedded" | "upstream") =>
  Layer.merge(
    Http.layer({ baseUrl: "", apiKey: Redacted.make(TOKENS.alice), retryBaseDelay: "10 millis" }),
    Server.layer({ backend }).pipe(
      Layer.provide(registry),
      Layer.provide(tokens),
      Layer.provide(RequestLog.layerTo(() => {}))
    )
  ).pipe(Layer.provide(NodeHttpServer.layerTest), Layer.orDie)

const proxyA = overHttp(embedded, Tokens.layer(tokensFile).pipe(Layer.orDie), "embedded")
modelVersionsSuite("HTTP proxy", proxyA, { tenant: "default", subjectOption: false })
scopePagingSuite("HTTP proxy: read scopes and page tokens", proxyA, { scopeInStore: false })

// Proxy B is built on its own (`Layer.build`): two servers in one layer graph would share the framework's router.
const inFrontOfProxyB = Layer.unwrapScoped(
  Effect.map(Layer.build(layerServer()), (proxyB) =>
    overHttp(
      Proxy.layerUpstream({ baseUrl: Context.get(proxyB, TestServer).url, token: Option.none(), timeoutMs: 10_000, retries: 2, retryBaseDelay: "10 millis" }),
      Tokens.layerPassthrough,
      "upstream"
    ))
)

modelVersionsSuite("HTTP proxy in upstream mode, in front of a second proxy", inFrontOfProxyB, { tenant: "default", subjectOption: false })
scopePagingSuite("HTTP proxy in upstream mode: read scopes and page tokens", inFrontOfProxyB, { scopeInStore: false })
