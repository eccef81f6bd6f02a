// The stack floor of the proxy rows: the same `RegistryApi` contract from @mreg/core, served by a minimal
// `HttpApiBuilder` server on @effect/platform-node's NodeHttpServer, with nothing of mreg's own around it (no
// request log, no body limit, no token file, no error rewriting). What it measures is what the framework costs:
// routing, the contract's payload decode (`UpsertRequest`, so `ModelManifest` with every refinement), the success
// encode (`ModelVersionResponse`), the fiber runtime and the Node adapter. A proxy row divided by its floor row is
// what mreg adds on top of the stack it is built on.
//
//   node bench/floor.mjs sqlite <file>     upsert runs bench/bare-store.mjs's statements on better-sqlite3
//   node bench/floor.mjs pg <url>          … on pg (pool of 16, same retry), one transaction per request
//   node bench/floor.mjs forward <url>     upsert calls `<url>` through the client derived from the same contract
//                                          (`HttpApiClient.make(RegistryApi)` on NodeHttpClient, keep-alive agent
//                                          of 64 sockets like bench/upstream.mjs's forwarder), passing the caller's
//                                          `Authorization` on: the floor of upstream mode
//   node bench/floor.mjs fixed             upsert answers one fixed ModelVersion (bench/upstream.mjs's), no store:
//                                          the framework alone
//
// The other endpoints answer 404 (`get`, `delete`, `applyTags`) or an empty page (`list`): only upsert is loaded.
// The `Authorization` middleware accepts any caller, like `mreg-proxy --insecure-no-auth`.
// Listens on HOST/PORT (default 127.0.0.1, random), logs "listening on http://127.0.0.1:<port>", stops on SIGTERM.
import { Agent, createServer } from "node:http"
import { Agent as HttpsAgent } from "node:https"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { openStore } from "./bare-store.mjs"
import { importFrom, root } from "./lib.mjs"
import { fixedModelVersion } from "./upstream.mjs"

const [kind, target] = process.argv.slice(2)
if (!["sqlite", "pg", "forward", "fixed"].includes(kind) || (kind !== "fixed" && !target)) {
  console.error("usage: node bench/floor.mjs sqlite <file> | pg <url> | forward <url> | fixed")
  process.exit(2)
}

// One instance of each package, as the built proxy sees them (pnpm links them into apps/proxy).
const [core, platform, { NodeHttpClient, NodeHttpServer, NodeRuntime }, { Effect, Layer }] = await Promise.all([
  import(pathToFileURL(join(root, "packages/core/dist/index.js")).href),
  importFrom("@effect/platform", ".", "apps/proxy"),
  importFrom("@effect/platform-node", ".", "apps/proxy"),
  importFrom("effect", ".", "apps/proxy")
])
const { HttpApiBuilder, HttpApiClient, HttpClient, HttpClientRequest, HttpServer, HttpServerRequest } = platform
const { RegistryApi, Authorization } = core.RegistryApi
const { ModelVersion, ModelVersionResponse, ModelVersionPage } = core.ModelVersion
const { ModelManifest } = core.ModelManifest
const { NotFound } = core.RegistryError

const SUBJECT = { subjectId: "bench", subjectType: "user" }

/** A stored row (plain JSON from the bare store) as the contract's success type; no re-validation. */
const toResponse = (row) =>
  new ModelVersionResponse({ data: new ModelVersion({ ...row, manifest: new ModelManifest(row.manifest, true) }, true) }, true)

const store = kind === "sqlite" || kind === "pg" ? await openStore(kind, target) : undefined
const fixed = toResponse(fixedModelVersion())

/** The upstream client: the derived one, each request carrying the serving request's `Authorization`. */
const Upstream = Effect.provide(
  HttpApiClient.make(RegistryApi, {
    baseUrl: target,
    transformClient: HttpClient.mapRequestEffect((request) =>
      Effect.map(HttpServerRequest.HttpServerRequest, (incoming) =>
        incoming.headers.authorization === undefined ? request : HttpClientRequest.setHeader(request, "authorization", incoming.headers.authorization)))
  }),
  // The agent is made here, not by a scoped layer: it lives as long as the process.
  NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(Layer.succeed(NodeHttpClient.HttpAgent, {
    [NodeHttpClient.HttpAgentTypeId]: NodeHttpClient.HttpAgentTypeId,
    http: new Agent({ keepAlive: true, maxSockets: 64 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: 64 })
  })))
)
const upstream = kind === "forward" ? await Effect.runPromise(Upstream) : undefined

const upsert = store !== undefined
  ? ({ payload }) => Effect.map(Effect.promise(() => store.upsert(payload.manifest)), toResponse)
  : upstream !== undefined
  ? ({ payload, headers }) => upstream.modelVersions.upsert({ payload, headers })
  : () => Effect.succeed(fixed)

const notFound = () => Effect.fail(new NotFound({ message: "not found" }))

const ModelVersionsLive = HttpApiBuilder.group(RegistryApi, "modelVersions", (handlers) =>
  handlers
    .handle("upsert", upsert)
    .handle("applyTags", notFound)
    .handle("get", notFound)
    .handle("list", () => Effect.succeed(new ModelVersionPage({ data: [], pagination: { total: 0, offset: 0, limit: 100 } }, true)))
    .handle("delete", notFound))

const AuthorizationLive = Layer.succeed(Authorization, Authorization.of({ bearer: () => Effect.succeed(SUBJECT) }))

const ApiLive = HttpApiBuilder.api(RegistryApi).pipe(Layer.provide(ModelVersionsLive), Layer.provide(AuthorizationLive))

const server = createServer()
server.keepAliveTimeout = 65_000

const Listening = Layer.effectDiscard(
  Effect.flatMap(HttpServer.HttpServer, ({ address }) => Effect.sync(() => console.log(`listening on http://127.0.0.1:${address.port}`)))
)

const ServerLive = HttpApiBuilder.serve().pipe(
  Layer.merge(Listening),
  Layer.provide(ApiLive),
  Layer.provide(NodeHttpServer.layer(() => server, { port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? "127.0.0.1" }))
)

process.on("SIGTERM", () => {
  server.closeAllConnections()
  server.close()
  Promise.resolve(store?.close()).finally(() => process.exit(0))
})

NodeRuntime.runMain(Layer.launch(ServerLive), { disableErrorReporting: false })
