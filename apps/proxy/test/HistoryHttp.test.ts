/**
 * The history endpoint over raw HTTP (`GET {P}/model-versions/{id}/history`, mreg): both prefixes, the writer from
 * the caller's token for every write, 422 for bad paging parameters, 404 for an unknown id and outside the caller's
 * read scope (as `get`), and a deleted version's history.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { auth, base, call, freshRepo, layerServer, put, SUBJECTS, TestServer, TOKENS } from "./utils.js"

const [alice, bob] = [auth(TOKENS.alice), auth(TOKENS.bob)]

layer(layerServer(), { excludeTestServices: true })("History (embedded, raw HTTP)", (it) => {
  it.effect("GET {P}/model-versions/{id}/history: oldest first on both prefixes, writers from the tokens, scoped like get", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const repo = freshRepo("vision")
      const created = yield* put(url, base(repo), alice)
      const id = created.json.data.id
      const tagged = yield* call(`${url}/api/ml/v1/model-versions/tags`, {
        method: "PUT",
        headers: { "content-type": "application/json", ...bob },
        body: JSON.stringify({ model_version_id: id, tags: ["prod"] })
      })
      assert.strictEqual(tagged.status, 200, tagged.text)
      assert.strictEqual((yield* call(`${url}/api/ml/v1/model-versions/${id}`, { method: "DELETE", headers: bob })).status, 200)

      const ml = yield* call(`${url}/api/ml/v1/model-versions/${id}/history`, { headers: alice })
      assert.strictEqual(ml.status, 200, ml.text)
      assert.deepStrictEqual(ml.json.pagination, { total: 3, offset: 0, limit: 100 })
      assert.deepStrictEqual(
        ml.json.data.map((event: any) => [event.revision, event.type, event.subject]),
        [[1, "created", SUBJECTS.alice], [2, "tags_applied", SUBJECTS.bob], [3, "deleted", SUBJECTS.bob]]
      )
      assert.deepStrictEqual(ml.json.data[1].changes, [{ path: "tags", before: [], after: ["prod"] }])
      const svc = yield* call(`${url}/api/svc/v1/model-versions/${id}/history?limit=1&offset=2`, { headers: alice })
      assert.deepStrictEqual([svc.status, svc.json.pagination, svc.json.data], [200, { total: 3, offset: 2, limit: 1 }, [ml.json.data[2]]])

      const bad = yield* call(`${url}/api/ml/v1/model-versions/${id}/history?limit=0&offset=x`, { headers: alice })
      assert.deepStrictEqual([bad.status, bad.json.detail.map((issue: any) => issue.loc)], [422, [["query", "offset"], ["query", "limit"]]])
      const missing = yield* call(`${url}/api/ml/v1/model-versions/no-such-id/history`, { headers: alice })
      assert.deepStrictEqual([missing.status, missing.json.message], [404, "no model version with id \"no-such-id\""])
    }))

  it.effect("a token that cannot read the version's ML repo gets 404, as for a missing id", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const created = yield* put(url, base(freshRepo("nlp")), alice)
      const id = created.json.data.id
      const outside = yield* call(`${url}/api/ml/v1/model-versions/${id}/history`, { headers: bob })
      assert.deepStrictEqual([outside.status, outside.json.message], [404, `no model version with id "${id}"`])
    }))
})
