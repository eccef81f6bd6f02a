import { assert, describe, it } from "@effect/vitest"
import { Framework } from "@mreg/core"
import { Either, Schema } from "effect"
import { decodeOk, minimal, problems } from "./utils.js"

const ALL_TYPES = "transformers tensorflow sklearn pytorch keras xgboost lightgbm fastai h2o onnx spacy statsmodels gluon paddle"
  .split(" ")

const withFramework = (framework: unknown) => minimal({ framework })
/** The decoded `framework` of a minimal manifest holding `framework`. */
const decodedFramework = (framework: unknown): unknown => decodeOk(withFramework(framework)).framework
const at = (...path: Array<string | number>) => ["body", "manifest", "framework", ...path]

/** One test per accepted value of the literal `field` of member `type`, and one for a rejected value (a type_error). */
const literalField = (
  type: string,
  field: string,
  accepted: ReadonlyArray<string>,
  rejected: { readonly name: string; readonly value: string; readonly msg: string }
) => {
  for (const value of accepted) {
    it(`accepts ${field} ${value}`, () => {
      assert.deepStrictEqual(decodedFramework({ type, [field]: value }), { type, [field]: value })
    })
  }
  it(rejected.name, () => {
    assert.deepStrictEqual(problems(withFramework({ type, [field]: rejected.value })), [
      { loc: at(field), msg: rejected.msg, type: "type_error" }
    ])
  })
}

describe("Framework", () => {
  it("FRAMEWORK_TYPES lists the 14 members in order", () => {
    assert.deepStrictEqual([...Framework.FRAMEWORK_TYPES], ALL_TYPES)
  })

  for (const type of ALL_TYPES) {
    it(`${type} decodes with only its type`, () => {
      assert.deepStrictEqual(decodedFramework({ type }), { type })
      assert.deepStrictEqual(Schema.decodeUnknownEither(Framework.Framework)({ type }), Either.right({ type } as Framework.Framework))
    })
  }

  it("rejects an unknown type with the list of allowed values", () => {
    assert.deepStrictEqual(problems(withFramework({ type: "torch" })), [
      {
        loc: at("type"),
        msg:
          `must be one of "transformers", "tensorflow", "sklearn", "pytorch", "keras", "xgboost", "lightgbm", "fastai", ` +
          `"h2o", "onnx", "spacy", "statsmodels", "gluon", "paddle" (received "torch")`,
        type: "type_error"
      }
    ])
  })

  it("requires type", () => {
    assert.deepStrictEqual(problems(withFramework({})), [{ loc: at("type"), msg: "is required", type: "missing" }])
  })

  it("refuses fields of another member on a type-only member", () => {
    assert.deepStrictEqual(problems(withFramework({ type: "pytorch", library_name: "transformers" })), [
      { loc: at("library_name"), msg: `is not a known field (received "transformers")`, type: "extra_forbidden" }
    ])
  })

  describe("transformers", () => {
    literalField("transformers", "library_name", ["transformers", "sentence-transformers", "diffusers"], {
      name: "rejects another library_name with the allowed values",
      value: "pytorch",
      msg: `must be one of "transformers", "sentence-transformers", "diffusers" (received "pytorch")`
    })

    it("keeps library_name, pipeline_tag and base_model together", () => {
      const framework = {
        type: "transformers",
        library_name: "sentence-transformers",
        pipeline_tag: "sentence-similarity",
        base_model: "sentence-transformers/all-MiniLM-L6-v2"
      }
      assert.deepStrictEqual(decodedFramework(framework), framework)
    })

    it("answers a misspelt field with a did-you-mean", () => {
      assert.deepStrictEqual(problems(withFramework({ type: "transformers", pipline_tag: "text-generation" })), [
        {
          loc: at("pipline_tag"),
          msg: `is not a known field; did you mean "pipeline_tag"? (received "text-generation")`,
          type: "extra_forbidden"
        }
      ])
    })
  })

  it("reports every NUL (U+0000) at its path, in keys and values at any depth", () => {
    const nul = (shown: string) => `must not contain a NUL character (U+0000) (received ${shown})`
    const deep = {
      type: "sklearn",
      model_schema: { infer_method_name: "predict", inputs: [{ name: "x", deep: [{ "k\u0000": 1 }, "v\u0000"] }], outputs: [] }
    }
    assert.deepStrictEqual(problems(withFramework(deep)), [
      { loc: at("model_schema", "inputs", 0, "deep", 0, "k\u0000"), msg: nul(`"k\\u0000"`), type: "value_error" },
      { loc: at("model_schema", "inputs", 0, "deep", 1), msg: nul(`"v\\u0000"`), type: "value_error" }
    ])
    // A field without a NUL rule of its own: the walk over the decoded framework finds it.
    assert.deepStrictEqual(problems(minimal({ framework: { type: "sklearn", model_filepath: "m\u0000" } })), [
      { loc: at("model_filepath"), msg: nul(`"m\\u0000"`), type: "value_error" }
    ])
  })

  describe("sklearn", () => {
    literalField("sklearn", "serialization_format", ["cloudpickle", "joblib", "pickle"], {
      name: "rejects serialization_format json",
      value: "json",
      msg: `must be one of "cloudpickle", "joblib", "pickle" (received "json")`
    })

    for (const method of ["predict", "predict_proba"]) {
      it(`accepts model_schema.infer_method_name ${method}`, () => {
        const framework = {
          type: "sklearn",
          model_filepath: "model.joblib",
          model_schema: { infer_method_name: method, inputs: [{ name: "x", type: "float" }], outputs: [] }
        }
        assert.deepStrictEqual(decodedFramework(framework), framework)
      })
    }

    it("rejects another infer_method_name", () => {
      const framework = { type: "sklearn", model_schema: { infer_method_name: "transform", inputs: [], outputs: [] } }
      assert.deepStrictEqual(problems(withFramework(framework)), [
        {
          loc: at("model_schema", "infer_method_name"),
          msg: `must be one of "predict", "predict_proba" (received "transform")`,
          type: "type_error"
        }
      ])
    })

    it("requires every model_schema field", () => {
      assert.deepStrictEqual(problems(withFramework({ type: "sklearn", model_schema: {} })), [
        { loc: at("model_schema", "infer_method_name"), msg: "is required", type: "missing" },
        { loc: at("model_schema", "inputs"), msg: "is required", type: "missing" },
        { loc: at("model_schema", "outputs"), msg: "is required", type: "missing" }
      ])
    })

    it("needs JSON objects in inputs and outputs, reported at their index", () => {
      const framework = {
        type: "sklearn",
        model_schema: { infer_method_name: "predict", inputs: [{ name: "x" }, 1], outputs: [{ scale: Number.NaN }] }
      }
      assert.deepStrictEqual(problems(withFramework(framework)), [
        { loc: at("model_schema", "inputs", 1), msg: "must be a JSON object (received 1)", type: "type_error" },
        {
          loc: at("model_schema", "outputs", 0, "scale"),
          msg: "must be a finite number: JSON has no NaN or Infinity (received NaN)",
          type: "value_error"
        }
      ])
    })

    it("rejects an empty model_filepath", () => {
      assert.deepStrictEqual(problems(withFramework({ type: "sklearn", model_filepath: "" })), [
        {
          loc: at("model_filepath"),
          msg: "must not be empty: give the model file's path inside the source",
          type: "value_error"
        }
      ])
    })
  })

  describe("xgboost", () => {
    literalField("xgboost", "serialization_format", ["cloudpickle", "joblib", "pickle", "json"], {
      name: "rejects serialization_format ubj with the allowed values",
      value: "ubj",
      msg: `must be one of "cloudpickle", "joblib", "pickle", "json" (received "ubj")`
    })

    it("accepts infer_method_name predict", () => {
      const framework = {
        type: "xgboost",
        model_schema: { infer_method_name: "predict", inputs: [], outputs: [{ name: "p", type: "float" }] }
      }
      assert.deepStrictEqual(decodedFramework(framework), framework)
    })

    it("rejects infer_method_name predict_proba", () => {
      const framework = { type: "xgboost", model_schema: { infer_method_name: "predict_proba", inputs: [], outputs: [] } }
      assert.deepStrictEqual(problems(withFramework(framework)), [
        {
          loc: at("model_schema", "infer_method_name"),
          msg: `must be "predict" (received "predict_proba")`,
          type: "type_error"
        }
      ])
    })
  })
})
