import { assert, describe, it } from "@effect/vitest"
import { RegistryError } from "@mreg/core"

const TRACEBACK = `Traceback (most recent call last):\n  File "/app/routes.py", line 88, in upsert\n    repo.create(manifest)\n` +
  `psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "model_versions_alias_key"`
const SQL = "(sqlalchemy.exc.IntegrityError) [SQL: INSERT INTO model_versions (id) VALUES (%(id)s)] [parameters: {'id': 'x'}]"

const body = (error: RegistryError.RegistryError) => RegistryError.toBody(error)

describe("RegistryError.fromResponse", () => {
  it("an mreg 409 keeps its typed details; the message is mreg's own for the reason, built from them", () => {
    const text = JSON.stringify({ statusCode: 409, code: "ALIAS_IN_USE", message: "v1 is held by version 2", details: { alias: "v1", version: 2 } })
    assert.deepStrictEqual(body(RegistryError.fromResponse(409, text)), {
      statusCode: 409,
      code: "ALIAS_IN_USE",
      message: "version alias \"v1\" is held by version 2",
      details: [{ alias: "v1", version: 2 }]
    })
  })

  it("409 with a traceback → Conflict with mreg's message; unknown details dropped", () => {
    const text = JSON.stringify({ statusCode: 409, code: "ALIAS_IN_USE", message: TRACEBACK, details: { alias: "v1", sql: SQL, dsn: "password=x" } })
    assert.deepStrictEqual(body(RegistryError.fromResponse(409, text)), {
      statusCode: 409,
      code: "ALIAS_IN_USE",
      message: "version alias \"v1\" is held by another version of this model",
      details: [{ alias: "v1" }]
    })
  })

  it("a typed detail field with SQL is dropped too; an unknown code is CONFLICT", () => {
    const text = JSON.stringify({ code: "UniqueViolation", message: "duplicate", details: { field: SQL, version: 3 } })
    assert.deepStrictEqual(body(RegistryError.fromResponse(409, text)), {
      statusCode: 409,
      code: "CONFLICT",
      message: "the request conflicts with the stored model version",
      details: [{ version: 3 }]
    })
  })

  it("FastAPI 422: each unsafe msg is replaced, safe ones kept", () => {
    const text = JSON.stringify({
      detail: [
        { loc: ["body", "manifest", "name"], msg: "field required", type: "missing" },
        { loc: ["body", "manifest", "version_alias"], msg: SQL, type: "value_error" }
      ]
    })
    assert.deepStrictEqual(body(RegistryError.fromResponse(422, text)), {
      statusCode: 422,
      code: "VALIDATION_ERROR",
      message: "2 problems: manifest.name: field required; manifest.version_alias: rejected by the upstream",
      detail: [
        { loc: ["body", "manifest", "name"], msg: "field required", type: "missing" },
        { loc: ["body", "manifest", "version_alias"], msg: "rejected by the upstream", type: "value_error" }
      ]
    })
  })

  it("400 {detail: traceback} → 502 UPSTREAM_ERROR carrying 400, with a fixed message (not INVALID_JSON)", () => {
    assert.deepStrictEqual(body(RegistryError.fromResponse(400, JSON.stringify({ detail: TRACEBACK }))), {
      statusCode: 502,
      code: "UPSTREAM_ERROR",
      message: "the upstream rejected a request mreg had validated (HTTP 400)",
      details: [{ upstreamStatus: 400 }]
    })
  })

  it("an unparseable 4xx → 502 UPSTREAM_ERROR with upstreamStatus", () => {
    for (const [status, text] of [[404, "<html>Not Found</html>"], [409, ""], [401, undefined], [418, "{\"message\":\"teapot\"}"]] as const) {
      const error = RegistryError.fromResponse(status, text, { from: "tfy.example" })
      assert.strictEqual(error._tag, "UpstreamError")
      assert.deepStrictEqual(body(error), {
        statusCode: 502,
        code: "UPSTREAM_ERROR",
        message: `tfy.example answered HTTP ${status} ${status === 418 ? "with an error mreg does not know" : "without a JSON error body"}`,
        details: [{ upstreamStatus: status }]
      })
    }
  })

  it("503 with a decodable body → StoreUnavailable, retryAfter from details, else Retry-After, else 1", () => {
    const from = (text: string, headers?: Record<string, string>) => RegistryError.fromResponse(503, text, { headers })
    assert.deepStrictEqual(body(from(JSON.stringify({ statusCode: 503, code: "STORE_UNAVAILABLE", message: "db down", details: { retryAfter: 4 } }))), {
      statusCode: 503,
      code: "STORE_UNAVAILABLE",
      message: "the registry store is unavailable; retry later",
      details: [{ retryAfter: 4 }]
    })
    const fromHeader = from(JSON.stringify({ message: "psycopg2.OperationalError: could not connect" }), { "retry-after": "9" })
    assert.deepStrictEqual(body(fromHeader), {
      statusCode: 503,
      code: "STORE_UNAVAILABLE",
      message: "the registry store is unavailable; retry later",
      details: [{ retryAfter: 9 }]
    })
    assert.deepStrictEqual(RegistryError.headersOf(fromHeader), { "retry-after": "9" })
    assert.strictEqual((from(JSON.stringify({ error: "maintenance" })) as RegistryError.StoreUnavailable).retryAfter, 1)
    assert.strictEqual(from("Service Unavailable")._tag, "UpstreamError")
  })

  it("504 → GATEWAY_TIMEOUT; a decodable 502 gets mreg's message", () => {
    assert.deepStrictEqual(body(RegistryError.fromResponse(504, "<html>Gateway Timeout</html>", { from: "tfy.example" })), {
      statusCode: 504,
      code: "GATEWAY_TIMEOUT",
      message: "tfy.example timed out (HTTP 504)",
      details: [{ upstreamStatus: 504 }]
    })
    assert.deepStrictEqual(body(RegistryError.fromResponse(502, JSON.stringify({ statusCode: 502, code: "UPSTREAM_ERROR", message: "cannot reach db.example" }))), {
      statusCode: 502,
      code: "UPSTREAM_ERROR",
      message: "the upstream control plane failed",
      details: [{ upstreamStatus: 502 }]
    })
  })

  it("500 with SQL → INTERNAL_ERROR with mreg's message", () => {
    assert.deepStrictEqual(body(RegistryError.fromResponse(500, JSON.stringify({ message: SQL }))), {
      statusCode: 500,
      code: "INTERNAL_ERROR",
      message: "the registry failed on its side"
    })
  })
})
