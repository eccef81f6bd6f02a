import { assert, describe, it } from "@effect/vitest"
import { ModelManifest, PipelineTag, RegistryError, Validation } from "@mreg/core"
import { Effect, Either, Schema } from "effect"
import { base, problems, readFixture, withFields } from "./utils.js"

const ALIAS_RULE =
  `must match ^v[a-zA-Z0-9]+([.-][a-zA-Z0-9]+)*$: a "v" then letters or digits, groups joined by "." or "-", such as "v1.0.0" or "v1-prod"`

const requestProblems = (input: unknown) => {
  const result = Validation.decodeUpsertRequest(input)
  if (Either.isRight(result)) throw new Error("expected validation problems, but the request decoded")
  return result.left.detail.map((issue) => ({ loc: [...issue.loc], msg: issue.msg, type: issue.type }))
}

describe("Validation", () => {
  describe("decodeUpsertRequest", () => {
    it("decodes a PUT body into an UpsertRequest holding a ModelManifest", () => {
      const result = Validation.decodeUpsertRequest(readFixture("base.json"))
      assert.isTrue(Either.isRight(result))
      const request = Either.getOrThrow(result)
      assert.instanceOf(request, ModelManifest.UpsertRequest)
      assert.instanceOf(request.manifest, ModelManifest.ModelManifest)
      assert.deepStrictEqual(Schema.encodeSync(ModelManifest.UpsertRequest)(request), readFixture("base.json"))
    })

    it("reports a missing manifest at body.manifest", () => {
      assert.deepStrictEqual(requestProblems({}), [{ loc: ["body", "manifest"], msg: "is required", type: "missing" }])
    })

    it("prefixes manifest problems with body.manifest and reports an unknown top-level field", () => {
      assert.deepStrictEqual(requestProblems({ manifest: withFields({ version_alias: "1.0" }), manifests: 1 }), [
        { loc: ["body", "manifests"], msg: `is not a known field; did you mean "manifest"? (received 1)`, type: "extra_forbidden" },
        { loc: ["body", "manifest", "version_alias"], msg: `${ALIAS_RULE} (received "1.0")`, type: "value_error" }
      ])
    })
  })

  describe("decodeManifest", () => {
    it("reports locs starting with body, manifest", () => {
      assert.deepStrictEqual(problems(withFields({ version: 0 })), [
        { loc: ["body", "manifest", "version"], msg: "must be ≥ 1 (received 0)", type: "value_error" }
      ])
    })

    it("C6: both framework errors at once with their loc, allowed values and did-you-mean; null metadata is fine", () => {
      const input = withFields({
        metadata: { language: null },
        framework: { type: "transformers", pipeline_tag: "text-generaton", library_name: "pytorch" }
      })
      const detail = problems(input)
      assert.deepStrictEqual(detail, [
        {
          loc: ["body", "manifest", "framework", "library_name"],
          msg: `must be one of "transformers", "sentence-transformers", "diffusers" (received "pytorch")`,
          type: "type_error"
        },
        {
          loc: ["body", "manifest", "framework", "pipeline_tag"],
          msg: `must be a Hugging Face task id; did you mean "text-generation"? (received "text-generaton"; allowed: ${PipelineTag.PIPELINE_TAGS.join(", ")})`,
          type: "value_error"
        }
      ])
      assert.include(detail[1]!.msg, "text-classification, token-classification")
      // the same metadata with a valid framework is stored with the null
      const ok = Validation.decodeManifest(withFields({ metadata: { language: null } }))
      assert.deepStrictEqual(Either.map(ok, (manifest) => manifest.metadata), Either.right({ language: null }))
    })

    it("C7: alias 1.0 is refused before anything else happens", () => {
      assert.deepStrictEqual(problems(withFields({ version_alias: "1.0" })), [
        { loc: ["body", "manifest", "version_alias"], msg: `${ALIAS_RULE} (received "1.0")`, type: "value_error" }
      ])
    })

    it("C8: metadata.loss NaN is named at metadata.loss", () => {
      assert.deepStrictEqual(problems(withFields({ metadata: { loss: Number.NaN } })), [
        {
          loc: ["body", "manifest", "metadata", "loss"],
          msg: "must be a finite number: JSON has no NaN or Infinity (received NaN)",
          type: "value_error"
        }
      ])
    })

    it("C11: python_version 3.1 as a number is a type error", () => {
      assert.deepStrictEqual(problems(withFields({ environment: { python_version: 3.1 } })), [
        {
          loc: ["body", "manifest", "environment", "python_version"],
          msg: `must be a string MAJOR.MINOR[.PATCH] such as "3.10"; a number loses its trailing zeros, quote it (received 3.1)`,
          type: "type_error"
        }
      ])
    })

    it("reports version_aliass as extra_forbidden with a did-you-mean", () => {
      assert.deepStrictEqual(problems(withFields({ version_aliass: "v1" })), [
        {
          loc: ["body", "manifest", "version_aliass"],
          msg: `is not a known field; did you mean "version_alias"? (received "v1")`,
          type: "extra_forbidden"
        }
      ])
    })

    it("gives every problem in one error, across nested parts", () => {
      const input = withFields({
        name: "",
        source: { type: "external" },
        framework: { type: "transformers", base_model: "./checkpoints/run7" },
        environment: { python_version: "py3.10", pip_packages: ["-r req.txt"] },
        metadata: { loss: Number.POSITIVE_INFINITY }
      })
      assert.deepStrictEqual(
        problems(input).map((issue) => issue.loc.join(".")),
        [
          "body.manifest.name",
          "body.manifest.metadata.loss",
          "body.manifest.source.uri",
          "body.manifest.framework.base_model",
          "body.manifest.environment.python_version",
          "body.manifest.environment.pip_packages.0"
        ]
      )
    })

    it("answers a non-object manifest with a single type error", () => {
      assert.deepStrictEqual(problems(null), [
        { loc: ["body", "manifest"], msg: "must be a JSON object (received null)", type: "type_error" }
      ])
    })

    it("accepts BASE", () => {
      assert.isTrue(Either.isRight(Validation.decodeManifest(base())))
    })
  })

  describe("manifest (Effect)", () => {
    it.effect("succeeds with the ModelManifest", () =>
      Effect.gen(function*() {
        const manifest = yield* Validation.manifest(readFixture("distilbert-sst2.json").manifest)
        assert.instanceOf(manifest, ModelManifest.ModelManifest)
        assert.strictEqual(manifest.version_alias, "v1.0.0")
        assert.strictEqual(manifest.step, 2104)
      }))

    it.effect("fails with a ValidationError that catchTag can take", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Validation.manifest(withFields({ version: "3" })))
        assert.instanceOf(error, RegistryError.ValidationError)
        assert.strictEqual(error._tag, "ValidationError")
        assert.deepStrictEqual(error.detail.map((issue) => [...issue.loc]), [["body", "manifest", "version"]])
        const caught = yield* Validation.manifest(withFields({ version: "3" })).pipe(
          Effect.map(() => "decoded"),
          Effect.catchTag("ValidationError", (e) => Effect.succeed(`${e.statusCode} ${e.code}`))
        )
        assert.strictEqual(caught, "422 VALIDATION_ERROR")
      }))

    it.effect("decodes when run, not when built", () =>
      Effect.gen(function*() {
        const input = withFields({ step: 1 })
        const effect = Validation.manifest(input)
        input["step"] = -1
        const error = yield* Effect.flip(effect)
        assert.strictEqual(error.detail[0]!.msg, "must be ≥ 0 (received -1)")
      }))
  })

  describe("fromParseError", () => {
    it("uses the given prefix and maps issue kinds to FastAPI types", () => {
      const Query = Schema.Struct({ limit: Schema.Number, tag: Schema.String, order: Schema.Literal("asc", "desc") })
      const result = Schema.decodeUnknownEither(Query, { errors: "all", onExcessProperty: "error" })({
        limit: "x",
        order: "up",
        extra: 1
      })
      if (Either.isRight(result)) throw new Error("expected a ParseError")
      const error = Validation.fromParseError(result.left, ["query"])
      assert.instanceOf(error, RegistryError.ValidationError)
      assert.deepStrictEqual(
        error.detail.map((issue) => ({ loc: [...issue.loc], msg: issue.msg, type: issue.type })),
        [
          { loc: ["query", "extra"], msg: "is not a known field (received 1)", type: "extra_forbidden" },
          { loc: ["query", "limit"], msg: `must be a number (received "x")`, type: "type_error" },
          { loc: ["query", "tag"], msg: "is required", type: "missing" },
          { loc: ["query", "order"], msg: `must be one of "asc", "desc" (received "up")`, type: "type_error" }
        ]
      )
    })
  })
})
