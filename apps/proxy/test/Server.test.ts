/**
 * The proxy over raw HTTP (plain `fetch`), embedded mode: every status of the error contract with its exact body,
 * the seed's request shape, conditional and idempotent upserts (CASES C2, C3), scopes, limits and extra routes.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { ModelVersions, RegistryError } from "@mreg/core"
import { Context, Effect, Layer } from "effect"
import * as Tokens from "../src/Tokens.js"
import { auth, base, call, freshRepo, layerServer, put, SUBJECTS, TestServer, TOKENS } from "./utils.js"

const alice = auth(TOKENS.alice)
const bob = auth(TOKENS.bob)
const carol = auth(TOKENS.carol)

// @effect/vitest's `layer` changes the shared `it` (a later `layer` call would nest in this one): a file has one; other
// servers are built per test.
/** The 400 INVALID_JSON body with its message and position. */
const invalidJson = (message: string, line: number, column: number) => ({ statusCode: 400, code: "INVALID_JSON", message, details: [{ line, column }] })

layer(layerServer(), { excludeTestServices: true })("Server (embedded, raw HTTP)", (it) => {
  it.effect("the seed's request shape: PUT {manifest} → 200 {data} with ETag, the caller as created_by_subject", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const repo = freshRepo()
      const answer = yield* put(url, base(repo), alice)
      assert.strictEqual(answer.status, 200)
      assert.strictEqual(answer.headers.get("content-type"), "application/json")
      assert.deepStrictEqual(Object.keys(answer.json), ["data"])
      const data = answer.json.data
      assert.strictEqual(answer.headers.get("etag"), `"${data.id}.1"`)
      assert.strictEqual(answer.headers.get("idempotent-replayed"), null)
      assert.strictEqual(data.fqn, `model:default/${repo}/sentiment-clf:1`)
      assert.deepStrictEqual(data.manifest, { ...base(repo), version: 1 })
      assert.deepStrictEqual(data.created_by_subject, SUBJECTS.alice)
      assert.deepStrictEqual([data.tags, data.metrics, data.deployable], [[], [], true])
      assert.deepStrictEqual(
        Object.keys(data).sort(),
        ["created_at", "created_by_subject", "deployable", "fqn", "id", "manifest", "metrics", "ml_repo_id", "model_id", "tags", "updated_at", "usage_code_snippet"]
      )
      const got = yield* call(`${url}/api/ml/v1/model-versions/${data.id}`, { headers: alice })
      assert.strictEqual(got.status, 200)
      assert.deepStrictEqual(got.json, answer.json)
      assert.strictEqual(got.headers.get("etag"), `"${data.id}.1"`)
    }))

  it.effect("/api/svc/v1 serves the same API", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const repo = freshRepo()
      const created = yield* call(`${url}/api/svc/v1/model-versions`, {
        method: "PUT",
        headers: alice,
        body: JSON.stringify({ manifest: base(repo) })
      })
      assert.strictEqual(created.status, 200)
      const listed = yield* call(`${url}/api/svc/v1/model-versions?ml_repo=${repo}`, { headers: alice })
      assert.strictEqual(listed.status, 200)
      assert.deepStrictEqual(listed.json.data.map((mv: any) => mv.id), [created.json.data.id])
      assert.deepStrictEqual(listed.json.pagination, { total: 1, offset: 0, limit: 100 })
    }))

  it.effect("C8: NaN in the body → 400 INVALID_JSON with line and column", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const body = `{"manifest": {"type": "model-version", "name": "sentiment-clf", "ml_repo": "nlp-team",
  "metadata": {"loss": NaN},
  "source": {"type": "truefoundry", "uri": "s3://bucket/sentiment/1"}}}`
      const answer = yield* put(url, body, alice)
      assert.strictEqual(answer.status, 400)
      assert.deepStrictEqual(answer.json, invalidJson("invalid JSON at line 2, column 24: unexpected \"N\": NaN is not a JSON value (JSON has no NaN or Infinity)", 2, 24))
    }))

  it.effect("400: a truncated body, a trailing comma, an empty body", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const truncated = yield* put(url, "{\"manifest\": {\"type\": ", alice)
      assert.deepStrictEqual([truncated.status, truncated.json], [400, invalidJson("invalid JSON at line 1, column 23: unexpected end of input: expected a JSON value", 1, 23)])
      const comma = yield* put(url, "{\"manifest\": {\n\"type\": \"model-version\",\n}}", alice)
      assert.deepStrictEqual(comma.json.details, [{ line: 3, column: 1 }])
      assert.strictEqual(comma.json.message, "invalid JSON at line 3, column 1: unexpected \"}\": expected a double-quoted property name after \",\"")
      const empty = yield* put(url, "", alice)
      assert.deepStrictEqual([empty.status, empty.json], [400, invalidJson("the request body is empty: expected a JSON object", 1, 1)])
    }))

  it.effect("400: nesting deeper than 64 levels, bytes that are not UTF-8", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const deep = yield* put(url, `{"manifest": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`, alice)
      assert.deepStrictEqual([deep.status, deep.json], [400, invalidJson("invalid JSON at line 1, column 77: nested deeper than 64 levels", 1, 77)])
      const body = new Uint8Array([...new TextEncoder().encode("{\n\"a\": \""), 0xff, ...new TextEncoder().encode("\"}")])
      const bytes = yield* call(`${url}/api/ml/v1/model-versions`, { method: "PUT", headers: alice, body })
      assert.deepStrictEqual([bytes.status, bytes.json.message, bytes.json.details], [400, "invalid JSON at line 2, column 7: the body is not valid UTF-8", [{ line: 2, column: 7 }]])
    }))

  it.effect("401 without a token, with a wrong token, with another scheme", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const missing = {
        statusCode: 401,
        code: "UNAUTHORIZED",
        message: "missing bearer token: send Authorization: Bearer <token>"
      }
      const none = yield* put(url, base(), {})
      assert.deepStrictEqual([none.status, none.json], [401, missing])
      const wrong = yield* put(url, base(), auth("not-a-known-token-123"))
      assert.deepStrictEqual([wrong.status, wrong.json], [401, { statusCode: 401, code: "UNAUTHORIZED", message: "unknown bearer token" }])
      const basic = yield* call(`${url}/api/ml/v1/model-versions`, { headers: { authorization: `Basic ${TOKENS.alice}` } })
      assert.deepStrictEqual([basic.status, basic.json], [401, missing])
      const get = yield* call(`${url}/api/ml/v1/model-versions/x`)
      assert.deepStrictEqual([get.status, get.json], [401, missing])
    }))

  it.effect("outside a token's ML repo scope: a write is 403, a version is 404 as a missing one, lists hold only its repos", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const nlp = freshRepo("nlp")
      const upsert = yield* put(url, base(nlp), bob)
      assert.deepStrictEqual([upsert.status, upsert.json], [403, {
        statusCode: 403,
        code: "FORBIDDEN",
        message: `subject "sa-bob" may not write ML repo "${nlp}"`
      }])
      const vision = freshRepo("vision")
      assert.strictEqual((yield* put(url, base(vision), bob)).status, 200)

      const created = (yield* put(url, base(nlp), alice)).json.data
      const notFound = [404, { statusCode: 404, code: "NOT_FOUND", message: `no model version with id "${created.id}"` }]
      const get = yield* call(`${url}/api/ml/v1/model-versions/${created.id}`, { headers: bob })
      assert.deepStrictEqual([get.status, get.json], notFound)
      const del = yield* call(`${url}/api/ml/v1/model-versions/${created.id}`, { method: "DELETE", headers: bob })
      assert.deepStrictEqual([del.status, del.json], notFound)
      const tags = yield* call(`${url}/api/ml/v1/model-versions/tags`, {
        method: "PUT",
        headers: bob,
        body: JSON.stringify({ model_version_id: created.id, tags: ["prod"] })
      })
      assert.deepStrictEqual([tags.status, tags.json], notFound)

      const list = yield* call(`${url}/api/ml/v1/model-versions?limit=1000`, { headers: bob })
      assert.strictEqual(list.status, 200)
      assert.isTrue(list.json.data.some((mv: any) => mv.manifest.ml_repo === vision))
      assert.isTrue(list.json.data.every((mv: any) => /^vision-|^shared$/.test(mv.manifest.ml_repo)))
      const listOther = yield* call(`${url}/api/ml/v1/model-versions?ml_repo=${nlp}`, { headers: bob })
      assert.deepStrictEqual([listOther.status, listOther.json], [200, { data: [], pagination: { total: 0, offset: 0, limit: 100 } }])
      const listOwn = yield* call(`${url}/api/ml/v1/model-versions?ml_repo=${vision}`, { headers: bob })
      assert.deepStrictEqual([listOwn.status, listOwn.json.pagination.total], [200, 1])

      const nothing = yield* put(url, base(vision), carol)
      assert.deepStrictEqual([nothing.status, nothing.json], [403, {
        statusCode: 403,
        code: "FORBIDDEN",
        message: "subject \"t-carol\" has no write scope"
      }])
      const readNothing = yield* call(`${url}/api/ml/v1/model-versions?ml_repo=${vision}`, { headers: carol })
      assert.deepStrictEqual([readNothing.status, readNothing.json.message], [403, "subject \"t-carol\" has no read scope"])
    }))

  it.effect("403 comes before validation: an invalid manifest in a foreign repo is 403, not 422", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const answer = yield* put(url, base("nlp-team", { version_alias: "1.0" }), bob)
      assert.deepStrictEqual([answer.status, answer.json.code], [403, "FORBIDDEN"])
    }))

  it.effect("404: unknown id, unknown route, wrong method — all JSON", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const id = "00000000-0000-4000-8000-000000000000"
      const unknown = yield* call(`${url}/api/ml/v1/model-versions/${id}`, { headers: alice })
      assert.deepStrictEqual([unknown.status, unknown.json], [404, {
        statusCode: 404,
        code: "NOT_FOUND",
        message: `no model version with id "${id}"`
      }])
      const route = yield* call(`${url}/api/ml/v2/things?x=1`, { headers: alice })
      assert.deepStrictEqual([route.status, route.headers.get("content-type"), route.json], [404, "application/json", {
        statusCode: 404,
        code: "NOT_FOUND",
        message: "no route for GET /api/ml/v2/things: model versions and models are under /api/ml/v1 and /api/svc/v1, apply and delete under /api/svc/v1 only (see /docs)"
      }])
      const deliveries = yield* call(`${url}/webhooks/deliveries`, { headers: alice })
      assert.deepStrictEqual([deliveries.status, deliveries.json], [404, {
        statusCode: 404,
        code: "NOT_FOUND",
        message: "no route for GET /webhooks/deliveries: webhooks are off (start mreg-proxy with --webhooks-file or MREG_WEBHOOKS_FILE to deliver and list them)"
      }])
      // Webhooks off: the route answers the same 404 to every caller (no token, query string or not), other methods are no route.
      const anonymous = yield* call(`${url}/webhooks/deliveries?limit=0`)
      assert.deepStrictEqual([anonymous.status, anonymous.json], [deliveries.status, deliveries.json])
      const post = yield* call(`${url}/webhooks/deliveries`, { method: "POST", headers: alice, body: "{}" })
      assert.deepStrictEqual([post.status, post.json.message], [
        404,
        "no route for POST /webhooks/deliveries: model versions and models are under /api/ml/v1 and /api/svc/v1, apply and delete under /api/svc/v1 only (see /docs)"
      ])
      const method = yield* call(`${url}/api/ml/v1/model-versions`, { method: "POST", headers: alice, body: "{}" })
      assert.deepStrictEqual([method.status, method.json.message], [
        404,
        "no route for POST /api/ml/v1/model-versions: model versions and models are under /api/ml/v1 and /api/svc/v1, apply and delete under /api/svc/v1 only (see /docs)"
      ])
      const deleted = yield* call(`${url}/api/ml/v1/model-versions/${id}`, { method: "DELETE", headers: alice })
      assert.deepStrictEqual([deleted.status, deleted.json.code], [404, "NOT_FOUND"])
      // An id longer than the router's default 100 characters reaches the handler (it was a "no route" 404).
      const long = "a".repeat(101)
      const longId = yield* call(`${url}/api/ml/v1/model-versions/${long}`, { headers: alice })
      assert.deepStrictEqual([longId.status, longId.json], [404, { statusCode: 404, code: "NOT_FOUND", message: `no model version with id "${long}"` }])
      const longModel = yield* call(`${url}/api/ml/v1/models/${long}`, { headers: alice })
      assert.deepStrictEqual([longModel.status, longModel.json.code, longModel.json.message.startsWith("no route")], [404, "NOT_FOUND", false])
    }))

  it.effect("409: IMMUTABLE_FIELD, VERSION_DELETED, ALIAS_IN_USE, TAG_IN_USE", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const repo = freshRepo()
      const v1 = (yield* put(url, base(repo, { version_alias: "v1-prod" }), alice)).json.data
      const immutable = yield* put(url, base(repo, { version: 1, source: { type: "truefoundry", uri: "s3://other" } }), alice)
      assert.deepStrictEqual([immutable.status, immutable.json], [409, {
        statusCode: 409,
        code: "IMMUTABLE_FIELD",
        message:
          "manifest.source is fixed when a version is created and cannot change: stored {\"type\":\"truefoundry\",\"uri\":\"s3://bucket/sentiment/1\"}, received {\"type\":\"truefoundry\",\"uri\":\"s3://other\"}",
        details: [{ field: "manifest.source" }]
      }])
      const alias = yield* put(url, base(repo, { version_alias: "v1-PROD" }), alice)
      assert.deepStrictEqual([alias.status, alias.json], [409, {
        statusCode: 409,
        code: "ALIAS_IN_USE",
        message: "version alias \"v1-PROD\" is held by version 1 of this model (as \"v1-prod\"); aliases are unique within a model, ignoring case",
        details: [{ field: "manifest.version_alias", alias: "v1-prod", version: 1 }]
      }])
      const v2 = (yield* put(url, base(repo), alice)).json.data
      const tag = (id: string, tags: Array<string>) =>
        call(`${url}/api/ml/v1/model-versions/tags`, { method: "PUT", headers: alice, body: JSON.stringify({ model_version_id: id, tags }) })
      const tagged = yield* tag(v1.id, ["prod"])
      assert.deepStrictEqual([tagged.status, tagged.json], [200, {}])
      const clash = yield* tag(v2.id, ["PROD"])
      assert.deepStrictEqual([clash.status, clash.json], [409, {
        statusCode: 409,
        code: "TAG_IN_USE",
        message: "tag \"prod\" is held by version 1 of this model; tags are unique within a model, ignoring case; force moves it (\"force\": true, or mreg tag --force)",
        details: [{ field: "tags", tag: "prod", version: 1 }]
      }])
      const deleted = yield* call(`${url}/api/ml/v1/model-versions/${v1.id}`, { method: "DELETE", headers: alice })
      assert.deepStrictEqual([deleted.status, deleted.json], [200, {}])
      const reused = yield* put(url, base(repo, { version: 1 }), alice)
      assert.deepStrictEqual([reused.status, reused.json], [409, {
        statusCode: 409,
        code: "VERSION_DELETED",
        message: `version 1 of ${repo}/sentiment-clf was deleted and version numbers are never reused; omit "version" to create version 3`,
        details: [{ field: "manifest.version", version: 1 }]
      }])
    }))

  it.effect("412: a stale If-Match answers with the current ETag (body and header)", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const repo = freshRepo()
      const first = yield* put(url, base(repo), alice)
      const etag1 = first.headers.get("etag")!
      const updated = yield* put(url, base(repo, { version: 1, description: "d" }), { ...alice, "if-match": etag1 })
      assert.strictEqual(updated.status, 200)
      const etag2 = updated.headers.get("etag")!
      assert.strictEqual(etag2, `"${first.json.data.id}.2"`)
      const stale = yield* put(url, base(repo, { version: 1, description: "e" }), { ...alice, "if-match": etag1 })
      assert.deepStrictEqual([stale.status, stale.headers.get("etag"), stale.json], [412, etag2, {
        statusCode: 412,
        code: "PRECONDITION_FAILED",
        message: `version 1 has changed since ${etag1}: its current ETag is ${etag2}`,
        details: [{ etag: etag2 }]
      }])
    }))

  it.effect("C2: two writers create version 3 with If-None-Match: *; one wins, the other gets 412 with the winner's ETag", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const repo = freshRepo()
      yield* put(url, base(repo), alice)
      yield* put(url, base(repo), alice)
      const uris = ["s3://bucket/a", "s3://bucket/b"]
      const answers = yield* Effect.all(
        uris.map((uri) => put(url, base(repo, { version: 3, source: { type: "truefoundry", uri } }), { ...alice, "if-none-match": "*" })),
        { concurrency: "unbounded" }
      )
      const statuses = answers.map((a) => a.status).sort()
      assert.deepStrictEqual(statuses, [200, 412])
      const winner = answers.find((a) => a.status === 200)!
      const loser = answers.find((a) => a.status === 412)!
      assert.deepStrictEqual(loser.json, {
        statusCode: 412,
        code: "PRECONDITION_FAILED",
        message: "version 3 already exists and If-None-Match: * allows only creating it",
        details: [{ etag: winner.headers.get("etag") }]
      })
      const stored = yield* call(`${url}/api/ml/v1/model-versions/${winner.json.data.id}`, { headers: alice })
      assert.deepStrictEqual(stored.json, winner.json)
      assert.isTrue(uris.includes(stored.json.data.manifest.source.uri))
    }))

  it.effect("C3: a retry with the same Idempotency-Key replays (Idempotent-Replayed: true); another body with it is 409", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const repo = freshRepo()
      const key = { ...alice, "idempotency-key": `k-${repo}` }
      const first = yield* put(url, base(repo), key)
      const retry = yield* put(url, base(repo), key)
      assert.deepStrictEqual([first.status, retry.status], [200, 200])
      assert.strictEqual(first.headers.get("idempotent-replayed"), null)
      assert.strictEqual(retry.headers.get("idempotent-replayed"), "true")
      assert.deepStrictEqual(
        [retry.json.data.id, retry.json.data.fqn, retry.json.data.manifest.version],
        [first.json.data.id, first.json.data.fqn, 1]
      )
      assert.strictEqual(retry.headers.get("etag"), first.headers.get("etag"))
      const other = yield* put(url, base(repo, { metadata: { other: true } }), key)
      assert.deepStrictEqual([other.status, other.json], [409, {
        statusCode: 409,
        code: "IDEMPOTENCY_KEY_REUSED",
        message: `Idempotency-Key "k-${repo}" was already used with a different request; use a new key for a new request`
      }])
      const listed = yield* call(`${url}/api/ml/v1/model-versions?ml_repo=${repo}`, { headers: alice })
      assert.strictEqual(listed.json.pagination.total, 1)
    }))

  it.effect("C12: 12 MB of metadata → 413 JSON (Content-Length checked first)", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const body = JSON.stringify({ manifest: base(freshRepo(), { metadata: { blob: "x".repeat(12 * 1024 * 1024) } }) })
      const answer = yield* put(url, body, alice)
      assert.deepStrictEqual([answer.status, answer.headers.get("content-type"), answer.json], [413, "application/json", {
        statusCode: 413,
        code: "PAYLOAD_TOO_LARGE",
        message: `the request body is ${Buffer.byteLength(body)} bytes; the limit is 1048576 bytes`,
        details: [{ limit: 1048576 }]
      }])
      const after = yield* call(`${url}/healthz`)
      assert.strictEqual(after.status, 200)
    }))

  it.effect("413 for a streamed body without Content-Length, as soon as it crosses the limit", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const chunk = new TextEncoder().encode("x".repeat(64 * 1024))
      let sent = 0
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 40) return controller.close()
          sent++
          controller.enqueue(chunk)
        }
      })
      const answer = yield* call(`${url}/api/ml/v1/model-versions`, {
        method: "PUT",
        headers: alice,
        body: stream,
        duplex: "half"
      } as RequestInit)
      assert.deepStrictEqual([answer.status, answer.json], [413, {
        statusCode: 413,
        code: "PAYLOAD_TOO_LARGE",
        message: "the request body is larger than the limit of 1048576 bytes",
        details: [{ limit: 1048576 }]
      }])
    }))

  it.effect("C6: 422 lists every problem with its loc, headers included", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const answer = yield* put(
        url,
        base(freshRepo(), {
          framework: { type: "transformers", library_name: "pytorch", pipeline_tag: "text-generaton" },
          metadata: { language: null },
          version_aliass: "v1"
        }),
        { ...alice, "if-none-match": "\"abc\"" }
      )
      assert.strictEqual(answer.status, 422)
      assert.strictEqual(answer.json.statusCode, 422)
      assert.strictEqual(answer.json.code, "VALIDATION_ERROR")
      assert.deepStrictEqual(answer.json.detail.map((d: any) => d.loc), [
        ["body", "manifest", "version_aliass"],
        ["body", "manifest", "framework", "library_name"],
        ["body", "manifest", "framework", "pipeline_tag"],
        ["header", "if-none-match"]
      ])
      assert.match(answer.json.detail[2].msg, /did you mean "text-generation"/)
      assert.deepStrictEqual(answer.json.detail[3], {
        loc: ["header", "if-none-match"],
        msg: "must be * (create only) (received \"\\\"abc\\\"\")",
        type: "value_error"
      })
      assert.strictEqual(answer.json.message.startsWith("4 problems: manifest.version_aliass: is not a known field"), true)
    }))

  it.effect("422 for query parameters, including the framework's own decode error", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const bad = yield* call(`${url}/api/ml/v1/model-versions?limit=0&offset=-1&version=x&run_steps=1,b&fqn=nope`, { headers: alice })
      assert.strictEqual(bad.status, 422)
      assert.deepStrictEqual(bad.json.detail, [
        { loc: ["query", "fqn"], msg: "must be model:{tenant}/{ml_repo}/{name}, optionally followed by :{version, alias or latest} (received \"nope\")", type: "value_error" },
        { loc: ["query", "version"], msg: "must be a whole number written in digits or latest (received \"x\")", type: "type_error" },
        { loc: ["query", "offset"], msg: "must be a whole number written in digits (received \"-1\")", type: "type_error" },
        { loc: ["query", "run_steps"], msg: "must be whole numbers from 0 to 2147483647, comma-separated or repeated (received \"b\")", type: "type_error" },
        { loc: ["query", "limit"], msg: "must be an integer from 1 to 1000 (received 0)", type: "value_error" }
      ])
      const twice = yield* call(`${url}/api/ml/v1/model-versions?limit=1&limit=2`, { headers: alice })
      assert.deepStrictEqual([twice.status, twice.json], [422, {
        statusCode: 422,
        code: "VALIDATION_ERROR",
        message: "1 problem: query.limit: must be given once, as text",
        detail: [{ loc: ["query", "limit"], msg: "must be given once, as text", type: "type_error" }]
      }])
    }))

  it.effect("list filters: run_ids and run_steps comma-separated or repeated", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const repo = freshRepo()
      for (const [i, run] of ["r1", "r2", "r3"].entries()) yield* put(url, base(repo, { run_id: run, step: i }), alice)
      const versions = (query: string) =>
        Effect.map(call(`${url}/api/ml/v1/model-versions?ml_repo=${repo}&${query}`, { headers: alice }), (a) =>
          a.json.data.map((mv: any) => mv.manifest.version))
      assert.deepStrictEqual(yield* versions("run_ids=r1,r3"), [3, 1])
      assert.deepStrictEqual(yield* versions("run_ids=r1&run_ids=r2"), [2, 1])
      assert.deepStrictEqual(yield* versions("run_steps=1,2"), [3, 2])
      assert.deepStrictEqual(yield* versions("limit=1&offset=1"), [2])
    }))

  it.effect("tags: applyTags validates its body (422) and needs an existing version (404)", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const tags = (body: unknown) =>
        call(`${url}/api/ml/v1/model-versions/tags`, { method: "PUT", headers: alice, body: JSON.stringify(body) })
      const invalid = yield* tags({ model_version_id: "", tags: ["bad tag"], extra: 1 })
      assert.strictEqual(invalid.status, 422)
      assert.deepStrictEqual(invalid.json.detail.map((d: any) => d.loc), [["body", "extra"], ["body", "model_version_id"], ["body", "tags", 0]])
      const missing = yield* tags({ model_version_id: "00000000-0000-4000-8000-000000000001", tags: ["prod"] })
      assert.deepStrictEqual([missing.status, missing.json.code], [404, "NOT_FOUND"])
    }))

  it.effect("X-Request-Id is echoed (or made up) and each request is one JSON log line without the token", () =>
    Effect.gen(function*() {
      const { logs, url } = yield* TestServer
      const answer = yield* put(url, base(freshRepo()), { ...alice, "x-request-id": "req-42" })
      assert.strictEqual(answer.headers.get("x-request-id"), "req-42")
      const made = yield* call(`${url}/healthz`, { headers: { "x-request-id": "bad id with spaces" } })
      assert.match(made.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/)
      const line = logs.map((l) => JSON.parse(l)).find((entry) => entry.request_id === "req-42")
      assert.deepStrictEqual(Object.keys(line), ["time", "level", "msg", "method", "path", "status", "duration_ms", "subject", "request_id"])
      assert.deepStrictEqual(
        [line.level, line.msg, line.method, line.path, line.status, line.subject],
        ["info", "request", "PUT", "/api/ml/v1/model-versions", 200, "u-alice"]
      )
      assert.strictEqual(typeof line.duration_ms, "number")
      for (const token of Object.values(TOKENS)) assert.isFalse(logs.some((l) => l.includes(token)))
      assert.isFalse(logs.some((l) => /authorization|bearer/i.test(l)))
    }))

  it.effect("/healthz, /readyz, /openapi.json and /docs (inline, no external script)", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const health = yield* call(`${url}/healthz`)
      assert.deepStrictEqual([health.status, health.json], [200, { status: "ok" }])
      const ready = yield* call(`${url}/readyz`)
      assert.deepStrictEqual([ready.status, ready.json], [200, { status: "ok" }])
      const spec = yield* call(`${url}/openapi.json`)
      assert.strictEqual(spec.status, 200)
      assert.strictEqual(spec.json.openapi, "3.1.0")
      assert.deepStrictEqual(Object.keys(spec.json.paths), [
        "/api/ml/v1/model-versions",
        "/api/ml/v1/model-versions/tags",
        "/api/ml/v1/model-versions/{id}",
        "/api/ml/v1/model-versions/{id}/history",
        "/api/ml/v1/models",
        "/api/ml/v1/models/{id}",
        "/api/svc/v1/apply",
        "/api/svc/v1/delete"
      ])
      assert.isFalse(spec.text.includes("HttpApiDecodeError"))
      assert.deepStrictEqual(Object.keys(spec.json.paths["/api/ml/v1/model-versions"].put.responses), [
        "200", "400", "401", "403", "409", "412", "413", "422", "500", "502", "503", "504"
      ])
      const docs = yield* call(`${url}/docs`)
      assert.strictEqual(docs.status, 200)
      assert.match(docs.headers.get("content-type")!, /^text\/html/)
      assert.isTrue(docs.text.includes("SwaggerUIBundle"))
      assert.isFalse(/<script[^>]+src=|<link[^>]+href="https?:/i.test(docs.text))
      assert.isTrue(docs.text.includes("<title>mreg model-version API Documentation</title>"))
      // Built on the first request (the Swagger module is imported then) and kept: the same page again.
      const again = yield* call(`${url}/docs?again=1`)
      assert.deepStrictEqual([again.status, again.text === docs.text], [200, true])
    }))
})

/** A store that cannot be reached on `list` (so `/readyz` is not ready); any other call is a bug of the test. */
const notReadyRegistry = Layer.succeed(ModelVersions.ModelVersions, {
  upsert: () => Effect.dieMessage("not implemented"),
  get: () => Effect.dieMessage("not implemented"),
  list: () => Effect.fail(new RegistryError.StoreUnavailable({ message: "the registry store cannot be reached", retryAfter: 2 })),
  delete: () => Effect.dieMessage("not implemented"),
  applyTags: () => Effect.dieMessage("not implemented"),
  listModels: () => Effect.dieMessage("not implemented"),
  getModel: () => Effect.dieMessage("not implemented"),
  deleteModel: () => Effect.dieMessage("not implemented"),
  history: () => Effect.dieMessage("not implemented")
})

describe("Server (failing backend)", () => {
  const withServer = <A, E>(f: (server: typeof TestServer.Service) => Effect.Effect<A, E>) =>
    Effect.flatMap(Layer.build(layerServer({ registry: notReadyRegistry, tokens: Tokens.layerInsecure })), (context) =>
      f(Context.get(context, TestServer)))

  it.scopedLive("/readyz is 503 JSON when the store does not answer; /healthz stays 200", () =>
    withServer(({ url }) =>
      Effect.gen(function*() {
        const ready = yield* call(`${url}/readyz`)
        assert.deepStrictEqual([ready.status, ready.json], [503, {
          statusCode: 503,
          code: "NOT_READY",
          message: "the registry store does not answer"
        }])
        assert.strictEqual((yield* call(`${url}/healthz`)).status, 200)
      })))

  it.scopedLive("a store that cannot be reached → 503 STORE_UNAVAILABLE with Retry-After", () =>
    withServer(({ url }) =>
      Effect.gen(function*() {
        const answer = yield* call(`${url}/api/ml/v1/model-versions?ml_repo=nlp`)
        assert.deepStrictEqual([answer.status, answer.headers.get("retry-after"), answer.json], [503, "2", {
          statusCode: 503,
          code: "STORE_UNAVAILABLE",
          message: "the registry store cannot be reached",
          details: [{ retryAfter: 2 }]
        }])
      })))

  it.scopedLive("an unexpected failure is 500 JSON without its text, and is logged", () =>
    withServer(({ logs, url }) =>
      Effect.gen(function*() {
        const answer = yield* call(`${url}/api/ml/v1/model-versions/abc`, { headers: { "x-request-id": "r-500" } })
        assert.deepStrictEqual([answer.status, answer.json], [500, {
          statusCode: 500,
          code: "INTERNAL_ERROR",
          message: "internal error; the request may not have been applied (request id r-500)"
        }])
        assert.isFalse(answer.text.includes("not implemented"))
        assert.isTrue(logs.some((l) => JSON.parse(l).msg === "unexpected failure while serving a request"))
      })))
})
