import { assert, describe, it } from "@effect/vitest"
import { HubModelId } from "@mreg/core"
import { Either, Schema } from "effect"
import { chars, decodeOk, minimal, problems } from "./utils.js"

const withBaseModel = (base_model: unknown) => minimal({ framework: { type: "transformers", base_model } })
const LOC = ["body", "manifest", "framework", "base_model"]
const PATH_HINT = "must be a Hugging Face Hub repo id (`name` or `namespace/name`), not a file path"
const CHARSET =
  `must be \`name\` or \`namespace/name\` using letters, digits, ".", "_" and "-", not starting or ending with "-" or "."`

describe("HubModelId", () => {
  describe("C5 hub ids with a slash", () => {
    for (const id of ["meta-llama/Llama-3.1-8B", "sentence-transformers/all-MiniLM-L6-v2", "gpt2"]) {
      it(`accepts ${id}`, () => {
        assert.deepStrictEqual(decodeOk(withBaseModel(id)).framework, { type: "transformers", base_model: id })
      })
    }

    it(`"" → must not be empty`, () => {
      assert.deepStrictEqual(problems(withBaseModel("")), [
        {
          loc: LOC,
          msg: `must not be empty: give a Hugging Face Hub repo id such as "meta-llama/Llama-3.1-8B"`,
          type: "value_error"
        }
      ])
    })

    it("./checkpoints/run7 → a hint that it must be a Hub repo id", () => {
      assert.deepStrictEqual(problems(withBaseModel("./checkpoints/run7")), [
        { loc: LOC, msg: `${PATH_HINT} (received "./checkpoints/run7")`, type: "value_error" }
      ])
    })
  })

  describe("hubModelIdProblem", () => {
    for (const id of ["gpt2", "org_1/model.v2", "distilbert/distilbert-base-uncased", "a", "_a_/b_", "A.b-c_d"]) {
      it(`accepts ${id}`, () => {
        assert.strictEqual(HubModelId.hubModelIdProblem(id), undefined)
      })
    }

    it("accepts 96 characters", () => {
      assert.strictEqual(HubModelId.hubModelIdProblem(chars(96)), undefined)
      assert.strictEqual(HubModelId.hubModelIdProblem(`${chars(40)}/${chars(55)}`), undefined)
    })

    it("rejects 97 characters", () => {
      assert.strictEqual(
        HubModelId.hubModelIdProblem(chars(97)),
        `must be at most 96 characters (received ${JSON.stringify(chars(80))}… (97 characters))`
      )
    })

    for (const id of ["a--b", "a..b", "org/a--b"]) {
      it(`rejects ${id}`, () => {
        assert.strictEqual(
          HubModelId.hubModelIdProblem(id),
          `must not contain "--" or ".." (received ${JSON.stringify(id)})`
        )
      })
    }

    for (const id of ["a/b/c", "./checkpoints/run7", "../x", "/models/x", "/", "~/models/x", "C:\\models\\x", "org\\model"]) {
      it(`rejects the path ${JSON.stringify(id)} with the Hub repo id hint`, () => {
        assert.strictEqual(HubModelId.hubModelIdProblem(id), `${PATH_HINT} (received ${JSON.stringify(id)})`)
      })
    }

    for (const id of ["-ab", "ab-", ".ab", "ab.", "ns/", "ns/-x", "a b", "org/mödel", "a:b"]) {
      it(`rejects ${JSON.stringify(id)} (characters and ends)`, () => {
        assert.strictEqual(HubModelId.hubModelIdProblem(id), `${CHARSET} (received ${JSON.stringify(id)})`)
      })
    }
  })

  describe("schema", () => {
    it("decodes a valid id unchanged and fails with the problem as message", () => {
      const decode = Schema.decodeUnknownEither(HubModelId.HubModelId)
      assert.deepStrictEqual(decode("meta-llama/Llama-3.1-8B"), Either.right("meta-llama/Llama-3.1-8B"))
      assert.deepStrictEqual(problems(withBaseModel("a--b")), [
        { loc: LOC, msg: `must not contain "--" or ".." (received "a--b")`, type: "value_error" }
      ])
    })

    it("rejects a number as base_model", () => {
      assert.deepStrictEqual(problems(withBaseModel(2)), [
        { loc: LOC, msg: "must be a string (received 2)", type: "type_error" }
      ])
    })
  })
})
