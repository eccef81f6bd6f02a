/**
 * Upstream mode: the proxy (core's HTTP client) in front of a control plane on loopback that misbehaves on command.
 * Every test asserts the exact answer and how many requests reached the upstream.
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { createHash } from "node:crypto"
import * as Proxy from "../src/Proxy.js"
import * as Tokens from "../src/Tokens.js"
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

/** The host (and port) of a base URL, as core's HTTP client names the upstream in messages. */
const hostOf = (url: string) => new URL(url).host

interface Setup {
  readonly url: string
  readonly fake: Fake.Service
}

/** A proxy in front of `upstream` (pass-through auth unless `tokens` is given). */
const proxyTo = (
  upstream: string,
  options: { readonly tokens?: Layer.Layer<Tokens.Tokens>; readonly token?: string; readonly timeoutMs?: number } = {}
) =>
  Effect.map(
    Layer.build(layerServer({
      backend: "upstream",
      registry: Proxy.layerUpstream({
        baseUrl: upstream,
        token: options.token === undefined ? Option.none() : Option.some(Redacted.make(options.token)),
        timeoutMs: options.timeoutMs ?? 2_000,
        retries: 2,
        retryBaseDelay: "5 millis"
      }),
      tokens: options.tokens ?? Tokens.layerPassthrough
    })),
    (proxy) => Context.get(proxy, TestServer).url
  )

/** A fake upstream and a proxy in front of it, for one test. */
const withProxy = <A, E>(f: (setup: Setup) => Effect.Effect<A, E>, options: Parameters<typeof proxyTo>[1] = {}) =>
  Effect.gen(function*() {
    const fake = Context.get(yield* Layer.build(Fake.layer), Fake.FakeUpstream)
    return yield* f({ url: yield* proxyTo(fake.url, options), fake })
  })

describe("Upstream", () => {
  it.scopedLive("forwards the validated manifest with the caller's token and headers; ETag and Idempotent-Replayed come back", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        const answerBody = { data: remoteVersion() }
        fake.script.push(Fake.reply(200, answerBody, { etag: "\"up-1\"", "idempotent-replayed": "true", "x-internal": "secret" }))
        const answer = yield* put(url, base(), { ...caller, "idempotency-key": "k-1", "if-none-match": "*", "x-request-id": "rid-1" })
        assert.deepStrictEqual([answer.status, answer.json], [200, answerBody])
        assert.deepStrictEqual([answer.json.data.unknown_top_level, answer.json.data.manifest.future_field], [{ kept: true }, [1, 2]])
        assert.deepStrictEqual(
          [answer.headers.get("etag"), answer.headers.get("idempotent-replayed"), answer.headers.get("x-internal")],
          ["\"up-1\"", "true", null]
        )
        assert.strictEqual(fake.seen.length, 1)
        const seen = fake.seen[0]!
        assert.deepStrictEqual([seen.method, seen.url], ["PUT", "/api/ml/v1/model-versions"])
        assert.deepStrictEqual(JSON.parse(seen.body.toString("utf8")), { manifest: base() })
        assert.deepStrictEqual(
          [seen.headers.authorization, seen.headers["idempotency-key"], seen.headers["if-none-match"], seen.headers["x-request-id"]],
          [`Bearer ${CALLER}`, "k-1", "*", "rid-1"]
        )
      })))

  it.scopedLive("C7: an invalid manifest, bad JSON, an oversized body, a bad query or no token never reach the upstream", () =>
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

  it.scopedLive("a slow upstream past the timeout → 504 GATEWAY_TIMEOUT after the retries", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        fake.fallback = Fake.slow(3_000, Fake.reply(200, { data: remoteVersion() }))
        const answer = yield* call(`${url}/api/ml/v1/model-versions/mv-123`, { headers: caller })
        assert.deepStrictEqual([answer.status, answer.json.code], [504, "GATEWAY_TIMEOUT"])
        assert.strictEqual(fake.seen.length, 3)
      }), { timeoutMs: 300 }))

  it.scopedLive("503 then success: the request is retried (an upsert keeps its Idempotency-Key)", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        const version = { data: remoteVersion() }
        fake.script.push(Fake.reply(503, "<html>busy</html>"), Fake.reply(200, version, { etag: "\"e1\"" }))
        const got = yield* call(`${url}/api/ml/v1/model-versions/mv-123`, { headers: caller })
        assert.deepStrictEqual([got.status, got.json, got.headers.get("etag")], [200, version, "\"e1\""])
        fake.script.push(Fake.reply(503, "<html>busy</html>"), Fake.reply(200, version))
        const upsert = yield* put(url, base(), { ...caller, "idempotency-key": "k-503" })
        assert.deepStrictEqual([upsert.status, upsert.json], [200, version])
        assert.deepStrictEqual(fake.seen.slice(2).map((s) => s.headers["idempotency-key"]), ["k-503", "k-503"])
        assert.strictEqual(fake.seen.length, 4)
      })))

  it.scopedLive("an HTML 502 from a load balancer, every time → 502 BAD_GATEWAY JSON after the retries", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        fake.fallback = Fake.reply(502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
        const answer = yield* put(url, base(), caller)
        assert.deepStrictEqual([answer.status, answer.headers.get("content-type"), answer.json], [502, "application/json", {
          statusCode: 502,
          code: "UPSTREAM_ERROR",
          message: `${hostOf(fake.url)} answered HTTP 502 without a JSON error body`,
          details: [{ upstreamStatus: 502 }]
        }])
        assert.strictEqual(fake.seen.length, 3)
      })))

  it.scopedLive("an unreachable upstream → 502, and /readyz 503", () =>
    Effect.gen(function*() {
      const url = yield* proxyTo("http://127.0.0.1:9")
      const answer = yield* call(`${url}/api/ml/v1/model-versions/mv-1`, { headers: caller })
      assert.deepStrictEqual([answer.status, answer.json], [502, { statusCode: 502, code: "UPSTREAM_ERROR", message: "cannot reach 127.0.0.1:9" }])
      const ready = yield* call(`${url}/readyz`)
      assert.deepStrictEqual([ready.status, ready.json], [503, {
        statusCode: 503,
        code: "NOT_READY",
        message: "the upstream control plane does not answer"
      }])
    }))

  it.scopedLive("upstream 409, 422 and 400 bodies carrying a traceback and SQL → mreg's error body without that text", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        const leak = "Traceback (most recent call last):\n  File \"/srv/app.py\", line 12\npsycopg2.errors.UniqueViolation: INSERT INTO model_versions VALUES ('x') password=hunter2"
        fake.script.push(
          Fake.reply(409, { statusCode: 409, code: "ALIAS_IN_USE", message: leak, details: { version: 2, sql: "SELECT 1" } }),
          Fake.reply(422, { detail: [{ loc: ["body", "manifest", "name"], msg: leak, type: "value_error" }] }),
          Fake.reply(400, { detail: leak })
        )
        const conflict = yield* put(url, base(), caller)
        const invalid = yield* put(url, base(), caller)
        const bad = yield* call(`${url}/api/ml/v1/model-versions/mv-1`, { headers: caller })
        assert.deepStrictEqual([conflict.status, conflict.json], [409, {
          statusCode: 409,
          code: "ALIAS_IN_USE",
          message: "the version alias is held by version 2",
          details: [{ version: 2 }]
        }])
        assert.deepStrictEqual([invalid.status, invalid.json], [422, {
          statusCode: 422,
          code: "VALIDATION_ERROR",
          message: "1 problem: manifest.name: rejected by the upstream",
          detail: [{ loc: ["body", "manifest", "name"], msg: "rejected by the upstream", type: "value_error" }]
        }])
        assert.deepStrictEqual([bad.status, bad.json], [502, {
          statusCode: 502,
          code: "UPSTREAM_ERROR",
          message: "the upstream rejected a request mreg had validated (HTTP 400)",
          details: [{ upstreamStatus: 400 }]
        }])
        for (const answer of [conflict, invalid, bad]) {
          for (const text of ["Traceback", "psycopg2", "INSERT INTO", "hunter2", "SELECT"]) assert.notInclude(answer.text, text)
        }
        assert.strictEqual(fake.seen.length, 3)
      })))

  it.scopedLive("an upstream 4xx that mreg cannot read → 502 UPSTREAM_ERROR; an upstream 503 → 503 STORE_UNAVAILABLE with Retry-After", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        fake.script.push(Fake.reply(409, "<html>conflict</html>"), Fake.reply(418, { message: "teapot" }))
        const html = yield* put(url, base(), caller)
        const teapot = yield* call(`${url}/api/ml/v1/model-versions/mv-1`, { headers: caller })
        const host = hostOf(fake.url)
        assert.deepStrictEqual([html.status, html.json], [502, {
          statusCode: 502,
          code: "UPSTREAM_ERROR",
          message: `${host} answered HTTP 409 without a JSON error body`,
          details: [{ upstreamStatus: 409 }]
        }])
        assert.deepStrictEqual([teapot.status, teapot.json], [502, {
          statusCode: 502,
          code: "UPSTREAM_ERROR",
          message: `${host} answered HTTP 418 with an error mreg does not know`,
          details: [{ upstreamStatus: 418 }]
        }])
        assert.strictEqual(fake.seen.length, 2)
        fake.fallback = Fake.reply(503, { statusCode: 503, code: "STORE_UNAVAILABLE", message: "db down" }, { "retry-after": "7" })
        const down = yield* call(`${url}/api/ml/v1/model-versions/mv-1`, { headers: caller })
        assert.deepStrictEqual([down.status, down.headers.get("retry-after"), down.json], [503, "7", {
          statusCode: 503,
          code: "STORE_UNAVAILABLE",
          message: "the registry store is unavailable; retry later",
          details: [{ retryAfter: 7 }]
        }])
        // The first attempt and 2 retries.
        assert.strictEqual(fake.seen.length, 5)
      })))

  it.scopedLive("with a tokens file and --upstream-token: the upstream sees the injected token; scopes hold for upstream answers", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        fake.fallback = Fake.reply(200, { data: remoteVersion("nlp-team") })
        const mine = yield* call(`${url}/api/ml/v1/model-versions/mv-123`, { headers: auth(TOKENS.alice) })
        assert.strictEqual(mine.status, 200)
        assert.strictEqual(fake.seen[0]!.headers.authorization, "Bearer upstream-secret-token-1")
        // Outside bob's ML repos the version is 404 exactly as a missing one: the answer names no ML repo.
        const notFound = [404, { statusCode: 404, code: "NOT_FOUND", message: "no model version with id \"mv-123\"" }]
        const foreign = yield* call(`${url}/api/ml/v1/model-versions/mv-123`, { headers: auth(TOKENS.bob) })
        assert.deepStrictEqual([foreign.status, foreign.json], notFound)
        const del = yield* call(`${url}/api/ml/v1/model-versions/mv-123`, { method: "DELETE", headers: auth(TOKENS.bob) })
        assert.deepStrictEqual([del.status, del.json], notFound)
        // bob's delete looked the version up (GET) and stopped there: no DELETE reached the upstream.
        assert.deepStrictEqual(fake.seen.map((s) => s.method), ["GET", "GET", "GET"])
        const unknown = yield* call(`${url}/api/ml/v1/model-versions/mv-123`, { headers: caller })
        assert.strictEqual(unknown.status, 401)
        assert.strictEqual(fake.seen.length, 3)
      }), { tokens: Tokens.layer(tokensFile).pipe(Layer.orDie), token: "upstream-secret-token-1" }))

  it.scopedLive("an upsert answer of another ML repo or model is 502 UPSTREAM_ERROR, never shown to the writer", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        fake.script.push(
          Fake.reply(200, { data: remoteVersion("secret-repo") }),
          Fake.reply(200, { data: { ...remoteVersion("vision-lab"), manifest: { ...base("vision-lab"), name: "other-model", version: 1 } } })
        )
        for (let i = 0; i < 2; i++) {
          const answer = yield* put(url, base("vision-lab"), auth(TOKENS.bob))
          assert.deepStrictEqual([answer.status, answer.json], [502, {
            statusCode: 502,
            code: "UPSTREAM_ERROR",
            message: "the upstream answered with a model version of another ML repo"
          }])
          assert.notInclude(answer.text, "secret-repo")
        }
        assert.strictEqual(fake.seen.length, 2)
      }), { tokens: Tokens.layer(tokensFile).pipe(Layer.orDie), token: "upstream-secret-token-1" }))

  it.scopedLive("with --upstream-token, an Idempotency-Key is forwarded as sha256(subjectId + \"\\n\" + key): subjects never share one", () =>
    withProxy(({ fake, url }) =>
      Effect.gen(function*() {
        fake.fallback = Fake.reply(200, { data: remoteVersion("vision-lab") })
        const headers = { "idempotency-key": "same-key" }
        assert.strictEqual((yield* put(url, base("vision-lab"), { ...auth(TOKENS.alice), ...headers })).status, 200)
        assert.strictEqual((yield* put(url, base("vision-lab"), { ...auth(TOKENS.bob), ...headers })).status, 200)
        const sha = (text: string) => createHash("sha256").update(text).digest("hex")
        assert.deepStrictEqual(fake.seen.map((s) => s.headers["idempotency-key"]), [sha("u-alice\nsame-key"), sha("sa-bob\nsame-key")])
      }), { tokens: Tokens.layer(tokensFile).pipe(Layer.orDie), token: "upstream-secret-token-1" }))
})
