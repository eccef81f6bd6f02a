import { assert, describe, it } from "@effect/vitest"
import { Model, ModelVersions } from "@mreg/core"
import * as Http from "@mreg/core/ModelVersions/Http"
import { base, wireVersion } from "@mreg/test-fixtures"
import { Effect } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

const version = (name: string, n: number, metadata: Record<string, unknown>) =>
  wireVersion({ ...base({ ml_repo: "nlp", name, metadata }), version: n }, { id: `${name}-${n}`, model_id: `model-${name}` })

const model = (name: string, latest: ReturnType<typeof version>) => ({
  id: `model-${name}`,
  ml_repo_id: "repo-1",
  type: "model",
  name,
  fqn: `model:acme/nlp/${name}`,
  created_by_subject: { subjectId: "u1", subjectType: "user" },
  created_at: "2024-06-01T12:00:00.000Z",
  updated_at: "2024-06-01T12:00:00.000Z",
  latest_version: latest
})

/**
 * A TrueFoundry-like server that ignores `filter`: `/models` answers two models, `/model-versions` the versions of
 * `model_id` (or all of them). Records each request's path and query.
 */
const truefoundry = Effect.acquireRelease(
  Effect.async<{ url: string; requests: Array<URL>; close: () => void }>((resume) => {
    const versions = [version("a", 2, { accuracy: 0.5 }), version("a", 1, { accuracy: 0.95 }), version("b", 1, {})]
    const requests: Array<URL> = []
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x")
      requests.push(url)
      const modelId = url.searchParams.get("model_id")
      const data = url.pathname.endsWith("/models")
        ? [model("a", versions[0]!), model("b", versions[2]!)]
        : versions.filter((v) => modelId === null || v.model_id === modelId)
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ data, pagination: { total: data.length, offset: 0, limit: 100 } }))
    })
    server.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => server.close() })))
  }),
  ({ close }) => Effect.sync(close)
)

const FILTER = "metadata.accuracy >= 0.9"

/** The HTTP `ModelVersions` in front of {@link truefoundry}, and the server. */
const upstream = Effect.flatMap(truefoundry, (server) =>
  Effect.map(Effect.provide(ModelVersions.ModelVersions, Http.layerFetch({ baseUrl: server.url, retries: 0 })), (service) => ({ server, service })))

describe("ModelVersions/Http: filter against an upstream that ignores it", () => {
  it.scopedLive("forwards filter and applies it in memory to the page; total less the rows dropped", () =>
    Effect.gen(function*() {
      const { server, service } = yield* upstream
      const page = yield* service.list(new ModelVersions.ListQuery({ filter: FILTER }))
      assert.deepStrictEqual(page.data.map((v) => v.id), ["a-1"])
      assert.deepStrictEqual(page.pagination, { total: 1, offset: 0, limit: 100 })
      assert.strictEqual(server.requests[0]!.searchParams.get("filter"), FILTER)
    }))

  it.scopedLive("models: a model whose latest version does not match is kept when another of its versions does", () =>
    Effect.gen(function*() {
      const { server, service } = yield* upstream
      const page = yield* service.listModels(new Model.ListQuery({ filter: FILTER }))
      assert.deepStrictEqual(page.data.map((m) => m.name), ["a"])
      assert.strictEqual(page.pagination.total, 1)
      const requests = server.requests.map((url) => [url.pathname, url.searchParams.get("model_id"), url.searchParams.get("filter")])
      assert.deepStrictEqual(requests.sort((x, y) => String(x).localeCompare(String(y))), [
        ["/api/ml/v1/model-versions", "model-a", FILTER],
        ["/api/ml/v1/model-versions", "model-b", FILTER],
        ["/api/ml/v1/models", null, FILTER]
      ])
    }))
})
