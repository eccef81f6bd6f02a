import { assert, describe, it } from "@effect/vitest"
import { RegistryError } from "@mreg/core"

/** What an adversarial upstream answered, and what mreg must show instead. */
const body = (status: number, value: unknown) => RegistryError.toBody(RegistryError.fromResponse(status, JSON.stringify(value)))

const PG_DOWN = "connection to server at \"db.internal.corp\" (10.0.3.7), port 5432 failed: FATAL:  password authentication failed for user \"admin\""
const MYSQL = "ER_ACCESS_DENIED_ERROR: Access denied for user 'root'@'10.0.0.5' (using password: YES)"
const JAVA = "java.lang.NullPointerException at com.acme.registry.Upsert.run(Upsert.java:88)"
const RELATION = "ERROR: relation \"model_versions\" does not exist at character 15"

describe("RegistryError.fromResponse: an upstream's text is shown only by the allowlist", () => {
  it("5xx, 401, 403 and 404 messages are never shown: mreg's message for the status", () => {
    for (const message of [PG_DOWN, MYSQL, JAVA, RELATION, "plain and harmless"]) {
      assert.deepStrictEqual(body(500, { message }), { statusCode: 500, code: "INTERNAL_ERROR", message: "the registry failed on its side" })
      assert.deepStrictEqual(body(401, { message }), { statusCode: 401, code: "UNAUTHORIZED", message: "the API key is missing or not accepted" })
      assert.deepStrictEqual(body(403, { message }), {
        statusCode: 403,
        code: "FORBIDDEN",
        message: "the API key lacks the permission for this request"
      })
      assert.deepStrictEqual(body(404, { message }), { statusCode: 404, code: "NOT_FOUND", message: "no such model version" })
    }
    assert.deepStrictEqual(body(401, { message: "token Bearer eyJhbGciOiJIUzI1NiJ9.e30.s3cr3t rejected" }), {
      statusCode: 401,
      code: "UNAUTHORIZED",
      message: "the API key is missing or not accepted"
    })
  })

  it("a 400 is 502 UPSTREAM_ERROR with upstreamStatus 400 and a fixed message, never INVALID_JSON", () => {
    assert.deepStrictEqual(body(400, { message: "invalid request: api_key=sk_live_51HxyzSECRETabc" }), {
      statusCode: 502,
      code: "UPSTREAM_ERROR",
      message: "the upstream rejected a request mreg had validated (HTTP 400)",
      details: [{ upstreamStatus: 400 }]
    })
  })

  it("409 keeps only details that pass strict patterns, and mreg's message for the reason", () => {
    const hostile = { field: "password: hunter2", alias: "redis://:hunter2@cache.internal:6379", tag: "AKIAIOSFODNN7EXAMPLE x", version: "3" }
    assert.deepStrictEqual(body(409, { code: "ALIAS_IN_USE", message: PG_DOWN, details: hostile }), {
      statusCode: 409,
      code: "ALIAS_IN_USE",
      message: "the version alias is held by another version of this model"
    })
    assert.deepStrictEqual(body(409, { code: "TAG_IN_USE", message: "x", details: { field: "tags", tag: "prod", version: 2 } }), {
      statusCode: 409,
      code: "TAG_IN_USE",
      message: "tag \"prod\" is held by version 2",
      details: [{ field: "tags", tag: "prod", version: 2 }]
    })
    assert.deepStrictEqual(body(409, { code: "IMMUTABLE_FIELD", message: "x", details: { field: "manifest.ml_repo" } }), {
      statusCode: 409,
      code: "IMMUTABLE_FIELD",
      message: "manifest.ml_repo is fixed when a version is created and cannot change",
      details: [{ field: "manifest.ml_repo" }]
    })
    assert.deepStrictEqual(body(409, { code: "VERSION_DELETED", message: "x", details: { field: "manifest.nope", version: 0 } }), {
      statusCode: 409,
      code: "VERSION_DELETED",
      message: "the version was deleted and version numbers are never reused"
    })
    assert.deepStrictEqual(body(409, { code: "IDEMPOTENCY_KEY_REUSED", message: "key sk_live_x" }), {
      statusCode: 409,
      code: "IDEMPOTENCY_KEY_REUSED",
      message: "the Idempotency-Key was already used with a different request; use a new key for a new request"
    })
  })

  it("412 keeps a quoted printable ETag of at most 256 characters and mreg's message", () => {
    const etag = `"${"a".repeat(250)}"`
    assert.deepStrictEqual(body(412, { message: MYSQL, details: { etag } }), {
      statusCode: 412,
      code: "PRECONDITION_FAILED",
      message: "the If-Match or If-None-Match precondition failed",
      details: [{ etag }]
    })
    assert.deepStrictEqual(body(412, { message: "x", details: { etag: `"${"a".repeat(255)}"` } }), {
      statusCode: 412,
      code: "PRECONDITION_FAILED",
      message: "the If-Match or If-None-Match precondition failed"
    })
  })

  it("422 keeps identifier-like loc parts and safe msgs; everything else is replaced", () => {
    const detail = [
      { loc: ["body", "password: hunter2"], msg: "value is not valid; db_password: hunter2", type: "value_error" },
      { loc: ["body", "manifest", "name"], msg: "field required", type: "missing" },
      { loc: ["body", "manifest", 0], msg: "bad \u202evalue", type: "value_error" },
      { loc: ["body", "x"], msg: "zero\u200bwidth", type: "value_error" },
      { loc: ["body", "y"], msg: "replacement \ufffd", type: "value_error" },
      { loc: ["body", "z"], msg: "a".repeat(201), type: "value_error" },
      { loc: ["body", "w"], msg: "see AKIAIOSFODNN7EXAMPLE", type: "value_error" }
    ]
    assert.deepStrictEqual(body(422, { detail }).detail, [
      { loc: ["body"], msg: "rejected by the upstream", type: "value_error" },
      { loc: ["body", "manifest", "name"], msg: "field required", type: "missing" },
      { loc: ["body", "manifest", 0], msg: "rejected by the upstream", type: "value_error" },
      { loc: ["body", "x"], msg: "rejected by the upstream", type: "value_error" },
      { loc: ["body", "y"], msg: "rejected by the upstream", type: "value_error" },
      { loc: ["body", "z"], msg: "rejected by the upstream", type: "value_error" },
      { loc: ["body", "w"], msg: "rejected by the upstream", type: "value_error" }
    ])
  })
})
