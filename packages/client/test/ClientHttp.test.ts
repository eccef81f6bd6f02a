import { assert, describe, it } from "@effect/vitest"
import {
  ConflictError,
  createClient,
  ForbiddenError,
  InternalError,
  MregError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  type RemoteOptions,
  StoreUnavailableError,
  UnauthorizedError,
  UpstreamError,
  ValidationError
} from "@mreg/client"
import { onTestFinished } from "vitest"
import { base, expectMregError, fakeServer, json, rejection, type Reply, wireVersion } from "./utils.js"

/** A remote client on `url` with fast retries, closed when the test ends. */
const remote = (url: string, options: Omit<RemoteOptions, "host" | "embedded"> = {}) => {
  const client = createClient({ host: url, apiKey: "secret-token", retries: 2, retryDelayMs: 1, timeoutMs: 2_000, ...options })
  onTestFinished(() => client.close())
  return client
}

const html502: Reply = (_request, res) => {
  res.writeHead(502, { "content-type": "text/html" })
  res.end("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>")
}

describe("createClient, remote", () => {
  it("upsert sends the manifest with a bearer token and an idempotency key, and returns the wire data", async () => {
    const server = await fakeServer((_request, res) =>
      json(res, 200, { data: wireVersion(1) }, { etag: "\"mv-1.1\"" }))
    const client = remote(server.url)
    const result = await client.modelVersions.upsert(base())
    assert.deepStrictEqual(result, { data: wireVersion(1), etag: "\"mv-1.1\"", created: true, replayed: false })
    assert.strictEqual(server.requests.length, 1)
    const [request] = server.requests
    assert.strictEqual(request!.method, "PUT")
    assert.strictEqual(request!.url.pathname, "/api/ml/v1/model-versions")
    assert.strictEqual(request!.headers.authorization, "Bearer secret-token")
    assert.match(String(request!.headers["idempotency-key"]), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.deepStrictEqual(JSON.parse(request!.body), { manifest: base() })
  })

  it("every upsert has its own key, identical across a 503-then-200 retry; a given key is passed through", async () => {
    const server = await fakeServer((_request, res, index) => {
      if (index === 0) {
        res.writeHead(503, { "content-type": "text/plain" })
        res.end("busy")
      } else {
        json(res, 200, { data: wireVersion(1) }, { "idempotent-replayed": index === 1 ? "true" : "false" })
      }
    })
    const client = remote(server.url)
    const first = await client.modelVersions.upsert(base())
    assert.strictEqual(first.replayed, true)
    assert.strictEqual(server.requests.length, 2)
    const key = server.requests[0]!.headers["idempotency-key"]
    assert.isString(key)
    assert.strictEqual(server.requests[1]!.headers["idempotency-key"], key)

    await client.modelVersions.upsert(base())
    assert.strictEqual(server.requests.length, 3)
    assert.isString(server.requests[2]!.headers["idempotency-key"])
    assert.notStrictEqual(server.requests[2]!.headers["idempotency-key"], key)

    await client.modelVersions.upsert(base(), { idempotencyKey: "k-123", ifMatch: "\"mv-1.1\"" })
    assert.strictEqual(server.requests[3]!.headers["idempotency-key"], "k-123")
    assert.strictEqual(server.requests[3]!.headers["if-match"], "\"mv-1.1\"")
  })

  it("an HTML 502 is an UpstreamError with status 502, not a JSON parse error (C12)", async () => {
    const server = await fakeServer(html502)
    const client = remote(server.url)
    const error = await rejection(client.modelVersions.upsert(base()))
    assert.notInstanceOf(error, SyntaxError)
    const upstream = expectMregError(error, UpstreamError, 502, "UPSTREAM_ERROR")
    assert.deepStrictEqual(upstream.details, [{ upstreamStatus: 502 }])
    assert.strictEqual(upstream.message, `${new URL(server.url).host} answered HTTP 502 without a JSON error body`)
    assert.notInclude(upstream.message, "secret-token")
    assert.notInclude(String(upstream.stack), "secret-token")
    // Retried: 1 attempt + 2 retries, all with one idempotency key.
    assert.strictEqual(server.requests.length, 3)
    assert.strictEqual(new Set(server.requests.map((request) => request.headers["idempotency-key"])).size, 1)
  })

  it("a 413 JSON answer is a PayloadTooLargeError and is not retried (C12)", async () => {
    const server = await fakeServer((_request, res) =>
      json(res, 413, { statusCode: 413, code: "PAYLOAD_TOO_LARGE", message: "request body over 1048576 bytes", details: [{ limit: 1048576 }] }))
    const client = remote(server.url)
    const error = await rejection(client.modelVersions.upsert(base({ metadata: { blob: "x".repeat(1000) } })))
    assert.instanceOf(error, PayloadTooLargeError)
    assert.strictEqual((error as PayloadTooLargeError).status, 413)
    assert.strictEqual((error as PayloadTooLargeError).code, "PAYLOAD_TOO_LARGE")
    assert.strictEqual((error as PayloadTooLargeError).message, "the request body is larger than the limit of 1048576 bytes")
    assert.deepStrictEqual((error as PayloadTooLargeError).details, [{ limit: 1048576 }])
    assert.strictEqual(server.requests.length, 1)
  })

  it("a 409 JSON answer is a ConflictError with the code and details of the body", async () => {
    const server = await fakeServer((_request, res) =>
      json(res, 409, {
        statusCode: 409,
        code: "ALIAS_IN_USE",
        message: "version alias \"v1\" is held by version 2 of this model",
        details: [{ field: "manifest.version_alias", alias: "v1" }, { version: 2 }]
      }))
    const client = remote(server.url)
    const error = await rejection(client.modelVersions.upsert(base({ version_alias: "v1" })))
    assert.instanceOf(error, ConflictError)
    const conflict = error as ConflictError
    assert.strictEqual(conflict.status, 409)
    assert.strictEqual(conflict.code, "ALIAS_IN_USE")
    assert.strictEqual(conflict.message, "version alias \"v1\" is held by version 2")
    assert.deepStrictEqual(conflict.details, [{ field: "manifest.version_alias", alias: "v1", version: 2 }])
    assert.deepStrictEqual(conflict.facts, { field: "manifest.version_alias", alias: "v1", version: 2 })
    assert.strictEqual(conflict.facts.version, 2)
    assert.strictEqual(server.requests.length, 1)
  })

  it("NaN in metadata is rejected before sending: the server receives no request (C8)", async () => {
    const server = await fakeServer((_request, res) => json(res, 200, { data: wireVersion(1) }))
    const client = remote(server.url)
    const error = await rejection(client.modelVersions.upsert(base({ metadata: { loss: Number.NaN } })))
    assert.instanceOf(error, ValidationError)
    assert.deepStrictEqual((error as ValidationError).issues.map((issue) => issue.loc), [["body", "manifest", "metadata", "loss"]])
    const badFqn = await rejection(client.modelVersions.getByFqn("model:acme/nlp-team/sentiment-clf"))
    assert.instanceOf(badFqn, ValidationError)
    assert.strictEqual(server.requests.length, 0)
  })

  it("each error status maps to its class, with mreg's message for it and the checked details, without retries", async () => {
    const bodies: Record<string, [number, unknown]> = {
      "e400": [400, { statusCode: 400, code: "INVALID_JSON", message: "bad JSON at line 1 column 5", details: { line: 1, column: 5 } }],
      "e401": [401, { statusCode: 401, code: "UNAUTHORIZED", message: "unknown token" }],
      "e403": [403, { statusCode: 403, code: "FORBIDDEN", message: "no access to nlp-team" }],
      "e404": [404, { statusCode: 404, code: "NOT_FOUND", message: "no model version with id \"e404\"" }],
      "e412": [412, { statusCode: 412, code: "PRECONDITION_FAILED", message: "version 1 has changed", details: { etag: "\"mv-1.3\"" } }],
      "e422": [422, {
        statusCode: 422,
        code: "VALIDATION_ERROR",
        message: "1 problem",
        detail: [{ loc: ["body", "manifest", "version"], msg: "the next version is 2", type: "value_error" }]
      }],
      "e500": [500, { statusCode: 500, code: "INTERNAL_ERROR", message: "the registry store failed" }]
    }
    const server = await fakeServer((request, res) => {
      const id = request.method === "PUT" ? String(request.headers["idempotency-key"]) : request.url.pathname.split("/").pop()!
      const [status, body] = bodies[id]!
      json(res, status, body)
    })
    const client = remote(server.url)
    // Errors of the upsert endpoint travel on upsert; the others on get.
    const call = (id: string) =>
      ["e400", "e412", "e422"].includes(id) ? client.modelVersions.upsert(base(), { idempotencyKey: id }) : client.modelVersions.get(id)
    const expected: Array<[string, new(...args: Array<any>) => MregError, number, string, string, ReadonlyArray<Record<string, unknown>>]> = [
      ["e400", UpstreamError, 502, "UPSTREAM_ERROR", "the upstream rejected a request mreg had validated (HTTP 400)", [{ upstreamStatus: 400 }]],
      ["e401", UnauthorizedError, 401, "UNAUTHORIZED", "the API key is missing or not accepted", []],
      ["e403", ForbiddenError, 403, "FORBIDDEN", "the API key lacks the permission for this request", []],
      ["e404", NotFoundError, 404, "NOT_FOUND", "no model version with id \"e404\"", []],
      ["e412", PreconditionFailedError, 412, "PRECONDITION_FAILED", "the If-Match or If-None-Match precondition failed", [{ etag: "\"mv-1.3\"" }]],
      ["e422", ValidationError, 422, "VALIDATION_ERROR", "1 problem: manifest.version: the next version is 2", []],
      ["e500", InternalError, 500, "INTERNAL_ERROR", "the registry failed on its side", []]
    ]
    for (const [id, type, status, code, message, details] of expected) {
      const error = await rejection(call(id))
      assert.instanceOf(error, type)
      assert.deepStrictEqual(
        { status: (error as MregError).status, code: (error as MregError).code, message: (error as MregError).message, details: (error as MregError).details },
        { status, code, message, details }
      )
    }
    assert.deepStrictEqual((await rejection(call("e422")) as ValidationError).issues, [
      { loc: ["body", "manifest", "version"], msg: "the next version is 2", type: "value_error" }
    ])
    assert.strictEqual(server.requests.length, expected.length + 1)
  })

  it("an error body the endpoint does not declare still maps by status", async () => {
    const server = await fakeServer((_request, res) => json(res, 400, { statusCode: 400, code: "BAD", message: "nope" }))
    const client = remote(server.url)
    const error = await rejection(client.modelVersions.get("mv-1"))
    assert.instanceOf(error, UpstreamError)
    assert.strictEqual((error as UpstreamError).status, 502)
    assert.strictEqual(server.requests.length, 1)
  })

  it("retries a 503 STORE_UNAVAILABLE like 502/504: 503 then 200 is one success", async () => {
    const unavailable = { statusCode: 503, code: "STORE_UNAVAILABLE", message: "the registry store is unavailable", details: { retryAfter: 1 } }
    const server = await fakeServer((_request, res, index) =>
      index === 0 ? json(res, 503, unavailable, { "retry-after": "1" }) : json(res, 200, { data: wireVersion(1) }))
    const client = remote(server.url)
    const found = await client.modelVersions.get("mv-1")
    assert.deepStrictEqual(found.data, wireVersion(1))
    assert.strictEqual(server.requests.length, 2)
  })

  it("a 503 that stays is a StoreUnavailableError after the retries", async () => {
    const server = await fakeServer((_request, res) =>
      json(res, 503, { statusCode: 503, code: "STORE_UNAVAILABLE", message: "the registry store is unavailable", details: { retryAfter: 3 } }))
    const client = remote(server.url)
    const error = await rejection(client.modelVersions.get("mv-1"))
    assert.instanceOf(error, StoreUnavailableError)
    assert.instanceOf(error, MregError)
    assert.deepStrictEqual((error as StoreUnavailableError).toJSON(), {
      statusCode: 503,
      code: "STORE_UNAVAILABLE",
      message: "the registry store is unavailable; retry later",
      details: [{ retryAfter: 3 }]
    })
    assert.strictEqual((error as StoreUnavailableError).name, "StoreUnavailableError")
    assert.strictEqual(server.requests.length, 3)
  })

  it("a server slower than timeoutMs is an UpstreamError 504; a closed port is a 502", async () => {
    const server = await fakeServer(() => {
      // never answers
    })
    const slow = remote(server.url, { timeoutMs: 50, retries: 0 })
    const timeout = await rejection(slow.modelVersions.list())
    assert.instanceOf(timeout, UpstreamError)
    assert.strictEqual((timeout as UpstreamError).status, 504)
    assert.strictEqual((timeout as UpstreamError).code, "GATEWAY_TIMEOUT")
    assert.strictEqual((timeout as UpstreamError).message, `${new URL(server.url).host} did not answer within 50ms`)

    const closed = remote("http://127.0.0.1:1", { retries: 1 })
    const refused = await rejection(closed.modelVersions.list())
    assert.instanceOf(refused, UpstreamError)
    assert.strictEqual((refused as UpstreamError).status, 502)
    assert.strictEqual((refused as UpstreamError).message, "cannot reach 127.0.0.1:1")
  })

  it("list sends the query as URL parameters and returns the page as sent", async () => {
    const page = { data: [wireVersion(2), wireVersion(1)], pagination: { total: 2, offset: 0, limit: 10 } }
    const server = await fakeServer((_request, res) => json(res, 200, page))
    const client = remote(server.url)
    assert.deepStrictEqual(await client.modelVersions.list({ ml_repo: "nlp-team", run_ids: ["r1", "r2"], limit: 10 }), page)
    assert.strictEqual(server.requests[0]!.url.search, "?ml_repo=nlp-team&run_ids=r1%2Cr2&limit=10")
  })

  it("getByFqn lists by FQN, then gets the version for its ETag", async () => {
    const server = await fakeServer((request, res) => {
      if (request.url.pathname === "/api/ml/v1/model-versions") {
        json(res, 200, { data: [wireVersion(3)], pagination: { total: 1, offset: 0, limit: 1 } })
      } else {
        json(res, 200, { data: wireVersion(3) }, { etag: "\"mv-3.4\"" })
      }
    })
    const client = remote(server.url)
    assert.deepStrictEqual(await client.modelVersions.getByFqn("model:acme/nlp-team/sentiment-clf:v3-dev"), {
      data: wireVersion(3),
      etag: "\"mv-3.4\""
    })
    assert.deepStrictEqual(server.requests.map((request) => request.url.pathname + request.url.search), [
      "/api/ml/v1/model-versions?fqn=model%3Aacme%2Fnlp-team%2Fsentiment-clf%3Av3-dev&limit=1",
      "/api/ml/v1/model-versions/mv-3"
    ])
  })

  it("iterate walks the pages by offset and stops at total", async () => {
    const all = [7, 6, 5, 4, 3, 2, 1].map((n) => wireVersion(n))
    const server = await fakeServer((request, res) => {
      const limit = Number(request.url.searchParams.get("limit"))
      const offset = Number(request.url.searchParams.get("offset"))
      json(res, 200, { data: all.slice(offset, offset + limit), pagination: { total: 7, offset, limit } })
    })
    const client = remote(server.url)
    const seen: Array<string> = []
    for await (const version of client.modelVersions.iterate({ name: "sentiment-clf", limit: 3 })) seen.push(version.id)
    assert.deepStrictEqual(seen, ["mv-7", "mv-6", "mv-5", "mv-4", "mv-3", "mv-2", "mv-1"])
    assert.deepStrictEqual(server.requests.map((request) => request.url.searchParams.get("offset")), ["0", "3", "6"])
  })

  it("iterate against a server that ignores offset still ends, yielding each version once", async () => {
    const server = await fakeServer((_request, res) =>
      json(res, 200, { data: [wireVersion(7), wireVersion(6), wireVersion(5)], pagination: { total: 7, offset: 0, limit: 3 } }))
    const client = remote(server.url)
    const seen: Array<string> = []
    for await (const version of client.modelVersions.iterate({ limit: 3 })) seen.push(version.id)
    assert.deepStrictEqual(seen, ["mv-7", "mv-6", "mv-5"])
    assert.strictEqual(server.requests.length, 2)
  })

  it("iterate against a server that caps the page size below the asked limit still reads every page", async () => {
    const all = Array.from({ length: 5 }, (_, i) => wireVersion(5 - i))
    const server = await fakeServer((request, res) => {
      const offset = Number(request.url.searchParams.get("offset"))
      json(res, 200, { data: all.slice(offset, offset + 2), pagination: { total: 5, offset, limit: 2 } })
    })
    const client = remote(server.url)
    const seen: Array<string> = []
    for await (const version of client.modelVersions.iterate({ limit: 1000 })) seen.push(version.id)
    assert.deepStrictEqual(seen, ["mv-5", "mv-4", "mv-3", "mv-2", "mv-1"])
    assert.strictEqual(server.requests.length, 3)
  })

  it("delete and applyTags send their requests", async () => {
    const server = await fakeServer((_request, res) => json(res, 200, {}))
    const client = remote(server.url)
    assert.strictEqual(await client.modelVersions.delete("mv-1"), undefined)
    assert.strictEqual(await client.modelVersions.applyTags("mv-1", ["prod"], { force: true }), undefined)
    assert.deepStrictEqual(server.requests.map((request) => [request.method, request.url.pathname, request.body]), [
      ["DELETE", "/api/ml/v1/model-versions/mv-1", ""],
      ["PUT", "/api/ml/v1/model-versions/tags", JSON.stringify({ model_version_id: "mv-1", tags: ["prod"], force: true })]
    ])
  })
})
