import { HttpApiSchema } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { RegistryError } from "@mreg/core"
import { Effect, Schema } from "effect"

const {
  Conflict,
  Forbidden,
  InvalidJson,
  NotFound,
  PayloadTooLarge,
  PreconditionFailed,
  StoreError,
  StoreUnavailable,
  Unauthorized,
  UpstreamError,
  ValidationError,
  ValidationIssue
} = RegistryError

const aliasIssue = new ValidationIssue({
  loc: ["body", "manifest", "version_alias"],
  msg: "must match the alias rule",
  type: "value_error"
})
const pipIssue = new ValidationIssue({
  loc: ["body", "manifest", "environment", "pip_packages", 0],
  msg: "must be a PEP 508 requirement",
  type: "value_error"
})

describe("RegistryError", () => {
  describe("toBody", () => {
    it("ValidationError: 422 with every detail", () => {
      assert.deepStrictEqual(RegistryError.toBody(new ValidationError({ detail: [aliasIssue, pipIssue] })), {
        statusCode: 422,
        code: "VALIDATION_ERROR",
        message:
          "2 problems: manifest.version_alias: must match the alias rule; manifest.environment.pip_packages[0]: must be a PEP 508 requirement",
        detail: [
          { loc: ["body", "manifest", "version_alias"], msg: "must match the alias rule", type: "value_error" },
          {
            loc: ["body", "manifest", "environment", "pip_packages", 0],
            msg: "must be a PEP 508 requirement",
            type: "value_error"
          }
        ]
      })
    })

    it("InvalidJson: 400 with line and column", () => {
      assert.deepStrictEqual(
        RegistryError.toBody(new InvalidJson({ message: "Unexpected token N in JSON", line: 3, column: 17 })),
        { statusCode: 400, code: "INVALID_JSON", message: "Unexpected token N in JSON", details: [{ line: 3, column: 17 }] }
      )
    })

    it.each([
      ["Unauthorized: 401", new Unauthorized({ message: "missing bearer token" }), 401, "UNAUTHORIZED", "missing bearer token"],
      ["Forbidden: 403", new Forbidden({ message: "no write access to nlp-team" }), 403, "FORBIDDEN", "no write access to nlp-team"],
      ["NotFound: 404", new NotFound({ message: "no model version abc" }), 404, "NOT_FOUND", "no model version abc"],
      [
        "StoreError: 500 INTERNAL_ERROR",
        new StoreError({ message: "the registry store failed" }),
        500,
        "INTERNAL_ERROR",
        "the registry store failed"
      ]
    ] as const)("%s", (_name, error, statusCode, code, message) => {
      assert.deepStrictEqual(RegistryError.toBody(error), { statusCode, code, message })
    })

    it("Conflict: 409 with the reason as code and its details", () => {
      assert.deepStrictEqual(
        RegistryError.toBody(
          new Conflict({ reason: "IMMUTABLE_FIELD", message: "source is fixed at creation", details: { field: "manifest.source" } })
        ),
        {
          statusCode: 409,
          code: "IMMUTABLE_FIELD",
          message: "source is fixed at creation",
          details: [{ field: "manifest.source" }]
        }
      )
      assert.deepStrictEqual(
        RegistryError.toBody(new Conflict({ reason: "ALIAS_IN_USE", message: "v3 is held by version 5", details: { version: 5 } })),
        { statusCode: 409, code: "ALIAS_IN_USE", message: "v3 is held by version 5", details: [{ version: 5 }] }
      )
    })

    it("Conflict without details has no details key", () => {
      const body = RegistryError.toBody(new Conflict({ reason: "IDEMPOTENCY_KEY_REUSED", message: "key k-123 was used with another body" }))
      assert.deepStrictEqual(body, {
        statusCode: 409,
        code: "IDEMPOTENCY_KEY_REUSED",
        message: "key k-123 was used with another body"
      })
      assert.isFalse("details" in body)
    })

    it("every Conflict reason is its own code", () => {
      for (const reason of ["IMMUTABLE_FIELD", "VERSION_DELETED", "ALIAS_IN_USE", "TAG_IN_USE", "IDEMPOTENCY_KEY_REUSED"] as const) {
        assert.strictEqual(RegistryError.toBody(new Conflict({ reason, message: "m" })).code, reason)
      }
    })

    it("PreconditionFailed: 412 with the current etag", () => {
      assert.deepStrictEqual(
        RegistryError.toBody(new PreconditionFailed({ message: "version 3 exists", etag: "\"mv-3-r1\"" })),
        { statusCode: 412, code: "PRECONDITION_FAILED", message: "version 3 exists", details: [{ etag: "\"mv-3-r1\"" }] }
      )
      assert.deepStrictEqual(RegistryError.toBody(new PreconditionFailed({ message: "If-Match did not match" })), {
        statusCode: 412,
        code: "PRECONDITION_FAILED",
        message: "If-Match did not match"
      })
    })

    it("PayloadTooLarge: 413 with the limit", () => {
      assert.deepStrictEqual(
        RegistryError.toBody(new PayloadTooLarge({ message: "body larger than 1048576 bytes", limit: 1048576 })),
        { statusCode: 413, code: "PAYLOAD_TOO_LARGE", message: "body larger than 1048576 bytes", details: [{ limit: 1048576 }] }
      )
    })

    it("UpstreamError: 502 UPSTREAM_ERROR with the upstream status, 504 GATEWAY_TIMEOUT without", () => {
      assert.deepStrictEqual(
        RegistryError.toBody(new UpstreamError({ status: 502, message: "upstream answered HTML", upstreamStatus: 502 })),
        { statusCode: 502, code: "UPSTREAM_ERROR", message: "upstream answered HTML", details: [{ upstreamStatus: 502 }] }
      )
      assert.deepStrictEqual(RegistryError.toBody(new UpstreamError({ status: 504, message: "upstream timed out after 30s" })), {
        statusCode: 504,
        code: "GATEWAY_TIMEOUT",
        message: "upstream timed out after 30s"
      })
    })

    it("is plain JSON: no stack, no _tag", () => {
      const body = RegistryError.toBody(new NotFound({ message: "gone" }))
      assert.strictEqual(JSON.stringify(body), `{"statusCode":404,"code":"NOT_FOUND","message":"gone"}`)
    })
  })

  describe("ValidationError.message", () => {
    it("summarises one problem", () => {
      assert.strictEqual(
        new ValidationError({ detail: [aliasIssue] }).message,
        "1 problem: manifest.version_alias: must match the alias rule"
      )
    })

    it("summarises several problems in order", () => {
      assert.strictEqual(
        new ValidationError({ detail: [pipIssue, aliasIssue] }).message,
        "2 problems: manifest.environment.pip_packages[0]: must be a PEP 508 requirement; manifest.version_alias: must match the alias rule"
      )
    })

    it("keeps query locs as they are", () => {
      const issue = new ValidationIssue({ loc: ["query", "limit"], msg: "must be an integer from 1 to 1000 (received 0)", type: "value_error" })
      assert.strictEqual(
        new ValidationError({ detail: [issue] }).message,
        "1 problem: query.limit: must be an integer from 1 to 1000 (received 0)"
      )
    })
  })

  describe("formatLoc", () => {
    it("drops the leading body and renders indexes as [i]", () => {
      assert.strictEqual(RegistryError.formatLoc(["body", "manifest", "framework", "pipeline_tag"]), "manifest.framework.pipeline_tag")
      assert.strictEqual(RegistryError.formatLoc(["body", "manifest", "metadata", "a", 0, "b"]), "manifest.metadata.a[0].b")
      assert.strictEqual(RegistryError.formatLoc(["header", "If-Match"]), "header.If-Match")
      assert.strictEqual(RegistryError.formatLoc(["body"]), "(body)")
      assert.strictEqual(RegistryError.formatLoc([]), "(body)")
    })
  })

  describe("statusCode and code", () => {
    it("each class carries its HTTP status, also as the HttpApi annotation", () => {
      const cases = [
        [ValidationError, new ValidationError({ detail: [] }), 422, "VALIDATION_ERROR"],
        [InvalidJson, new InvalidJson({ message: "m", line: 1, column: 1 }), 400, "INVALID_JSON"],
        [Unauthorized, new Unauthorized({ message: "m" }), 401, "UNAUTHORIZED"],
        [Forbidden, new Forbidden({ message: "m" }), 403, "FORBIDDEN"],
        [NotFound, new NotFound({ message: "m" }), 404, "NOT_FOUND"],
        [Conflict, new Conflict({ reason: "TAG_IN_USE", message: "m" }), 409, "TAG_IN_USE"],
        [PreconditionFailed, new PreconditionFailed({ message: "m" }), 412, "PRECONDITION_FAILED"],
        [PayloadTooLarge, new PayloadTooLarge({ message: "m", limit: 1 }), 413, "PAYLOAD_TOO_LARGE"],
        [UpstreamError, new UpstreamError({ status: 502, message: "m" }), 502, "UPSTREAM_ERROR"],
        [StoreUnavailable, new StoreUnavailable({ message: "m" }), 503, "STORE_UNAVAILABLE"],
        [StoreError, new StoreError({ message: "m" }), 500, "INTERNAL_ERROR"]
      ] as const
      for (const [schema, error, status, code] of cases) {
        assert.strictEqual(error.statusCode, status)
        assert.strictEqual(error.code, code)
        assert.strictEqual(HttpApiSchema.getStatusError(schema), status)
      }
    })
  })

  describe("as Schema.TaggedError", () => {
    it.effect("catchTag takes each error by its tag", () =>
      Effect.gen(function*() {
        const failing: Effect.Effect<string, RegistryError.RegistryError> = Effect.fail(
          new Conflict({ reason: "VERSION_DELETED", message: "version 1 was deleted", details: { version: 1 } })
        )
        const handled = yield* failing.pipe(
          Effect.catchTag("NotFound", () => Effect.succeed("not found")),
          Effect.catchTag("Conflict", (error) => Effect.succeed(`${error.reason} ${error.details?.["version"]}`))
        )
        assert.strictEqual(handled, "VERSION_DELETED 1")
      }))

    it("encodes and decodes through its schema", () => {
      const error = new Conflict({ reason: "ALIAS_IN_USE", message: "v3 is held by version 5", details: { version: 5 } })
      const encoded = Schema.encodeSync(Conflict)(error)
      assert.deepStrictEqual(encoded, {
        _tag: "Conflict",
        reason: "ALIAS_IN_USE",
        message: "v3 is held by version 5",
        details: { version: 5 }
      })
      const decoded = Schema.decodeUnknownSync(Conflict)(encoded)
      assert.instanceOf(decoded, Conflict)
      assert.deepStrictEqual(RegistryError.toBody(decoded), RegistryError.toBody(error))
    })

    it("a ValidationError survives its schema with its message", () => {
      const error = new ValidationError({ detail: [aliasIssue] })
      const decoded = Schema.decodeUnknownSync(ValidationError)(Schema.encodeSync(ValidationError)(error))
      assert.strictEqual(decoded.message, "1 problem: manifest.version_alias: must match the alias rule")
      assert.deepStrictEqual(RegistryError.toBody(decoded), RegistryError.toBody(error))
    })
  })
})
