import { assert, describe, it } from "@effect/vitest"
import { ModelManifest } from "@mreg/core"
import { Arbitrary, FastCheck, Schema } from "effect"
import { base, chars, decodeOk, fixtureNames, minimal, problems, readFixture, withFields } from "./utils.js"

const ALIAS_RULE =
  `must match ^v[a-zA-Z0-9]+([.-][a-zA-Z0-9]+)*$: a "v" then letters or digits, groups joined by "." or "-", such as "v1.0.0" or "v1-prod"`

/** How `received` renders a string longer than 80 characters. */
const longReceived = (value: string) => `(received ${JSON.stringify(value.slice(0, 80))}… (${value.length} characters))`

/** A length limit's two tests: `max` characters decode (`accepted`, "a" × `max` unless given), `max + 1` do not. */
const lengthLimit = (field: string, max: number, accepted = chars(max)) => {
  it(`accepts ${max} characters`, () => {
    assert.strictEqual((decodeOk(withFields({ [field]: accepted })) as unknown as Record<string, unknown>)[field], accepted)
  })

  it(`rejects ${max + 1} characters`, () => {
    assert.deepStrictEqual(problems(withFields({ [field]: chars(max + 1) })), [
      { loc: ["body", "manifest", field], msg: `must be at most ${max} characters ${longReceived(chars(max + 1))}`, type: "value_error" }
    ])
  })
}

/** One test per value of `field` that breaks its pattern: one value_error, `rule (received <value>)`. */
const rejectsPattern = (field: string, values: ReadonlyArray<string>, rule: string, titleSuffix = "") => {
  for (const value of values) {
    it(`rejects ${JSON.stringify(value)}${titleSuffix}`, () => {
      assert.deepStrictEqual(problems(withFields({ [field]: value })), [
        { loc: ["body", "manifest", field], msg: `${rule} (received ${JSON.stringify(value)})`, type: "value_error" }
      ])
    })
  }
}

describe("ModelManifest", () => {
  describe("BASE (CASES.md)", () => {
    it("decodes into a ModelManifest with every field as given", () => {
      const manifest = decodeOk(base())
      assert.instanceOf(manifest, ModelManifest.ModelManifest)
      assert.deepStrictEqual(Schema.encodeSync(ModelManifest.ModelManifest)(manifest), base())
    })

    it("needs only type, name, ml_repo, metadata and source; optional fields stay absent", () => {
      const manifest = decodeOk(minimal())
      assert.deepStrictEqual(Object.keys(Schema.encodeSync(ModelManifest.ModelManifest)(manifest)).sort(), [
        "metadata",
        "ml_repo",
        "name",
        "source",
        "type"
      ])
      assert.strictEqual(manifest.version, undefined)
      assert.strictEqual(manifest.step, undefined)
    })

    it("reports every missing required field", () => {
      assert.deepStrictEqual(problems({}), [
        { loc: ["body", "manifest", "type"], msg: "is required", type: "missing" },
        { loc: ["body", "manifest", "name"], msg: "is required", type: "missing" },
        { loc: ["body", "manifest", "ml_repo"], msg: "is required", type: "missing" },
        { loc: ["body", "manifest", "metadata"], msg: "is required", type: "missing" },
        { loc: ["body", "manifest", "source"], msg: "is required", type: "missing" }
      ])
    })
  })

  describe("type", () => {
    it("must be the literal model-version", () => {
      assert.deepStrictEqual(problems(withFields({ type: "model" })), [
        { loc: ["body", "manifest", "type"], msg: `must be "model-version" (received "model")`, type: "type_error" }
      ])
    })
  })

  describe("name", () => {
    lengthLimit("name", 256)

    it("rejects an empty name", () => {
      assert.deepStrictEqual(problems(withFields({ name: "" })), [
        { loc: ["body", "manifest", "name"], msg: "must not be empty", type: "value_error" }
      ])
    })

    it("keeps letters, digits, _ and - with their case", () => {
      assert.strictEqual(decodeOk(withFields({ name: "Sentiment_CLF-2" })).name, "Sentiment_CLF-2")
      assert.strictEqual(decodeOk(withFields({ name: "_" })).name, "_")
      assert.strictEqual(decodeOk(withFields({ name: "-x-" })).name, "-x-")
    })

    const nameRule = `must contain only letters, digits, "_" and "-"`
    rejectsPattern("name", ["sentiment clf", "sentiment.clf", "nlp/sentiment", "modèle", "a:b"], nameRule, " (pattern)")

    it("rejects a number", () => {
      assert.deepStrictEqual(problems(withFields({ name: 7 })), [
        { loc: ["body", "manifest", "name"], msg: "must be a string (received 7)", type: "type_error" }
      ])
    })
  })

  describe("ml_repo", () => {
    const mlRepoRule = `must start and end with a letter or digit and contain only letters, digits and "-"`

    lengthLimit("ml_repo", 512, `a${chars(510, "-")}z`)

    for (const mlRepo of ["a", "7", "nlp-team", "NLP-Team-2", "a-b-c"]) {
      it(`accepts ${JSON.stringify(mlRepo)}`, () => {
        assert.strictEqual(decodeOk(withFields({ ml_repo: mlRepo })).ml_repo, mlRepo)
      })
    }

    rejectsPattern("ml_repo", ["-nlp", "nlp-", "-", "nlp_team", "nlp team", "nlp.team", "_nlp"], mlRepoRule)

    it("rejects an empty ml_repo", () => {
      assert.deepStrictEqual(problems(withFields({ ml_repo: "" })), [
        { loc: ["body", "manifest", "ml_repo"], msg: "must not be empty", type: "value_error" }
      ])
    })
  })

  describe("version", () => {
    it("accepts 1", () => {
      assert.strictEqual(decodeOk(withFields({ version: 1 })).version, 1)
    })

    it("accepts the largest integer the store holds, 2^31 − 1", () => {
      assert.strictEqual(decodeOk(withFields({ version: 2 ** 31 - 1 })).version, 2 ** 31 - 1)
    })

    it("rejects 2^31 (a PostgreSQL INTEGER overflow, never a store failure)", () => {
      assert.deepStrictEqual(problems(withFields({ version: 2 ** 31, step: 2 ** 31 })), [
        { loc: ["body", "manifest", "version"], msg: "must be at most 2147483647 (received 2147483648)", type: "value_error" },
        { loc: ["body", "manifest", "step"], msg: "must be at most 2147483647 (received 2147483648)", type: "value_error" }
      ])
    })

    it("rejects 0", () => {
      assert.deepStrictEqual(problems(withFields({ version: 0 })), [
        { loc: ["body", "manifest", "version"], msg: "must be ≥ 1 (received 0)", type: "value_error" }
      ])
    })

    it("rejects the string \"3\"", () => {
      assert.deepStrictEqual(problems(withFields({ version: "3" })), [
        {
          loc: ["body", "manifest", "version"],
          msg: `must be an integer ≥ 1, not a string (received "3")`,
          type: "type_error"
        }
      ])
    })

    it("rejects the fraction 1.5", () => {
      assert.deepStrictEqual(problems(withFields({ version: 1.5 })), [
        { loc: ["body", "manifest", "version"], msg: "must be a whole number (received 1.5)", type: "value_error" }
      ])
    })

    it("rejects NaN", () => {
      assert.deepStrictEqual(problems(withFields({ version: Number.NaN })), [
        { loc: ["body", "manifest", "version"], msg: "must be a whole number (received NaN)", type: "value_error" }
      ])
    })
  })

  describe("step", () => {
    it("accepts 0", () => {
      assert.strictEqual(decodeOk(withFields({ step: 0 })).step, 0)
    })

    it("rejects -1", () => {
      assert.deepStrictEqual(problems(withFields({ step: -1 })), [
        { loc: ["body", "manifest", "step"], msg: "must be ≥ 0 (received -1)", type: "value_error" }
      ])
    })

    it("rejects a string and a fraction", () => {
      assert.deepStrictEqual(problems(withFields({ step: "0" })), [
        { loc: ["body", "manifest", "step"], msg: `must be an integer ≥ 0, not a string (received "0")`, type: "type_error" }
      ])
      assert.deepStrictEqual(problems(withFields({ step: 0.5 })), [
        { loc: ["body", "manifest", "step"], msg: "must be a whole number (received 0.5)", type: "value_error" }
      ])
    })
  })

  describe("version_alias", () => {
    for (const alias of ["v1.0.0", "v1-prod", "v3-dev", "v3", "vLatest", "v2024.06.01", "v1.0.0-rc1"]) {
      it(`accepts ${alias}`, () => {
        assert.strictEqual(decodeOk(withFields({ version_alias: alias })).version_alias, alias)
      })
    }

    it("accepts 128 characters", () => {
      const alias = `v${chars(127, "1")}`
      assert.strictEqual(decodeOk(withFields({ version_alias: alias })).version_alias, alias)
    })

    const badAliases = ["1.0", "v", "v1..0", "v-1", "V1", "v1.", "v1_0", "v1 0", "", "prod"]
    rejectsPattern("version_alias", badAliases, ALIAS_RULE)

    it("rejects 129 characters", () => {
      const alias = `v${chars(128, "1")}`
      assert.deepStrictEqual(problems(withFields({ version_alias: alias })), [
        {
          loc: ["body", "manifest", "version_alias"],
          msg: `must be at most 128 characters ${longReceived(alias)}`,
          type: "value_error"
        }
      ])
    })

    it("exports the rule as VERSION_ALIAS_PATTERN", () => {
      assert.strictEqual(ModelManifest.VERSION_ALIAS_PATTERN.source, "^v[a-zA-Z0-9]+([.-][a-zA-Z0-9]+)*$")
      assert.isTrue(ModelManifest.VERSION_ALIAS_PATTERN.test("v3"))
      assert.isFalse(ModelManifest.VERSION_ALIAS_PATTERN.test("3"))
    })
  })

  describe("description", () => {
    lengthLimit("description", 1024)

    it("accepts an empty description", () => {
      assert.strictEqual(decodeOk(withFields({ description: "" })).description, "")
    })
  })

  describe("run_id", () => {
    it("accepts a run id and 256 characters", () => {
      assert.strictEqual(decodeOk(withFields({ run_id: "run-7f3a2c" })).run_id, "run-7f3a2c")
      assert.strictEqual(decodeOk(withFields({ run_id: chars(256) })).run_id, chars(256))
    })

    it("rejects an empty run id and 257 characters", () => {
      assert.deepStrictEqual(problems(withFields({ run_id: "" })), [
        { loc: ["body", "manifest", "run_id"], msg: "must not be empty", type: "value_error" }
      ])
      assert.deepStrictEqual(problems(withFields({ run_id: chars(257) })), [
        {
          loc: ["body", "manifest", "run_id"],
          msg: `must be at most 256 characters ${longReceived(chars(257))}`,
          type: "value_error"
        }
      ])
    })
  })

  describe("unknown fields", () => {
    it.each([
      ["reports version_aliass as extra_forbidden with a did-you-mean", "version_aliass", "v1", `is not a known field; did you mean "version_alias"? (received "v1")`],
      ["reports a field that resembles nothing without a guess", "owner", "me", `is not a known field (received "me")`]
    ])("%s", (_name, field, value, msg) => {
      assert.deepStrictEqual(problems(withFields({ [field]: value })), [
        { loc: ["body", "manifest", field], msg, type: "extra_forbidden" }
      ])
    })
  })

  describe("every problem at once", () => {
    it("lists each field's problem in field order", () => {
      assert.deepStrictEqual(
        problems(withFields({ name: "a b", version: 0, version_alias: "1.0", step: -1, descripton: "x" })),
        [
          {
            loc: ["body", "manifest", "descripton"],
            msg: `is not a known field; did you mean "description"? (received "x")`,
            type: "extra_forbidden"
          },
          {
            loc: ["body", "manifest", "name"],
            msg: `must contain only letters, digits, "_" and "-" (received "a b")`,
            type: "value_error"
          },
          { loc: ["body", "manifest", "version"], msg: "must be ≥ 1 (received 0)", type: "value_error" },
          {
            loc: ["body", "manifest", "version_alias"],
            msg: `${ALIAS_RULE} (received "1.0")`,
            type: "value_error"
          },
          { loc: ["body", "manifest", "step"], msg: "must be ≥ 0 (received -1)", type: "value_error" }
        ]
      )
    })
  })

  describe("example manifests", () => {
    it("has the eight examples as fixtures", () => {
      assert.deepStrictEqual(fixtureNames(), [
        "base.json",
        "distilbert-sst2.json",
        "llama-finetune.json",
        "minilm-embeddings.json",
        "onnx-resnet50.json",
        "sdxl-diffusers.json",
        "sklearn-iris.json",
        "xgboost-churn.json"
      ])
    })

    for (const name of fixtureNames()) {
      it(`${name} decodes and encodes back to exactly the input`, () => {
        const input = readFixture(name).manifest
        const manifest = decodeOk(input)
        assert.strictEqual(manifest.name, input.name)
        assert.deepStrictEqual(Schema.encodeSync(ModelManifest.ModelManifest)(manifest), input)
      })
    }

    it("keeps the values of xgboost-churn.json", () => {
      const manifest = decodeOk(readFixture("xgboost-churn.json").manifest)
      assert.strictEqual(manifest.version, 1)
      assert.strictEqual(manifest.step, 300)
      assert.deepStrictEqual(manifest.framework, {
        type: "xgboost",
        serialization_format: "json",
        model_filepath: "model.json",
        model_schema: {
          infer_method_name: "predict",
          inputs: [{ name: "tenure_months", type: "int" }],
          outputs: [{ name: "churn_probability", type: "float" }]
        }
      })
    })
  })

  describe("UpsertRequest", () => {
    it("wraps a manifest as {manifest}", () => {
      const request = Schema.decodeUnknownSync(ModelManifest.UpsertRequest)(readFixture("llama-finetune.json"))
      assert.instanceOf(request.manifest, ModelManifest.ModelManifest)
      assert.strictEqual(request.manifest.version_alias, "v3-dev")
      assert.deepStrictEqual(Schema.encodeSync(ModelManifest.UpsertRequest)(request), readFixture("llama-finetune.json"))
    })
  })

  describe("round trip (property)", () => {
    const arbitrary = Arbitrary.make(ModelManifest.ModelManifest)
    const encode = Schema.encodeSync(ModelManifest.ModelManifest)
    const decode = Schema.decodeUnknownSync(ModelManifest.ModelManifest)
    const decodeStrict = Schema.decodeUnknownSync(ModelManifest.ModelManifest, {
      errors: "all",
      onExcessProperty: "error"
    })

    it("decode(encode(value)) deep-equals every generated value", () => {
      FastCheck.assert(
        FastCheck.property(arbitrary, (value) => {
          assert.instanceOf(value, ModelManifest.ModelManifest)
          assert.deepStrictEqual(decode(encode(value)), value)
        }),
        { numRuns: 300 }
      )
    })

    // An optional field may hold `undefined` in a value (`version?: number | undefined`); JSON drops such keys, so
    // the JSON round trip is compared on the JSON form.
    const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

    it("survives JSON.stringify / JSON.parse and strict decoding", () => {
      FastCheck.assert(
        FastCheck.property(arbitrary, (value) => {
          const wire = json(encode(value))
          const back = decodeStrict(wire)
          assert.instanceOf(back, ModelManifest.ModelManifest)
          assert.deepStrictEqual(encode(back), wire)
          assert.deepStrictEqual(json(back), json(value))
          assert.deepStrictEqual(back.metadata, value.metadata)
        }),
        { numRuns: 300 }
      )
    })
  })
})
