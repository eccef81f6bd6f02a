import { assert, describe, it } from "@effect/vitest"
import { type ModelManifest, validateManifest } from "@mreg/client"
import { RegistryError, Validation } from "@mreg/core"
import { Either } from "effect"
import { base } from "./utils.js"

/** The `detail` of the 422 body a server answers for this manifest. */
const bodyDetail = (input: unknown) => {
  const decoded = Validation.decodeManifest(input)
  return Either.isLeft(decoded) ? RegistryError.toBody(decoded.left).detail : undefined
}

describe("validateManifest", () => {
  it("a valid manifest is { ok: true, value } with a fresh plain copy", () => {
    const input = base({ version_alias: "v1.0.0", metadata: { language: null, scores: [0.9, 0.8] } })
    const result = validateManifest(input)
    assert.deepStrictEqual(result, { ok: true, value: input })
    assert.isTrue(result.ok && result.value !== input && Object.getPrototypeOf(result.value) === Object.prototype)
  })

  it("every problem at once, with the loc/msg/type of the 422 body (C6)", () => {
    const input = base({
      metadata: { language: null },
      framework: { type: "transformers", library_name: "pytorch" as never, pipeline_tag: "text-generaton" }
    })
    const result = validateManifest(input)
    assert.isFalse(result.ok)
    if (result.ok) return
    assert.deepStrictEqual(result.issues.map((issue) => issue.loc), [
      ["body", "manifest", "framework", "library_name"],
      ["body", "manifest", "framework", "pipeline_tag"]
    ])
    assert.deepStrictEqual(result.issues[0], {
      loc: ["body", "manifest", "framework", "library_name"],
      msg: "must be one of \"transformers\", \"sentence-transformers\", \"diffusers\" (received \"pytorch\")",
      type: "type_error"
    })
    assert.match(result.issues[1]!.msg, /^must be a Hugging Face task id; did you mean "text-generation"\?/)
    assert.deepStrictEqual(result.issues, bodyDetail(input))
  })

  it("NaN and Infinity are named at their place (C8); typos and strings are not let through", () => {
    assert.deepStrictEqual(validateManifest(base({ metadata: { loss: Number.NaN } })), {
      ok: false,
      issues: [{
        loc: ["body", "manifest", "metadata", "loss"],
        msg: "must be a finite number: JSON has no NaN or Infinity (received NaN)",
        type: "value_error"
      }]
    })
    const typo = { ...base(), version_aliass: "v1", version: "3" } as unknown as ModelManifest
    assert.deepStrictEqual(validateManifest(typo), {
      ok: false,
      issues: [
        { loc: ["body", "manifest", "version_aliass"], msg: "is not a known field; did you mean \"version_alias\"? (received \"v1\")", type: "extra_forbidden" },
        { loc: ["body", "manifest", "version"], msg: "must be an integer ≥ 1, not a string (received \"3\")", type: "type_error" }
      ]
    })
  })

  it("never throws, whatever the input", () => {
    for (const input of [null, undefined, 42, "manifest", []]) {
      const result = validateManifest(input)
      assert.deepStrictEqual(result.ok ? [] : result.issues.map((issue) => issue.loc), [["body", "manifest"]])
    }
    const empty = validateManifest(new Date(0))
    assert.deepStrictEqual(empty.ok ? [] : empty.issues.map((issue) => [issue.loc.at(-1), issue.type]), [
      ["type", "missing"],
      ["name", "missing"],
      ["ml_repo", "missing"],
      ["metadata", "missing"],
      ["source", "missing"]
    ])
  })
})
