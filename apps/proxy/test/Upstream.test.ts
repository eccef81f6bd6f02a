/**
 * Upstream mode: the proxy in front of a second in-process server on loopback that misbehaves on command. Every test
 * asserts the exact answer and how many requests reached the upstream.
 */
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import * as Tokens from "../src/Tokens.js"
import * as Upstream from "../src/Upstream.js"
import * as Fake from "./FakeUpstream.js"
import { auth, base, call, layerServer, put, TestServer, TOKENS, tokensFile } from "./utils.js"

const CALLER = "caller-token-0123456789"
const caller = auth(CALLER)

/** A model version as a newer control plane might send it: fields mreg does not know must survive. */
const remoteVersion = (mlRepo = "nlp-team") => ({
  id: "mv-123",
  fqn: `model:acme/${mlRepo}/sentiment-clf:1`,
  created_by_subject: { subjectId: "u-1", subjectType: "user" },
  manifest: { ...base(mlRepo), version: 1, future_field: [1, 2] },
  ml_repo_id: "r-1",
  model_id: "m-1",
  created_at: "2024-06-01T12:00:00.000Z",
  updated_at: "2024-06-01T12:00:00.000Z",
  tags: [],
  metrics: [],
  deployable: true,
  unknown_top_level: { kept: true }
})

interface Setup {
  readonly url: string
  readonly fake: Fake.Service
}

/** A fake upstream and a proxy in front of it (pass-through auth unless `tokens` is given), for one test. */
const withProxy = <A, E>(
  f: (setup: Setup) => Effect.Effect<A, E>,
  options: { readonly tokens?: Layer.Layer<Tokens.Tokens>; readonly token?: string; readonly timeoutMs?: number } = {}
) =>
  Effect.gen(function*() {
    const fakeContext = yield* Layer.build(Fake.layer)
    const fake = Context.get(fakeContext, Fake.FakeUpstream)
    const backend = Upstream.layer({
      url: fake.url,
      token: options.token === undefined ? Option.none() : Option.some(Redacted.make(options.token)),
      timeoutMs: options.timeoutMs ?? 2_000,
      retries: 2,
      retryBaseDelayMs: 5
    }).pipe(Layer.provide(FetchHttpClient.layer))
    const proxy = yield* Layer.build(layerServer({ backend, tokens: options.tokens ?? Tokens.layerPassthrough }))
    return yield* f({ url: Context.get(proxy, TestServer).url, fake })
  })

describe("Upstream", () => {
  it.scopedLive("forwards the validated JSON with the caller's token and headers; the success body passes through unchanged", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        const answerBody = { data: remoteVersion() }
        fake.script.push(Fake.reply(200, answerBody, { etag: "\"up-1\"", "idempotent-replayed": "true", "x-internal": "secret" }))
        const body = `{ "manifest" :\n  ${JSON.stringify(base())} }`
        const answer = yield* put(url, body, { ...caller, "idempotency-key": "k-1", "if-none-match": "*", "x-request-id": "rid-1" })
        assert.strictEqual(answer.status, 200)
        assert.strictEqual(answer.text, JSON.stringify(answerBody))
        assert.deepStrictEqual(answer.json.data.unknown_top_level, { kept: true })
        assert.deepStrictEqual(answer.json.data.manifest.future_field, [1, 2])
        assert.deepStrictEqual(
          [answer.headers.get("etag"), answer.headers.get("idempotent-replayed"), answer.headers.get("x-internal")],
          ["\"up-1\"", "true", null]
        )
        assert.strictEqual(fake.seen.length, 1)
        const seen = fake.seen[0]!
        assert.deepStrictEqual([seen.method, seen.url, seen.body.toString("utf8")], ["PUT", "/api/ml/v1/model-versions", JSON.stringify(JSON.parse(body))])
        assert.deepStrictEqual(
          [seen.headers.authorization, seen.headers["idempotency-key"], seen.headers["if-none-match"], seen.headers["x-request-id"], seen.headers["content-type"]],
          [`Bearer ${CALLER}`, "k-1", "*", "rid-1", "application/json"]
        )
      })))

  it.scopedLive("duplicate JSON keys: the upstream receives the value that was validated and scope-checked", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        fake.script.push(Fake.reply(200, { data: remoteVersion() }))
        const manifest = JSON.stringify(base())
        const body = `{"manifest": ${manifest.slice(0, -1)}, "version_alias": "NOT VALID", "version_alias": "v1"}}`
        const answer = yield* put(url, body, caller)
        assert.strictEqual(answer.status, 200)
        const forwarded = JSON.parse(fake.seen[0]!.body.toString("utf8"))
        assert.strictEqual(forwarded.manifest.version_alias, "v1")
        assert.notInclude(fake.seen[0]!.body.toString("utf8"), "NOT VALID")
      })))

  it.scopedLive("C7: an invalid manifest, bad JSON or an oversized body never reaches the upstream", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        const invalid = yield* put(url, base("nlp-team", { version_alias: "1.0" }), caller)
        assert.deepStrictEqual([invalid.status, invalid.json.detail.map((d: any) => d.loc)], [422, [["body", "manifest", "version_alias"]]])
        const nan = yield* put(url, "{\"manifest\": {\"metadata\": {\"loss\": NaN}}}", caller)
        assert.strictEqual(nan.status, 400)
        const huge = yield* put(url, base("nlp-team", { metadata: { blob: "x".repeat(2 * 1024 * 1024) } }), caller)
        assert.strictEqual(huge.status, 413)
        const query = yield* call(`${url}/api/ml/v1/model-versions?limit=5000`, { headers: caller })
        assert.strictEqual(query.status, 422)
        const anonymous = yield* put(url, base(), {})
        assert.strictEqual(anonymous.status, 401)
        assert.strictEqual(fake.seen.length, 0)
      })))

  it.scopedLive("a slow upstream past the timeout → 504 GATEWAY_TIMEOUT, not retried", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        fake.fallback = Fake.slow(3_000, Fake.reply(200, { data: remoteVersion() }))
        const answer = yield* call(`${url}/api/ml/v1/model-versions/mv-123`, { headers: caller })
        assert.deepStrictEqual([answer.status, answer.json], [504, {
          statusCode: 504,
          code: "GATEWAY_TIMEOUT",
          message: "the upstream control plane did not answer within 300 ms"
        }])
        assert.strictEqual(fake.seen.length, 1)
      }), { timeoutMs: 300 }))

  it.scopedLive("an HTML 502 from a load balancer → 502 BAD_GATEWAY JSON (an upsert without Idempotency-Key is not retried)", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        fake.fallback = Fake.reply(502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
        const answer = yield* put(url, base(), caller)
        assert.deepStrictEqual([answer.status, answer.headers.get("content-type"), answer.json], [502, "application/json", {
          statusCode: 502,
          code: "BAD_GATEWAY",
          message: "the upstream control plane failed (HTTP 502)",
          details: { upstreamStatus: 502 }
        }])
        assert.strictEqual(fake.seen.length, 1)
      })))

  it.scopedLive("503 then success: a get, and an upsert with an Idempotency-Key, are retried; without a key it is 502", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        const version = { data: remoteVersion() }
        fake.script.push(Fake.reply(503, "<html>busy</html>"), Fake.reply(200, version, { etag: "\"e1\"" }))
        const got = yield* call(`${url}/api/ml/v1/model-versions/mv-123`, { headers: caller })
        assert.deepStrictEqual([got.status, got.text, got.headers.get("etag")], [200, JSON.stringify(version), "\"e1\""])
        assert.deepStrictEqual(fake.seen.map((s) => s.url), ["/api/ml/v1/model-versions/mv-123", "/api/ml/v1/model-versions/mv-123"])

        fake.script.push(Fake.reply(503, "<html>busy</html>"), Fake.reply(200, version))
        const upsert = yield* put(url, base(), { ...caller, "idempotency-key": "k-503" })
        assert.deepStrictEqual([upsert.status, upsert.text], [200, JSON.stringify(version)])
        assert.deepStrictEqual(fake.seen.slice(2).map((s) => s.headers["idempotency-key"]), ["k-503", "k-503"])

        fake.script.push(Fake.reply(503, "<html>busy</html>"), Fake.reply(200, version))
        const unkeyed = yield* put(url, base(), caller)
        assert.deepStrictEqual([unkeyed.status, unkeyed.json], [502, {
          statusCode: 502,
          code: "BAD_GATEWAY",
          message: "the upstream control plane failed (HTTP 503)",
          details: { upstreamStatus: 503 }
        }])
        assert.strictEqual(fake.seen.length, 5)
      })))

  it.scopedLive("a connection reset after the write was committed: with an Idempotency-Key the retry gets the replay; without, 502", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        const version = { data: remoteVersion() }
        fake.script.push(Fake.reset, Fake.reply(200, version, { "idempotent-replayed": "true" }))
        const keyed = yield* put(url, base(), { ...caller, "idempotency-key": "k-reset" })
        assert.deepStrictEqual([keyed.status, keyed.text, keyed.headers.get("idempotent-replayed")], [200, JSON.stringify(version), "true"])
        assert.strictEqual(fake.seen.length, 2)

        fake.script.push(Fake.reset)
        const unkeyed = yield* put(url, base(), caller)
        assert.deepStrictEqual([unkeyed.status, unkeyed.json], [502, {
          statusCode: 502,
          code: "BAD_GATEWAY",
          message: "cannot reach the upstream control plane"
        }])
        assert.strictEqual(fake.seen.length, 3)
      })))

  it.scopedLive("upstream 4xx errors keep their status: contract bodies unchanged, FastAPI bodies normalised", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        const contract = { statusCode: 409, code: "ALIAS_IN_USE", message: "held by version 2", details: { version: 2 } }
        fake.script.push(
          Fake.reply(404, { detail: "Model version not found" }),
          Fake.reply(409, contract),
          Fake.reply(422, { detail: [{ loc: ["body", "manifest", "name"], msg: "field required", type: "value_error.missing" }] }),
          Fake.reply(401, "<html>login</html>"),
          Fake.reply(405, { detail: "Method Not Allowed" })
        )
        const notFound = yield* call(`${url}/api/ml/v1/model-versions/nope`, { headers: caller })
        assert.deepStrictEqual([notFound.status, notFound.json], [404, { statusCode: 404, code: "NOT_FOUND", message: "Model version not found" }])
        const conflict = yield* put(url, base(), caller)
        assert.deepStrictEqual([conflict.status, conflict.text], [409, JSON.stringify(contract)])
        const invalid = yield* put(url, base(), caller)
        assert.deepStrictEqual([invalid.status, invalid.json], [422, {
          statusCode: 422,
          code: "VALIDATION_ERROR",
          message: "manifest.name: field required",
          detail: [{ loc: ["body", "manifest", "name"], msg: "field required", type: "value_error.missing" }]
        }])
        const login = yield* call(`${url}/api/ml/v1/model-versions?limit=1`, { headers: caller })
        assert.deepStrictEqual([login.status, login.json], [401, {
          statusCode: 401,
          code: "UNAUTHORIZED",
          message: "the upstream answered HTTP 401 without a JSON error body"
        }])
        const odd = yield* call(`${url}/api/ml/v1/model-versions/x`, { method: "DELETE", headers: caller })
        assert.deepStrictEqual([odd.status, odd.json], [502, {
          statusCode: 502,
          code: "BAD_GATEWAY",
          message: "the upstream control plane failed (HTTP 405)",
          details: { upstreamStatus: 405 }
        }])
        assert.strictEqual(fake.seen.length, 5)
      })))

  it.scopedLive("a 200 that is not JSON → 502; /readyz is ok while the upstream answers", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        fake.script.push(Fake.reply(200, "<html>maintenance</html>"))
        const odd = yield* call(`${url}/api/ml/v1/model-versions/mv-1`, { headers: caller })
        assert.deepStrictEqual([odd.status, odd.json], [502, {
          statusCode: 502,
          code: "BAD_GATEWAY",
          message: "the upstream answered HTTP 200 with a body that is not JSON",
          details: { upstreamStatus: 200 }
        }])
        fake.fallback = Fake.reply(200, { data: [], pagination: { total: 0, offset: 0, limit: 1 } })
        assert.deepStrictEqual((yield* call(`${url}/readyz`)).json, { status: "ok" })
      })))

  it.scopedLive("an unreachable upstream → 502 after the retries of a safe request, and /readyz 503", () =>
    Effect.gen(function*() {
      const backend = Upstream.layer({ url: "http://127.0.0.1:9", token: Option.none(), timeoutMs: 2_000, retries: 2, retryBaseDelayMs: 5 }).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
      const proxy = yield* Layer.build(layerServer({ backend, tokens: Tokens.layerPassthrough }))
      const { url } = Context.get(proxy, TestServer)
      const answer = yield* call(`${url}/api/ml/v1/model-versions/mv-1`, { headers: caller })
      assert.deepStrictEqual([answer.status, answer.json], [502, {
        statusCode: 502,
        code: "BAD_GATEWAY",
        message: "cannot reach the upstream control plane"
      }])
      const ready = yield* call(`${url}/readyz`)
      assert.deepStrictEqual([ready.status, ready.json], [503, {
        statusCode: 503,
        code: "NOT_READY",
        message: "the upstream control plane is unreachable"
      }])
    }))

  it.scopedLive("with a tokens file and --upstream-token: the upstream sees the injected token; scopes hold for upstream answers", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        fake.fallback = Fake.reply(200, { data: remoteVersion("nlp-team") })
        const mine = yield* call(`${url}/api/ml/v1/model-versions/mv-123`, { headers: auth(TOKENS.alice) })
        assert.strictEqual(mine.status, 200)
        assert.strictEqual(fake.seen[0]!.headers.authorization, "Bearer upstream-secret-token-1")
        const foreign = yield* call(`${url}/api/ml/v1/model-versions/mv-123`, { headers: auth(TOKENS.bob) })
        assert.deepStrictEqual([foreign.status, foreign.json.message], [403, "subject \"sa-bob\" may not read ML repo \"nlp-team\""])
        const del = yield* call(`${url}/api/ml/v1/model-versions/mv-123`, { method: "DELETE", headers: auth(TOKENS.bob) })
        assert.deepStrictEqual([del.status, del.json.message], [403, "subject \"sa-bob\" may not write ML repo \"nlp-team\""])
        // bob's delete looked the version up (GET) and stopped there: no DELETE reached the upstream.
        assert.deepStrictEqual(fake.seen.map((s) => s.method), ["GET", "GET", "GET"])
        const unknown = yield* call(`${url}/api/ml/v1/model-versions/mv-123`, { headers: caller })
        assert.strictEqual(unknown.status, 401)
        assert.strictEqual(fake.seen.length, 3)
      }), { tokens: Tokens.layer(tokensFile).pipe(Layer.orDie), token: "upstream-secret-token-1" }))
})
