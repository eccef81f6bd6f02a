import { assert, describe, it } from "@effect/vitest"
import { PipelineTag } from "@mreg/core"
import { Either, Schema } from "effect"
import { decodeOk, minimal, problems } from "./utils.js"

const withTag = (pipeline_tag: unknown) => minimal({ framework: { type: "transformers", pipeline_tag } })
const LOC = ["body", "manifest", "framework", "pipeline_tag"]
const decode = Schema.decodeUnknownEither(PipelineTag.PipelineTag)

describe("PipelineTag", () => {
  it("PIPELINE_TAGS holds the Hub's task ids", () => {
    for (const tag of ["text-classification", "text-generation", "sentence-similarity", "text-to-image", "other"]) {
      assert.include(PipelineTag.PIPELINE_TAGS, tag)
    }
    assert.strictEqual(PipelineTag.PIPELINE_TAGS[0], "text-classification")
    assert.strictEqual(new Set(PipelineTag.PIPELINE_TAGS).size, PipelineTag.PIPELINE_TAGS.length)
  })

  it("accepts every known tag unchanged", () => {
    for (const tag of PipelineTag.PIPELINE_TAGS) assert.deepStrictEqual(decode(tag), Either.right(tag))
  })

  it("keeps a known tag in the decoded manifest", () => {
    assert.deepStrictEqual(decodeOk(withTag("text-generation")).framework, {
      type: "transformers",
      pipeline_tag: "text-generation"
    })
  })

  it("answers text-generaton with did you mean text-generation and the allowed values", () => {
    assert.strictEqual(
      PipelineTag.unknownPipelineTagMessage("text-generaton"),
      `must be a Hugging Face task id; did you mean "text-generation"? (received "text-generaton"; allowed: ${PipelineTag.PIPELINE_TAGS.join(", ")})`
    )
  })

  it("guesses across case and small typos", () => {
    assert.include(PipelineTag.unknownPipelineTagMessage("Text-Classification"), `did you mean "text-classification"?`)
    assert.include(PipelineTag.unknownPipelineTagMessage("fill_mask"), `did you mean "fill-mask"?`)
  })

  it("gives no guess for a tag close to nothing", () => {
    assert.strictEqual(
      PipelineTag.unknownPipelineTagMessage("zzzzzzzzzzz"),
      `must be a Hugging Face task id (received "zzzzzzzzzzz"; allowed: ${PipelineTag.PIPELINE_TAGS.join(", ")})`
    )
  })

  it("reports an unknown tag at framework.pipeline_tag", () => {
    assert.deepStrictEqual(problems(withTag("text2text")), [
      { loc: LOC, msg: PipelineTag.unknownPipelineTagMessage("text2text"), type: "value_error" }
    ])
  })

  it("is case-sensitive", () => {
    assert.isTrue(Either.isLeft(decode("Text-Generation")))
  })
})
