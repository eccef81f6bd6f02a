import { HttpApiSchema } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { RegistryApi, RegistryError } from "@mreg/core"
import { Schema } from "effect"

const R = RegistryError

/** One error per row of the table, with every typed field set, and the row's expectations. */
const cases = [
  ["InvalidJson", new R.InvalidJson({ message: "Unexpected token } at line 2", line: 2, column: 5 }), 400, "INVALID_JSON", 2, false],
  ["Unauthorized", new R.Unauthorized({ message: "missing bearer token" }), 401, "UNAUTHORIZED", 1, false],
  ["Forbidden", new R.Forbidden({ message: "no write access to nlp-team" }), 403, "FORBIDDEN", 1, false],
  ["NotFound", new R.NotFound({ message: "no model version mv-1" }), 404, "NOT_FOUND", 4, false],
  ["Conflict", new R.Conflict({ reason: "TAG_IN_USE", message: "prod is held by version 2", details: { tag: "prod", version: 2 } }), 409, "TAG_IN_USE", 3, false],
  ["PreconditionFailed", new R.PreconditionFailed({ message: "If-Match did not match", etag: "\"mv-1.3\"" }), 412, "PRECONDITION_FAILED", 3, false],
  ["PayloadTooLarge", new R.PayloadTooLarge({ message: "body over 1048576 bytes", limit: 1048576 }), 413, "PAYLOAD_TOO_LARGE", 2, false],
  [
    "ValidationError",
    new R.ValidationError({ detail: [new R.ValidationIssue({ loc: ["body", "manifest", "name"], msg: "must not be empty", type: "value_error" })] }),
    422,
    "VALIDATION_ERROR",
    2,
    false
  ],
  ["StoreError", new R.StoreError({ message: "the registry store failed" }), 500, "INTERNAL_ERROR", 1, false],
  ["UpstreamError", new R.UpstreamError({ status: 502, message: "cannot reach tfy.example", upstreamStatus: 503 }), 502, "UPSTREAM_ERROR", 1, true],
  ["StoreUnavailable", new R.StoreUnavailable({ message: "the registry store is unavailable", retryAfter: 5 }), 503, "STORE_UNAVAILABLE", 1, true],
  ["GatewayTimeout", new R.UpstreamError({ status: 504, message: "tfy.example did not answer within 30s" }), 504, "GATEWAY_TIMEOUT", 1, true]
] as const

describe("RegistryError.Table", () => {
  it("has one row per status, and every row is covered here", () => {
    assert.deepStrictEqual(Object.keys(R.Table).sort(), cases.map(([name]) => name).sort())
    assert.deepStrictEqual(
      Object.values(R.Table).map((row) => row.status).sort(),
      [400, 401, 403, 404, 409, 412, 413, 422, 500, 502, 503, 504]
    )
  })

  for (const [name, error, status, code, exitCode, retryable] of cases) {
    it(`${name}: ${status} ${code}, exit ${exitCode}, ${retryable ? "retried" : "not retried"}, round trip`, () => {
      assert.strictEqual(R.rowNameOf(error), name)
      assert.strictEqual(R.Table[name].status, status)
      assert.strictEqual(error.statusCode, status)
      assert.strictEqual(error.code, code)
      assert.strictEqual(R.exitCode(error), exitCode)
      assert.strictEqual(R.isRetryable(error), retryable)
      const body = R.toBody(error)
      assert.strictEqual(body.statusCode, status)
      assert.strictEqual(body.code, code)
      const back = R.fromBody(status, Schema.decodeUnknownSync(R.ErrorBodySchema)(JSON.parse(JSON.stringify(body))))
      assert.strictEqual(back._tag, error._tag)
      assert.deepStrictEqual(R.toBody(back), body)
      // The contract's wire schema for the row, generated from the table.
      const wire = RegistryApi.Errors[name] as unknown as Schema.Schema<RegistryError.RegistryError, unknown>
      assert.strictEqual(HttpApiSchema.getStatusError(wire), status)
      assert.deepStrictEqual(Schema.encodeSync(wire)(error), body)
      assert.deepStrictEqual(R.toBody(Schema.decodeUnknownSync(wire)(body)), body)
    })
  }

  it("StoreUnavailable: retryAfter defaults to 1 and travels in details and as Retry-After", () => {
    const error = new R.StoreUnavailable({ message: "the registry store is unavailable" })
    assert.strictEqual(error.retryAfter, 1)
    assert.deepStrictEqual(R.toBody(error), {
      statusCode: 503,
      code: "STORE_UNAVAILABLE",
      message: "the registry store is unavailable",
      details: [{ retryAfter: 1 }]
    })
    assert.deepStrictEqual(R.headersOf(new R.StoreUnavailable({ message: "m", retryAfter: 7 })), { "retry-after": "7" })
  })

  it("headersOf: etag for PreconditionFailed when known, nothing otherwise", () => {
    assert.deepStrictEqual(R.headersOf(new R.PreconditionFailed({ message: "m", etag: "\"mv-1.2\"" })), { etag: "\"mv-1.2\"" })
    assert.deepStrictEqual(R.headersOf(new R.PreconditionFailed({ message: "m" })), {})
    assert.deepStrictEqual(R.headersOf(new R.NotFound({ message: "m" })), {})
  })

  it("an upstream's 4xx other than 429 is not retried; 429 and 5xx are", () => {
    const upstream = (upstreamStatus: number) => new R.UpstreamError({ status: 502, message: "m", upstreamStatus })
    assert.deepStrictEqual([400, 401, 404, 418, 429, 500, 502, 503].map((s) => R.isRetryable(upstream(s))), [
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true
    ])
  })

  it("the server encodes each error at its row's status (502 vs 504 for UpstreamError)", () => {
    const errors = Schema.Union(...Object.values(RegistryApi.Errors)) as unknown as Schema.Schema<RegistryError.RegistryError, RegistryError.ErrorBody>
    const timeout = new R.UpstreamError({ status: 504, message: "late" })
    assert.deepStrictEqual(Schema.encodeSync(errors)(timeout), { statusCode: 504, code: "GATEWAY_TIMEOUT", message: "late" })
    assert.deepStrictEqual(Schema.encodeSync(errors)(new R.StoreUnavailable({ message: "down", retryAfter: 2 })), {
      statusCode: 503,
      code: "STORE_UNAVAILABLE",
      message: "down",
      details: [{ retryAfter: 2 }]
    })
  })
})
