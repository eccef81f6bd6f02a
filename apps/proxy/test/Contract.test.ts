/**
 * The contract test: the proxy (embedded in-memory SQLite, a token allowed everywhere) served on 127.0.0.1 port 0,
 * called through the `HttpApiClient`-derived `ModelVersions` of `@mreg/core`, runs the whole registry behaviour
 * suite — one test covers the contract, the handlers and the client.
 */
import { FetchHttpClient } from "@effect/platform"
import * as Http from "@mreg/core/ModelVersions/Http"
import { Effect, Layer, Redacted } from "effect"
import { modelVersionsSuite } from "../../../packages/registry/test/ModelVersionsSuite.js"
import { layerServer, TestServer, TOKENS } from "./utils.js"

const overHttp = Layer.unwrapEffect(
  Effect.map(TestServer, ({ url }) => Http.layer({ baseUrl: url, apiKey: Redacted.make(TOKENS.alice), retryBaseDelay: "10 millis" }))
).pipe(Layer.provide(FetchHttpClient.layer), Layer.provide(layerServer()))

modelVersionsSuite("HTTP proxy", overHttp, { tenant: "default", subjectOption: false })
