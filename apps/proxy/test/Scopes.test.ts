/**
 * Scoped reads and page tokens through the proxy over raw HTTP, on SQLite, PostgreSQL and in upstream mode (in front
 * of a second proxy): a token scoped to some ML repos sees the registry as if only those existed (lists, filters,
 * get, delete, tags; models; apply and delete by manifest), and `page_token` walks every page.
 */
import { assert, describe, it } from "@effect/vitest"
import { ModelVersionsSql } from "@mreg/registry"
import { Context, Effect, Layer, Option, Redacted, type Scope } from "effect"
import { randomUUID } from "node:crypto"
import * as Proxy from "../src/Proxy.js"
import * as Tokens from "../src/Tokens.js"
import { auth, base, call, embedded, layerServer, put, TestServer } from "./utils.js"

const prefix = `sc${randomUUID().slice(0, 8)}`
const repo = (name: string) => `${prefix}-${name}`
// The models' test has ML repos of its own (a PostgreSQL store is shared by both tests).
const modelsPrefix = `sm${randomUUID().slice(0, 8)}`
const modelsRepo = (name: string) => `${modelsPrefix}-${name}`
const subject = (id: string) => ({ subjectId: id, subjectType: "serviceaccount" as const })
const TOKEN = { admin: "admin-token-0123456789", dave: "dave-token-0123456789", erin: "erin-token-0123456789", fay: "fay-token-01234567890" }
const tokens = Tokens.layer({
  tokens: [
    { token: TOKEN.admin, subject: subject("sa-admin"), scopes: [{ ml_repo: "*", access: "write" }] },
    { token: TOKEN.dave, subject: subject("sa-dave"), scopes: [{ ml_repo: repo("vision-*"), access: "write" }, { ml_repo: repo("shared"), access: "read" }] },
    { token: TOKEN.erin, subject: subject("sa-erin"), scopes: [{ ml_repo: repo("shared"), access: "read" }] },
    {
      token: TOKEN.fay,
      subject: subject("sa-fay"),
      scopes: [{ ml_repo: modelsRepo("vision-*"), access: "write" }, { ml_repo: modelsRepo("shared"), access: "read" }]
    }
  ]
}).pipe(Layer.orDie)
const [admin, dave, erin, fay] = [auth(TOKEN.admin), auth(TOKEN.dave), auth(TOKEN.erin), auth(TOKEN.fay)]

/** How a backend serves a scope with several patterns: in the store (exact totals), or by dropping an upstream's rows. */
type Backend = { readonly name: string; readonly server: Effect.Effect<string, never, Scope.Scope>; readonly exact: boolean }

const serve = (options: Parameters<typeof layerServer>[0]) =>
  Effect.map(Layer.build(layerServer({ tokens, ...options })), (context) => Context.get(context, TestServer).url)

const pgUrl = process.env.MREG_TEST_DATABASE_URL
const backends: Array<Backend> = [
  { name: "SQLite", server: serve({ registry: embedded }), exact: true },
  ...(pgUrl === undefined || pgUrl === "" ? [] : [{
    name: "PostgreSQL",
    server: serve({ registry: ModelVersionsSql.layerPg({ url: Redacted.make(pgUrl) }).pipe(Layer.orDie) }),
    exact: true
  }]),
  {
    name: "upstream mode (in front of a second proxy)",
    server: Effect.flatMap(serve({ registry: embedded }), (upstream) =>
      serve({
        backend: "upstream",
        registry: Proxy.layerUpstream({ baseUrl: upstream, token: Option.some(Redacted.make(TOKEN.admin)), timeoutMs: 10_000, retries: 2 })
      })),
    exact: false
  }
]

const label = (mv: any) => `${mv.manifest.ml_repo}/${mv.manifest.name}:${mv.manifest.version}`
const json = (answer: { readonly json: any }) => answer.json

/** A page token that is not one is a 422 at query.page_token naming the rule. */
const expectBadToken = (api: string, headers: Record<string, string>) =>
  Effect.map(call(`${api}?page_token=%7Bnope%7D`, { headers }), (bad) =>
    assert.deepStrictEqual([bad.status, bad.json.detail], [422, [{
      loc: ["query", "page_token"],
      msg: "must be a page token from pagination.next_page_token of an earlier answer, sent back unchanged (received \"{nope}\")",
      type: "value_error"
    }]]))

/**
 * Every row of a list walked with limit=1 by next_page_token (at most 1000 pages): their labels, and the ML repos
 * the tokens named.
 */
const walk = (list: (query: string) => Effect.Effect<any>, labelOf: (row: any) => string) =>
  Effect.gen(function*() {
    const labels: Array<string> = []
    const tokenRepos = new Set<string>()
    for (let query = "limit=1", pages = 0; pages < 1000; pages++) {
      const page = yield* list(query)
      labels.push(...page.data.map(labelOf))
      const token = page.pagination.next_page_token
      if (token === undefined) break
      tokenRepos.add(JSON.parse(Buffer.from(token, "base64url").toString("utf8"))[0])
      query = `limit=1&page_token=${token}`
    }
    return { labels, tokenRepos: [...tokenRepos] }
  })

for (const backend of backends) {
  describe(`Scopes through the proxy: ${backend.name}`, () => {
    it.scopedLive("lists, filters, get, delete and tags see only the token's ML repos; page tokens walk them", () =>
      Effect.gen(function*() {
        const url = yield* backend.server
        const api = `${url}/api/ml/v1/model-versions`
        const create = (mlRepo: string) => Effect.map(put(url, base(mlRepo), admin), (answer) => answer.json.data)
        const [va1, va2, vb1, shared1, nlp1, nlp2] = yield* Effect.all([
          create(repo("vision-a")), create(repo("vision-a")), create(repo("vision-b")), create(repo("shared")), create(repo("nlp")), create(repo("nlp"))
        ], { concurrency: 1 })
        const list = (query: string, headers = dave) => Effect.map(call(`${api}?${query}`, { headers }), json)

        // Unfiltered: only dave's ML repos, in list order.
        const mine = [shared1, va2, va1, vb1].map(label)
        const all = yield* list("limit=100")
        assert.deepStrictEqual(all.data.map(label).filter((l: string) => l.startsWith(prefix)), mine)
        if (backend.exact) assert.deepStrictEqual(all.pagination, { total: 4, offset: 0, limit: 100 })
        const one = yield* list(`limit=5`, erin)
        assert.deepStrictEqual([one.data.map(label), one.pagination.total], [[label(shared1)], 1])

        // Filters naming another ML repo: an empty page, not a 403.
        for (const filter of [`ml_repo=${repo("nlp")}`, `fqn=${encodeURIComponent(nlp1.fqn)}`, `ml_repo_id=${nlp1.ml_repo_id}`, `model_id=${nlp1.model_id}`]) {
          const answer = yield* call(`${api}?${filter}`, { headers: dave })
          assert.deepStrictEqual([answer.status, answer.json], [200, { data: [], pagination: { total: 0, offset: 0, limit: 100 } }], filter)
        }

        // Another ML repo's version is 404 exactly as a missing one, for read, delete and tags; nothing changes.
        for (const id of [nlp2.id, randomUUID()]) {
          const notFound = [404, { statusCode: 404, code: "NOT_FOUND", message: `no model version with id "${id}"` }]
          const got = yield* call(`${api}/${id}`, { headers: dave })
          const deleted = yield* call(`${api}/${id}`, { method: "DELETE", headers: dave })
          const tagged = yield* call(`${api}/tags`, { method: "PUT", headers: dave, body: JSON.stringify({ model_version_id: id, tags: ["prod"] }) })
          assert.deepStrictEqual([got, deleted, tagged].map((a) => [a.status, a.json]), [notFound, notFound, notFound])
        }
        assert.deepStrictEqual(json(yield* call(`${api}/${nlp2.id}`, { headers: admin })).data, nlp2)

        // 403 only for what a token may not do on an ML repo it sees.
        const readOnly = yield* call(`${api}/${shared1.id}`, { method: "DELETE", headers: dave })
        assert.deepStrictEqual([readOnly.status, readOnly.json.message], [403, `subject "sa-dave" may not write ML repo "${repo("shared")}"`])
        const tagged = yield* call(`${api}/tags`, { method: "PUT", headers: dave, body: JSON.stringify({ model_version_id: va1.id, tags: ["prod"] }) })
        assert.strictEqual(tagged.status, 200)
        assert.strictEqual((yield* call(`${api}/${vb1.id}`, { method: "DELETE", headers: dave })).status, 200)

        // Page tokens: limit 1, following next_page_token; a bad token is 422 at query.page_token.
        assert.deepStrictEqual((yield* walk((query) => list(`ml_repo=${repo("vision-a")}&${query}`), label)).labels, [label(va2), label(va1)])

        // Unfiltered, page by page: each of dave's versions once, and no token names another ML repo (upstream mode
        // fills each page from the upstream's next pages and makes its own token).
        const unfiltered = yield* walk(list, label)
        assert.deepStrictEqual(unfiltered.labels.filter((l) => l.startsWith(prefix)), [shared1, va2, va1].map(label))
        assert.deepStrictEqual(unfiltered.tokenRepos.filter((r) => !/^sc[0-9a-f]{8}-(vision-.*|shared)$/.test(r)), [])
        yield* expectBadToken(api, dave)
      }), 60_000)

    it.scopedLive("models, apply and delete by manifest see only the token's ML repos; page tokens walk the models", () =>
      Effect.gen(function*() {
        const url = yield* backend.server
        const api = `${url}/api/ml/v1/models`
        const create = (mlRepo: string, name = "m") => Effect.map(put(url, base(mlRepo, { name }), admin), (answer) => answer.json.data)
        const [va, vb, shared, nlp] = yield* Effect.all([
          create(modelsRepo("vision-a")), create(modelsRepo("vision-b")), create(modelsRepo("shared")), create(modelsRepo("nlp"))
        ], { concurrency: 1 })
        yield* create(modelsRepo("nlp"), "m2")
        const list = (query: string) => Effect.map(call(`${api}?${query}`, { headers: fay }), json)
        const modelLabel = (model: any) => model.fqn.split("/").slice(1).join("/")

        // Unfiltered: only fay's ML repos, `total` counting only them (every backend: the page holds every model).
        const all = yield* list("limit=100")
        assert.deepStrictEqual(all.data.map(modelLabel), [shared, va, vb].map((mv) => `${mv.manifest.ml_repo}/m`))
        assert.deepStrictEqual(all.pagination, { total: 3, offset: 0, limit: 100 })

        // Filters naming another ML repo: an empty page, not a 403.
        for (const filter of [`ml_repo=${modelsRepo("nlp")}`, `fqn=${encodeURIComponent(`model:default/${modelsRepo("nlp")}/m`)}`, `ml_repo_id=${nlp.ml_repo_id}`]) {
          const answer = yield* call(`${api}?${filter}`, { headers: fay })
          assert.deepStrictEqual([answer.status, answer.json], [200, { data: [], pagination: { total: 0, offset: 0, limit: 100 } }], filter)
        }

        // Another ML repo's model is 404 exactly as a missing one, for read and delete; nothing changes.
        for (const id of [nlp.model_id, randomUUID()]) {
          const notFound = [404, { statusCode: 404, code: "NOT_FOUND", message: `no model with id ${JSON.stringify(id)}` }]
          const got = yield* call(`${api}/${id}`, { headers: fay })
          const deleted = yield* call(`${api}/${id}`, { method: "DELETE", headers: fay })
          assert.deepStrictEqual([got, deleted].map((a) => [a.status, a.json]), [notFound, notFound])
        }
        assert.strictEqual(json(yield* call(`${api}/${nlp.model_id}`, { headers: admin })).data.latest_version.id, nlp.id)

        // 403 only for what a token may not do on an ML repo it sees; apply and delete by manifest as upserts.
        const readOnly = yield* call(`${api}/${shared.model_id}`, { method: "DELETE", headers: fay })
        assert.deepStrictEqual([readOnly.status, readOnly.json.message], [403, `subject "sa-fay" may not write ML repo "${modelsRepo("shared")}"`])
        const send = (path: string, method: string, manifest: unknown) =>
          call(`${url}/api/svc/v1/${path}`, { method, headers: { ...fay, "content-type": "application/json" }, body: JSON.stringify({ manifest }) })
        for (const mlRepo of [modelsRepo("shared"), modelsRepo("nlp")]) {
          const applied = yield* send("apply", "PUT", base(mlRepo, { name: "m" }))
          const removed = yield* send("delete", "POST", base(mlRepo, { name: "m", version: 1 }))
          for (const answer of [applied, removed]) {
            assert.deepStrictEqual([answer.status, answer.json.message], [403, `subject "sa-fay" may not write ML repo "${mlRepo}"`])
          }
        }
        const applied = yield* send("apply", "PUT", base(modelsRepo("vision-a"), { name: "m", version: 1, description: "again" }))
        assert.deepStrictEqual([applied.status, applied.json.action, applied.json.existingManifest.version], [200, "UPDATE", 1])
        assert.strictEqual((yield* call(`${api}/${vb.model_id}`, { method: "DELETE", headers: fay })).status, 200)

        // Page tokens: limit 1, following next_page_token (upstream pages may hold nothing of fay's, never a model twice).
        // Upstream mode fills each page from the upstream's next pages and makes its own token: none names nlp.
        const walked = yield* walk(list, modelLabel)
        assert.deepStrictEqual(walked.labels, [shared, va].map((mv) => `${mv.manifest.ml_repo}/m`))
        assert.deepStrictEqual(walked.tokenRepos, [modelsRepo("shared")])
        yield* expectBadToken(api, fay)
      }), 60_000)
  })
}
