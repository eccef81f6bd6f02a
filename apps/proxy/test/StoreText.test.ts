/**
 * Text a store cannot hold: a NUL character (U+0000) anywhere in a manifest, a tags request or a list query is a
 * 422 at its `loc` naming the rule, and a path id holding one is a 404 — the same bodies on SQLite and PostgreSQL
 * (where it used to be a 500); the same for models (path ids, list filters) and apply / delete by manifest. Also: a token's `agent-identity` subject is recorded as `created_by_subject`.
 */
import { assert, describe, it } from "@effect/vitest"
import { ModelVersionsSql } from "@mreg/registry"
import { Effect, Layer, Redacted } from "effect"
import * as Tokens from "../src/Tokens.js"
import { auth, base, call, embedded, freshRepo, layerServer, put, TestServer, TOKENS, tokensFile } from "./utils.js"

const alice = auth(TOKENS.alice)
const AGENT = { subjectId: "agent-7", subjectType: "agent-identity", subjectDisplayName: "Release agent" } as const
const AGENT_TOKEN = "agent-token-0123456789"
const tokens = Tokens.layer({
  tokens: [...tokensFile.tokens, { token: AGENT_TOKEN, subject: AGENT, scopes: [{ ml_repo: "*", access: "write" as const }] }]
}).pipe(Layer.orDie)

const RULE = "must not contain a NUL character (U+0000)"
const issue = (loc: ReadonlyArray<string | number>, received: string) => ({ loc, msg: `${RULE} (received ${JSON.stringify(received)})`, type: "value_error" })

const cases = (registry: Layer.Layer<any>) => {
  const run = <A>(body: (url: string) => Effect.Effect<A>) =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      return yield* body(url)
    }).pipe(Effect.provide(layerServer({ registry, tokens })), Effect.scoped)

  it.effect("manifest strings with a NUL are a 422 at their loc, every one at once", () =>
    run((url) =>
      Effect.gen(function*() {
        const repo = freshRepo()
        const answer = yield* put(url, base(repo, {
          description: "a\u0000b",
          run_id: "run\u0000",
          metadata: { "k\u0000": 1, ok: ["x\u0000"] },
          source: { type: "external", uri: "s3://b/\u0000" },
          environment: { python_version: "3.11", pip_packages: ["torch==2.3.0"] }
        }), alice)
        assert.strictEqual(answer.status, 422)
        assert.deepStrictEqual(answer.json.detail, [
          issue(["body", "manifest", "description"], "a\u0000b"),
          issue(["body", "manifest", "metadata", "k\u0000"], "k\u0000"),
          issue(["body", "manifest", "metadata", "ok", 0], "x\u0000"),
          issue(["body", "manifest", "source", "uri"], "s3://b/\u0000"),
          issue(["body", "manifest", "run_id"], "run\u0000")
        ])
        const name = yield* put(url, base(repo, { name: "n\u0000" }), alice)
        assert.deepStrictEqual(name.json.detail, [issue(["body", "manifest", "name"], "n\u0000")])
        const listed = yield* call(`${url}/api/ml/v1/model-versions?ml_repo=${repo}`, { headers: alice })
        assert.deepStrictEqual([listed.status, listed.json.pagination.total], [200, 0])
      })))

  it.effect("tags, model_version_id and list query values with a NUL are a 422; a path id with one is a 404", () =>
    run((url) =>
      Effect.gen(function*() {
        const created = (yield* put(url, base(freshRepo()), alice)).json.data
        const tags = (body: unknown) =>
          call(`${url}/api/ml/v1/model-versions/tags`, { method: "PUT", headers: alice, body: JSON.stringify(body) })
        const tag = yield* tags({ model_version_id: created.id, tags: ["prod\u0000"] })
        assert.deepStrictEqual([tag.status, tag.json.detail], [422, [issue(["body", "tags", 0], "prod\u0000")]])
        const id = yield* tags({ model_version_id: "x\u0000", tags: ["prod"] })
        assert.deepStrictEqual([id.status, id.json.detail], [422, [issue(["body", "model_version_id"], "x\u0000")]])
        for (const [query, loc] of [["name=%00", ["query", "name"]], ["tag=a%00", ["query", "tag"]], ["run_ids=r1,r%00", ["query", "run_ids", 1]]] as const) {
          const listed = yield* call(`${url}/api/svc/v1/model-versions?${query}`, { headers: alice })
          assert.deepStrictEqual([listed.status, listed.json.detail], [422, [issue(loc, decodeURIComponent(query.split("=")[1]!.split(",").pop()!))]], query)
        }
        const fqn = yield* call(`${url}/api/ml/v1/model-versions?fqn=model:default/a%00/b`, { headers: alice })
        assert.deepStrictEqual([fqn.status, fqn.json.detail], [422, [issue(["query", "fqn"], "model:default/a\u0000/b")]])
        const missing = `${created.id}%00`
        const got = yield* call(`${url}/api/ml/v1/model-versions/${missing}`, { headers: alice })
        assert.deepStrictEqual([got.status, got.json], [404, { statusCode: 404, code: "NOT_FOUND", message: `no model version with id "${created.id}\u0000"` }])
        const deleted = yield* call(`${url}/api/ml/v1/model-versions/${missing}`, { method: "DELETE", headers: alice })
        assert.deepStrictEqual([deleted.status, deleted.json.code], [404, "NOT_FOUND"])
        const still = yield* call(`${url}/api/ml/v1/model-versions/${created.id}`, { headers: alice })
        assert.strictEqual(still.status, 200)
      })))

  it.effect("models: a path id with a NUL is a 404, list filters with one a 422; apply and delete manifests with one a 422", () =>
    run((url) =>
      Effect.gen(function*() {
        const created = (yield* put(url, base(freshRepo()), alice)).json.data
        const notFound = { statusCode: 404, code: "NOT_FOUND", message: `no model with id ${JSON.stringify(`${created.model_id}\u0000`)}` }
        for (const method of ["GET", "DELETE"]) {
          const answer = yield* call(`${url}/api/ml/v1/models/${created.model_id}%00`, { method, headers: alice })
          assert.deepStrictEqual([answer.status, answer.json], [404, notFound], method)
        }
        for (const [query, name] of [["name=%00", "name"], ["ml_repo=a%00", "ml_repo"], ["ml_repo_id=%00x", "ml_repo_id"], ["run_id=r%00", "run_id"]] as const) {
          const listed = yield* call(`${url}/api/svc/v1/models?${query}`, { headers: alice })
          assert.deepStrictEqual([listed.status, listed.json.detail], [422, [issue(["query", name], decodeURIComponent(query.split("=")[1]!))]], query)
        }
        const fqn = yield* call(`${url}/api/ml/v1/models?fqn=model:default/a%00/b`, { headers: alice })
        assert.deepStrictEqual([fqn.status, fqn.json.detail], [422, [issue(["query", "fqn"], "model:default/a\u0000/b")]])
        const still = yield* call(`${url}/api/ml/v1/models/${created.model_id}`, { headers: alice })
        assert.strictEqual(still.status, 200)
        const send = (path: string, method: string, manifest: unknown) =>
          call(`${url}/api/svc/v1/${path}`, { method, headers: { ...alice, "content-type": "application/json" }, body: JSON.stringify({ manifest }) })
        const repo = freshRepo()
        const applied = yield* send("apply", "PUT", base(repo, { description: "a\u0000b", run_id: "run\u0000" }))
        assert.deepStrictEqual([applied.status, applied.json.detail], [422, [
          issue(["body", "manifest", "description"], "a\u0000b"),
          issue(["body", "manifest", "run_id"], "run\u0000")
        ]])
        const dry = yield* call(`${url}/api/svc/v1/apply`, {
          method: "PUT",
          headers: { ...alice, "content-type": "application/json" },
          body: JSON.stringify({ manifest: base(repo, { name: "n\u0000" }), dryRun: true })
        })
        assert.deepStrictEqual([dry.status, dry.json.detail], [422, [issue(["body", "manifest", "name"], "n\u0000")]])
        const removed = yield* send("delete", "POST", base(repo, { name: "n\u0000", version: 1 }))
        assert.deepStrictEqual([removed.status, removed.json.detail], [422, [issue(["body", "manifest", "name"], "n\u0000")]])
        const listed = yield* call(`${url}/api/ml/v1/models?ml_repo=${repo}`, { headers: alice })
        assert.deepStrictEqual([listed.status, listed.json.pagination.total], [200, 0])
      })))

  it.effect("an agent-identity token is recorded as created_by_subject", () =>
    run((url) =>
      Effect.gen(function*() {
        const created = yield* put(url, base(freshRepo()), auth(AGENT_TOKEN))
        assert.strictEqual(created.status, 200)
        assert.deepStrictEqual(created.json.data.created_by_subject, AGENT)
        const got = yield* call(`${url}/api/ml/v1/model-versions/${created.json.data.id}`, { headers: alice })
        assert.deepStrictEqual(got.json.data.created_by_subject, AGENT)
      })))
}

describe("text a store cannot hold, SQLite", () => cases(embedded))

const pgUrl = process.env.MREG_TEST_DATABASE_URL
describe("text a store cannot hold, PostgreSQL", () => {
  if (pgUrl === undefined) {
    it("needs MREG_TEST_DATABASE_URL (pnpm test starts a throwaway PostgreSQL 15 and sets it)", () => {
      assert.fail("MREG_TEST_DATABASE_URL is not set")
    })
  } else {
    cases(ModelVersionsSql.layerPg({ url: Redacted.make(pgUrl) }).pipe(Layer.orDie))
  }
})
