/**
 * Fuzzing the proxy's handler in-process (`HttpApiBuilder.toWebHandler`, embedded in-memory registry): generated and
 * mutated request bodies, raw bytes, headers, paths and query strings. Whatever arrives, the answer is never a 5xx,
 * never a crash, and always either a success or a JSON error body of the contract with the same status.
 */
import { HttpApiBuilder, HttpServer } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc, Layer } from "effect"
import { afterAll } from "vitest"
import * as NodeServer from "../src/NodeServer.js"
import * as RequestLog from "../src/RequestLog.js"
import * as Server from "../src/Server.js"
import * as Tokens from "../src/Tokens.js"
import { base, embedded, TOKENS, tokensFile } from "./utils.js"

const LIMIT = 64 * 1024
const logLines: Array<string> = []

const { dispose, handler } = HttpApiBuilder.toWebHandler(
  Layer.mergeAll(Server.layerApp(), HttpServer.layerContext).pipe(
    Layer.provide(embedded),
    Layer.provide(Tokens.layer(tokensFile).pipe(Layer.orDie)),
    Layer.provide(RequestLog.layerTo((line) => logLines.push(line)))
  ),
  { middleware: (app) => Server.middleware(NodeServer.limitBody(LIMIT)(app)) }
)
afterAll(() => dispose())

const ORIGIN = "http://proxy.test"

/** Counts of statuses seen, for the report at the end. */
const statuses = new Map<number, number>()
let requests = 0

const ERROR_KEYS = new Set(["statusCode", "code", "message", "detail", "details"])

/** Sends one request and checks the invariants; throws (failing the property) on any breach. */
const check = async (method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array) => {
  const request = new Request(`${ORIGIN}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
  const response = await handler(request)
  const text = await response.text()
  requests++
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
  const where = `${method} ${path} → ${response.status} ${text.slice(0, 300)}`
  if (response.status >= 500) throw new Error(`5xx: ${where}`)
  if (response.headers.get("x-request-id") === null) throw new Error(`no X-Request-Id: ${where}`)
  if (path === "/docs") return
  if (method === "HEAD") {
    if (text !== "") throw new Error(`HEAD with a body: ${where}`)
    return
  }
  if (response.headers.get("content-type") !== "application/json") throw new Error(`not JSON: ${where}`)
  const json = JSON.parse(text)
  if (response.status >= 400) {
    if (json.statusCode !== response.status || typeof json.code !== "string" || typeof json.message !== "string") {
      throw new Error(`not a contract error body: ${where}`)
    }
    for (const key of Object.keys(json)) if (!ERROR_KEYS.has(key)) throw new Error(`unknown key ${key}: ${where}`)
    if (response.status === 422) {
      if (!Array.isArray(json.detail) || json.detail.length === 0) throw new Error(`422 without detail: ${where}`)
      for (const issue of json.detail) {
        if (!Array.isArray(issue.loc) || typeof issue.msg !== "string" || typeof issue.type !== "string") {
          throw new Error(`bad detail: ${where}`)
        }
      }
    }
    if (/at [\w$.]+ \(|SQLITE|sqlite|SELECT |INSERT |node_modules/.test(text)) throw new Error(`leaks internals: ${where}`)
  } else if (response.status !== 200) {
    throw new Error(`unexpected success status: ${where}`)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Generators

const alice = { authorization: `Bearer ${TOKENS.alice}` }

const printable = fc.string({ unit: fc.constantFrom(..." !\"#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~"), maxLength: 40 })

const headerValue = fc.oneof(
  printable,
  fc.constantFrom("*", "\"abc\"", "W/\"x\"", "", " ", "k-1", "\t*\t", "x".repeat(300))
)

const authorization = fc.oneof(
  { weight: 8, arbitrary: fc.constant(alice) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>(
    {},
    { authorization: `Bearer ${TOKENS.bob}` },
    { authorization: `Bearer ${TOKENS.carol}` },
    { authorization: `bearer   ${TOKENS.alice}` },
    { authorization: "Bearer" },
    { authorization: `Basic ${TOKENS.alice}` },
    { authorization: "Bearer not-a-token-at-all-xyz" }
  ) },
  { weight: 1, arbitrary: printable.map((value) => ({ authorization: value })) }
)

const extraHeaders = fc.record(
  {
    "idempotency-key": headerValue,
    "if-match": headerValue,
    "if-none-match": headerValue,
    "content-type": fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/json; charset=utf-8"),
    "x-request-id": headerValue
  },
  { requiredKeys: [] }
)

const headers = fc.tuple(authorization, extraHeaders).map(([a, b]) => ({ ...b, ...a }))

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom("", "v1", "v1.0.0", "1.0", "V1", "sentiment-clf", "nlp-team", "-bad-", "a".repeat(600), "text-generaton", "gpt2", "./checkpoints/run7", "3.10", "3.1", ">=3.10", "transformers==4.44.0", "--extra-index-url x", "\u0000", "é", "../../etc/passwd")
)

const anyValue = fc.oneof(
  { weight: 3, arbitrary: text },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1, 2, 3, 1e21, 2 ** 53, 0.5)) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }
)

const FIELDS = ["type", "name", "ml_repo", "version", "version_alias", "description", "metadata", "source", "framework", "environment", "step", "run_id"]
const NESTED = [
  ["source", "type"], ["source", "uri"], ["source", "file_or_folder"],
  ["framework", "type"], ["framework", "library_name"], ["framework", "pipeline_tag"], ["framework", "base_model"],
  ["framework", "serialization_format"], ["framework", "model_schema"],
  ["environment", "python_version"], ["environment", "pip_packages"], ["metadata", "loss"], ["metadata", "nested"]
]

type Mutation = (manifest: Record<string, any>) => void

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...FIELDS).map((field): Mutation => (m) => {
    delete m[field]
  }),
  fc.tuple(fc.constantFrom(...FIELDS, "version_aliass", "extra", "__proto__", "constructor"), anyValue).map(([field, value]): Mutation => (m) => {
    Object.defineProperty(m, field, { value, enumerable: true, writable: true, configurable: true })
  }),
  fc.tuple(fc.constantFrom(...NESTED), anyValue).map(([[outer, inner], value]): Mutation => (m) => {
    m[outer!] = typeof m[outer!] === "object" && m[outer!] !== null && !Array.isArray(m[outer!]) ? { ...m[outer!] } : {}
    m[outer!][inner!] = value
  }),
  fc.constantFrom("sklearn", "xgboost", "onnx", "pytorch", "nope", "transformers").map((type): Mutation => (m) => {
    m.framework = { type }
  }),
  fc.nat({ max: 80 }).map((depth): Mutation => (m) => {
    let value: unknown = 1
    for (let i = 0; i < depth; i++) value = { a: value }
    m.metadata = { deep: value }
  }),
  fc.oneof({ weight: 4, arbitrary: fc.nat({ max: 2_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 70_000 }) }).map((size): Mutation => (m) => {
    m.metadata = { blob: "x".repeat(size) }
  })
)

const REPOS = ["nlp-team", "vision-a", "shared", "fuzz-1", "fuzz-2"]

const manifestBody = fc.tuple(fc.constantFrom(...REPOS), fc.array(mutation, { maxLength: 4 }), fc.boolean()).map(([repo, mutations, wrap]) => {
  const manifest: Record<string, any> = base(repo, { name: "fuzz-model" })
  for (const apply of mutations) apply(manifest)
  return JSON.stringify(wrap ? { manifest } : manifest)
})

const rawMutation = fc.oneof(
  fc.tuple(fc.nat(), fc.string({ maxLength: 4 })).map(([at, insert]) => (s: string) => s.slice(0, at % (s.length + 1)) + insert + s.slice(at % (s.length + 1))),
  fc.tuple(fc.nat(), fc.nat({ max: 10 })).map(([at, n]) => (s: string) => s.slice(0, at % (s.length + 1)) + s.slice((at % (s.length + 1)) + n)),
  fc.nat().map((at) => (s: string) => s.slice(0, at % (s.length + 1))),
  fc.tuple(fc.nat(), fc.constantFrom("NaN", "Infinity", "-Infinity", "'x'", "undefined", "\u0001", "\\u12", "\"", "{", "[", "}", "]", ",", ":")).map(
    ([at, token]) => (s: string) => s.slice(0, at % (s.length + 1)) + token + s.slice(at % (s.length + 1))
  ),
  fc.nat({ max: 200 }).map((depth) => (_: string) => "[".repeat(depth) + "]".repeat(depth)),
  fc.constant((s: string) => `\uFEFF${s}`)
)

const rawBody = fc.tuple(manifestBody, fc.array(rawMutation, { minLength: 1, maxLength: 3 })).map(([body, mutations]) =>
  mutations.reduce((s, f) => f(s), body)
)

const bytesBody = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.tuple(manifestBody, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([body, at, junk]) => {
    const bytes = new TextEncoder().encode(body)
    const i = at % (bytes.length + 1)
    return new Uint8Array([...bytes.subarray(0, i), ...junk, ...bytes.subarray(i)])
  })
)

const queryValue = fc.oneof(text, fc.integer().map(String), fc.constantFrom("0", "1", "1000", "1001", "-1", "1.5", "1e3", "", "a,b", "1,,2", "model:default/nlp-team/fuzz-model:1", "model:x"))
const QUERY_NAMES = ["fqn", "ml_repo_id", "ml_repo", "model_id", "name", "version", "tag", "run_ids", "run_steps", "limit", "offset", "other"]
const query = fc.array(fc.tuple(fc.constantFrom(...QUERY_NAMES), queryValue), { maxLength: 5 }).map((pairs) =>
  pairs.length === 0 ? "" : `?${new URLSearchParams(pairs).toString()}`
)

const idSegment = fc.oneof(
  fc.uuid(),
  fc.constantFrom("tags", "x", "%20", "%E2%82%AC", "a%2Fb", "..", "%", "%zz", "model:default/nlp-team/x:1"),
  fc.string({ unit: fc.constantFrom(..."abcdef0123456789-_.~%:"), minLength: 1, maxLength: 40 })
)

const prefix = fc.constantFrom("/api/ml/v1", "/api/svc/v1")

const otherRequest = fc.oneof(
  fc.tuple(prefix, query).map(([p, q]) => ["GET", `${p}/model-versions${q}`, undefined] as const),
  fc.tuple(prefix, idSegment).map(([p, id]) => ["GET", `${p}/model-versions/${id}`, undefined] as const),
  fc.tuple(prefix, idSegment).map(([p, id]) => ["DELETE", `${p}/model-versions/${id}`, undefined] as const),
  fc.tuple(prefix, fc.oneof(fc.uuid(), text), fc.array(text, { maxLength: 4 }), anyValue).map(([p, id, tags, force]) =>
    ["PUT", `${p}/model-versions/tags`, JSON.stringify({ model_version_id: id, tags, force })] as const
  ),
  fc.tuple(fc.constantFrom("GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"), fc.constantFrom(
    "/", "/api", "/api/ml/v1", "/api/ml/v1/", "/api/ml/v2/model-versions", "/healthz", "/readyz", "/openapi.json", "/docs", "/api/svc/v1/model-versions/tags/x", "//api/ml/v1/model-versions", "/api/ml/v1/model-versions?limit=1"
  )).map(([method, path]) => [method, path, method === "GET" || method === "HEAD" ? undefined : "{}"] as const)
)

// ---------------------------------------------------------------------------------------------------------------

describe("Fuzz", () => {
  it("mutated manifests (structure)", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(manifestBody, headers, prefix, async (body, h, p) => check("PUT", `${p}/model-versions`, h, body)),
      { numRuns: 4_000 }
    )
  })

  it("mutated JSON text and bytes", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(rawBody, bytesBody), headers, async (body, h) => check("PUT", "/api/ml/v1/model-versions", h, body)),
      { numRuns: 3_500 }
    )
  })

  it("paths, methods, ids, query strings and tags bodies", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(otherRequest, headers, async ([method, path, body], h) => check(method, path, h, body)),
      { numRuns: 3_000 }
    )
  })

  it("covered every kind of answer", () => {
    const seen = [...statuses.keys()].sort((a, b) => a - b)
    for (const status of [200, 400, 401, 403, 404, 409, 412, 413, 422]) assert.isTrue(seen.includes(status), `status ${status} seen: ${seen}`)
    assert.isAtLeast(requests, 10_000)
    // One log line per request, none of them an error.
    const entries = logLines.map((line) => JSON.parse(line))
    assert.strictEqual(entries.filter((e) => e.msg === "request").length, requests)
    assert.deepStrictEqual(entries.filter((e) => e.level !== "info"), [])
    console.log(`fuzz: ${requests} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`)
  })
})
