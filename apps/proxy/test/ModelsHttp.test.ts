/**
 * Models and the generic apply/delete over raw HTTP (plain `fetch`), embedded mode: TrueFoundry's exact shapes on
 * both prefixes (`Model`, `ListModelsResponse`, `TrueFoundryApplyResponse`, empty delete answers), the apply group
 * only under `/api/svc/v1`, query and body validation, write scopes, and the contract's derived client.
 */
import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { ModelManifest, RegistryApi } from "@mreg/core"
import { Effect, Schema } from "effect"
import { auth, base, call, freshRepo, layerServer, put, SUBJECTS, TestServer, TOKENS } from "./utils.js"

const alice = auth(TOKENS.alice)
const bob = auth(TOKENS.bob)

/** TrueFoundry's `Model` keys, and mreg's own `next_version`. */
const MODEL_KEYS = ["created_at", "created_by_subject", "fqn", "id", "latest_version", "ml_repo_id", "name", "next_version", "run_steps", "type", "updated_at"]

const send = (url: string, method: string, body: unknown, headers: Record<string, string> = alice) =>
  call(url, { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })

layer(layerServer(), { excludeTestServices: true })("Models and apply (embedded, raw HTTP)", (it) => {
  for (const prefix of [RegistryApi.DEFAULT_PREFIX, RegistryApi.SVC_PREFIX]) {
    it.effect(`${prefix}/models: list, get and delete in TrueFoundry's shapes`, () =>
      Effect.gen(function*() {
        const { url } = yield* TestServer
        const repo = freshRepo()
        const v1 = (yield* put(url, base(repo, { step: 2 }), alice)).json.data
        const listed = yield* call(`${url}${prefix}/models?ml_repo=${repo}`, { headers: alice })
        assert.strictEqual(listed.status, 200)
        assert.deepStrictEqual(Object.keys(listed.json), ["data", "pagination"])
        assert.deepStrictEqual(listed.json.pagination, { total: 1, offset: 0, limit: 100 })
        const model = listed.json.data[0]
        assert.deepStrictEqual(Object.keys(model).sort(), MODEL_KEYS)
        assert.deepStrictEqual(
          [model.id, model.ml_repo_id, model.type, model.name, model.fqn, model.created_at, model.run_steps],
          [v1.model_id, v1.ml_repo_id, "model", "sentiment-clf", `model:default/${repo}/sentiment-clf`, v1.created_at, [2]]
        )
        assert.deepStrictEqual(model.created_by_subject, SUBJECTS.alice)
        assert.deepStrictEqual(model.latest_version, v1)
        const byFqn = yield* call(`${url}${prefix}/models?fqn=${encodeURIComponent(model.fqn)}&include_empty_models=false`, { headers: alice })
        assert.deepStrictEqual(byFqn.json, listed.json)
        const got = yield* call(`${url}${prefix}/models/${model.id}`, { headers: alice })
        assert.deepStrictEqual([got.status, got.json], [200, { data: model }])
        const deleted = yield* call(`${url}${prefix}/models/${model.id}`, { method: "DELETE", headers: alice })
        assert.deepStrictEqual([deleted.status, deleted.json], [200, {}])
        const gone = yield* call(`${url}${prefix}/models/${model.id}`, { headers: alice })
        assert.deepStrictEqual([gone.status, gone.json.code, gone.json.message], [404, "NOT_FOUND", `no model with id ${JSON.stringify(model.id)}`])
        const version = yield* call(`${url}${prefix}/model-versions/${v1.id}`, { headers: alice })
        assert.strictEqual(version.status, 404)
      }))
  }

  it.effect("models: bad query values are one 422 naming each parameter", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const answer = yield* call(`${url}/api/ml/v1/models?include_empty_models=maybe&limit=0&fqn=nope`, { headers: alice })
      assert.strictEqual(answer.status, 422)
      assert.deepStrictEqual(answer.json.detail.map((issue: any) => [issue.loc, issue.msg]), [
        [["query", "fqn"], `must be model:{tenant}/{ml_repo}/{name}, optionally followed by :{version, alias or latest} (received "nope")`],
        [["query", "include_empty_models"], `must be true or false (received "maybe")`],
        [["query", "limit"], "must be an integer from 1 to 1000 (received 0)"]
      ])
      const zero = yield* call(`${url}/api/ml/v1/models?fqn=${encodeURIComponent("model:default/r/n:0")}`, { headers: alice })
      assert.deepStrictEqual([zero.status, zero.json.detail], [422, [{
        loc: ["query", "fqn"],
        msg: "has version 0; versions are integers from 1 to 2147483647",
        type: "value_error"
      }]])
    }))

  it.effect("PUT /api/svc/v1/apply: CREATE, UPDATE with existingManifest, dry run; not under /api/ml/v1", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const repo = freshRepo()
      const created = yield* send(`${url}/api/svc/v1/apply`, "PUT", { manifest: base(repo) })
      assert.strictEqual(created.status, 200)
      assert.deepStrictEqual(Object.keys(created.json), ["action", "data"])
      assert.strictEqual(created.json.action, "CREATE")
      assert.deepStrictEqual(created.json.data.manifest, { ...base(repo), version: 1 })
      assert.deepStrictEqual(created.json.data.created_by_subject, SUBJECTS.alice)
      const changed = { ...base(repo), version: 1, description: "v1, described again" }
      const dry = yield* send(`${url}/api/svc/v1/apply`, "PUT", { manifest: changed, dryRun: true })
      assert.strictEqual(dry.status, 200)
      assert.deepStrictEqual(dry.json, { existingManifest: created.json.data.manifest, action: "UPDATE", manifest: changed })
      const updated = yield* send(`${url}/api/svc/v1/apply`, "PUT", { manifest: changed })
      assert.deepStrictEqual(Object.keys(updated.json), ["existingManifest", "action", "data"])
      assert.deepStrictEqual(updated.json.existingManifest, created.json.data.manifest)
      assert.deepStrictEqual(updated.json.data.manifest, changed)
      const other = yield* send(`${url}/api/ml/v1/apply`, "PUT", { manifest: base(repo) })
      assert.strictEqual(other.status, 404)
    }))

  it.effect("apply and delete: another manifest type is a 422 naming model-version; unknown body keys are 422", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const mlRepo = yield* send(`${url}/api/svc/v1/apply`, "PUT", { manifest: { type: "ml-repo", name: "x" } })
      assert.strictEqual(mlRepo.status, 422)
      assert.deepStrictEqual(mlRepo.json.detail, [{
        loc: ["body", "manifest", "type"],
        msg: `mreg applies only "model-version" manifests (received "ml-repo")`,
        type: "value_error.unsupported_type"
      }])
      const deleteType = yield* send(`${url}/api/svc/v1/delete`, "POST", { manifest: { type: "service" } })
      assert.deepStrictEqual([deleteType.status, deleteType.json.detail[0].loc], [422, ["body", "manifest", "type"]])
      const extra = yield* send(`${url}/api/svc/v1/apply`, "PUT", { manifest: base(freshRepo()), dry_run: true })
      assert.deepStrictEqual([extra.status, extra.json.detail.map((issue: any) => issue.loc)], [422, [["body", "dry_run"]]])
    }))

  it.effect("apply honours Idempotency-Key, If-Match and If-None-Match as upsert does, dry runs included", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const repo = freshRepo()
      const apply = (body: unknown, headers: Record<string, string> = {}) =>
        call(`${url}/api/svc/v1/apply`, { method: "PUT", headers: { ...alice, ...headers }, body: JSON.stringify(body) })
      const first = yield* apply({ manifest: base(repo) }, { "idempotency-key": "k-1" })
      const replay = yield* apply({ manifest: base(repo) }, { "idempotency-key": "k-1" })
      assert.deepStrictEqual([first.status, replay.status, replay.json.data.id], [200, 200, first.json.data.id])
      const reused = yield* apply({ manifest: { ...base(repo), description: "other" } }, { "idempotency-key": "k-1" })
      assert.deepStrictEqual([reused.status, reused.json.code], [409, "IDEMPOTENCY_KEY_REUSED"])
      const v1 = { ...base(repo), version: 1 }
      for (const dryRun of [true, false]) {
        const stale = yield* apply({ manifest: v1, dryRun }, { "if-match": "\"nope\"" })
        const exists = yield* apply({ manifest: v1, dryRun }, { "if-none-match": "*" })
        assert.deepStrictEqual([stale.status, stale.json.code, exists.status, exists.json.code], [412, "PRECONDITION_FAILED", 412, "PRECONDITION_FAILED"], `dryRun ${dryRun}`)
      }
      const bad = yield* apply({ manifest: v1 }, { "if-none-match": "x" })
      assert.deepStrictEqual([bad.status, bad.json.detail[0].loc], [422, ["header", "if-none-match"]])
      assert.strictEqual((yield* call(`${url}/api/ml/v1/model-versions?ml_repo=${repo}`, { headers: alice })).json.pagination.total, 1)
    }))

  it.effect("apply and delete: a body of the wrong shape is 422 in JSON's words, saying how to wrap a bare manifest", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const issues = (body: unknown, path = "apply", method = "PUT") =>
        Effect.map(send(`${url}/api/svc/v1/${path}`, method, body), (answer) => [answer.status, answer.json.detail.map((i: any) => [i.loc.join("."), i.msg])])
      assert.deepStrictEqual(yield* issues({}), [422, [["body.manifest", "is required"]]])
      assert.deepStrictEqual(yield* issues({ manifest: null }), [422, [["body.manifest", "must be a JSON object (received null)"]]])
      assert.deepStrictEqual(yield* issues([]), [422, [["body", "must be a JSON object (received [])"]]])
      assert.deepStrictEqual(yield* issues({ manifest: base(freshRepo()), dryRun: "true" }), [422, [["body.dryRun", "must be true or false (received \"true\")"]]])
      const { name, ml_repo, type } = base(freshRepo())
      assert.deepStrictEqual(yield* issues({ type, name, ml_repo }, "delete", "POST"), [422, [
        ["body.type", `is not a known field (received ${JSON.stringify(type)})`],
        ["body.name", `is not a known field (received ${JSON.stringify(name)})`],
        ["body.ml_repo", `is not a known field (received ${JSON.stringify(ml_repo)})`],
        ["body.manifest", "is required: the body is a bare manifest; send it as {\"manifest\": {…}}"]
      ]])
    }))

  it.effect("POST /api/svc/v1/delete deletes the version the manifest names and answers {}", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const repo = freshRepo()
      const v1 = (yield* put(url, base(repo), alice)).json.data
      const deleted = yield* send(`${url}/api/svc/v1/delete`, "POST", { manifest: { ...base(repo), version: 1 } })
      assert.deepStrictEqual([deleted.status, deleted.json], [200, {}])
      assert.strictEqual((yield* call(`${url}/api/ml/v1/model-versions/${v1.id}`, { headers: alice })).status, 404)
      const again = yield* send(`${url}/api/svc/v1/delete`, "POST", { manifest: { ...base(repo), version: 1 } })
      assert.deepStrictEqual([again.status, again.json.code], [404, "NOT_FOUND"])
    }))

  it.effect("a read-only token may not apply, delete by manifest, or delete a model of a repo it reads (403)", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const v1 = (yield* put(url, base("shared"), alice)).json.data
      const applied = yield* send(`${url}/api/svc/v1/apply`, "PUT", { manifest: base("shared") }, bob)
      assert.deepStrictEqual([applied.status, applied.json.code], [403, "FORBIDDEN"])
      const deleted = yield* send(`${url}/api/svc/v1/delete`, "POST", { manifest: { ...base("shared"), version: 1 } }, bob)
      assert.deepStrictEqual([deleted.status, deleted.json.code], [403, "FORBIDDEN"])
      const model = yield* call(`${url}/api/ml/v1/models/${v1.model_id}`, { method: "DELETE", headers: bob })
      assert.deepStrictEqual([model.status, model.json.code], [403, "FORBIDDEN"])
      const read = yield* call(`${url}/api/ml/v1/models/${v1.model_id}`, { headers: bob })
      assert.deepStrictEqual([read.status, read.json.data.id], [200, v1.model_id])
    }))

  it.effect("the contract's derived client decodes the models and apply answers", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const client = yield* HttpApiClient.make(RegistryApi.make(), {
        baseUrl: url,
        transformClient: HttpClient.mapRequest(HttpClientRequest.setHeaders(alice))
      })
      const repo = freshRepo()
      const manifest = Schema.decodeUnknownSync(ModelManifest.ModelManifest)(base(repo))
      const applied = yield* client.apply.apply({ headers: {}, payload: { manifest } })
      assert.strictEqual(applied.action, "CREATE")
      const listed = yield* client.models.list({ urlParams: { ml_repo: repo } })
      assert.strictEqual(listed.data[0]!.latest_version?.id, applied.data?.id)
      const model = yield* client.models.get({ path: { id: listed.data[0]!.id } })
      assert.strictEqual(model.data.fqn, `model:default/${repo}/sentiment-clf`)
      const dry = yield* client.apply.apply({ headers: {}, payload: { manifest, dryRun: true } })
      assert.deepStrictEqual([dry.action, dry.manifest?.version, dry.data], ["CREATE", 2, undefined])
      yield* client.apply.delete({ payload: { manifest: Schema.decodeUnknownSync(ModelManifest.ModelManifest)({ ...base(repo), version: 1 }) } })
      assert.strictEqual((yield* client.models.list({ urlParams: { ml_repo: repo, include_empty_models: "false" } })).pagination.total, 0)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
