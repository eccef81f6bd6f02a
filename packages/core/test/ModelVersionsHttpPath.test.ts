import { assert, describe, it } from "@effect/vitest"
import { ModelVersion, ModelVersions, RegistryError } from "@mreg/core"
import * as Http from "@mreg/core/ModelVersions/Http"
import { Effect, Redacted } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/** A loopback server that records each request's method and raw URL and answers 404 `NOT_FOUND`. */
const recorder = Effect.acquireRelease(
  Effect.async<{ url: string; seen: Array<string>; close: () => void }>((resume) => {
    const seen: Array<string> = []
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`)
      req.resume()
      req.on("end", () => {
        res.writeHead(404, { "content-type": "application/json" })
        res.end(JSON.stringify({ code: "NOT_FOUND", message: "no such model version" }))
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, seen, close: () => server.close() }))
    })
  }),
  ({ close }) => Effect.sync(close)
)

const run = <A>(url: string, f: (registry: ModelVersions.Service) => Effect.Effect<A, RegistryError.RegistryError>) =>
  Effect.flatMap(ModelVersions.ModelVersions, f).pipe(
    Effect.provide(Http.layerFetch({ baseUrl: url, apiKey: Redacted.make("upstream-token"), retries: 0 }))
  )

const id = (text: string) => ModelVersion.ModelVersionId.make(text)

const HOSTILE: ReadonlyArray<readonly [string, string]> = [
  ["../../../admin?x=1", "..%2F..%2F..%2Fadmin%3Fx%3D1"],
  ["ok?a=b", "ok%3Fa%3Db"],
  ["ok#frag", "ok%23frag"],
  ["..\\..\\x", "..%5C..%5Cx"],
  ["a/b", "a%2Fb"],
  ["100%", "100%25"],
  ["mv 1", "mv%201"]
]

describe("ModelVersions/Http: ids are one path segment", () => {
  it.scopedLive("get and delete send each hostile id as one encoded segment under /model-versions/", () =>
    Effect.gen(function*() {
      const server = yield* recorder
      for (const [raw] of HOSTILE) {
        const got = yield* Effect.flip(run(server.url, (r) => r.get(id(raw))))
        assert.deepStrictEqual([got._tag, got.message], ["NotFound", `no model version with id ${JSON.stringify(raw)}`])
        const deleted = yield* Effect.flip(run(server.url, (r) => r.delete(id(raw))))
        assert.strictEqual(deleted._tag, "NotFound")
      }
      assert.deepStrictEqual(
        server.seen,
        HOSTILE.flatMap(([, encoded]) => [
          `GET /api/ml/v1/model-versions/${encoded}`,
          `DELETE /api/ml/v1/model-versions/${encoded}`
        ])
      )
    }))

  it.scopedLive("an id that is a dot-segment is NotFound without a request", () =>
    Effect.gen(function*() {
      const server = yield* recorder
      const dot = yield* Effect.flip(run(server.url, (r) => r.get(id("."))))
      const dots = yield* Effect.flip(run(server.url, (r) => r.delete(id(".."))))
      assert.deepStrictEqual([dot._tag, dot.message, dots._tag, dots.message], [
        "NotFound",
        "no model version with id \".\"",
        "NotFound",
        "no model version with id \"..\""
      ])
      assert.deepStrictEqual(server.seen, [])
    }))
})
