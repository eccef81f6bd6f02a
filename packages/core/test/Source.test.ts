import { assert, describe, it } from "@effect/vitest"
import { Source } from "@mreg/core"
import { Either, Schema } from "effect"
import { chars, decodeOk, minimal, problems } from "./utils.js"

const withSource = (source: unknown) => minimal({ source })
/** The decoded `source` of a minimal manifest holding `source`. */
const decodedSource = (source: unknown): unknown => decodeOk(withSource(source)).source
const at = (...path: Array<string>) => ["body", "manifest", "source", ...path]

describe("Source", () => {
  it.each([
    ["truefoundry with a uri", { type: "truefoundry", uri: "s3://bucket/sentiment/1" }],
    ["truefoundry without a uri", { type: "truefoundry" }],
    ["external with a uri", { type: "external", uri: "gs://gen-models/sdxl-base-1.0/" }],
    ["local with file_or_folder", { type: "local", file_or_folder: "./artifacts/iris" }]
  ])("%s", (_name, source) => {
    assert.deepStrictEqual(decodedSource(source), source)
  })

  it.each([
    ["truefoundry with an empty uri is refused", { type: "truefoundry", uri: "" }, "uri", "must not be empty: give the artifact URI", "value_error"],
    ["external requires a uri", { type: "external" }, "uri", "is required", "missing"],
    [
      "external with an empty uri is refused",
      { type: "external", uri: "" },
      "uri",
      "must not be empty: give the URI of the model files, such as s3://bucket/path/",
      "value_error"
    ],
    ["local requires file_or_folder", { type: "local" }, "file_or_folder", "is required", "missing"]
  ])("%s", (_name, source, field, msg, type) => {
    assert.deepStrictEqual(problems(withSource(source)), [{ loc: at(field), msg, type }])
  })

  it("local with a uri instead of file_or_folder names both problems", () => {
    assert.deepStrictEqual(problems(withSource({ type: "local", uri: "./artifacts" })), [
      { loc: at("uri"), msg: `is not a known field (received "./artifacts")`, type: "extra_forbidden" },
      { loc: at("file_or_folder"), msg: "is required", type: "missing" }
    ])
  })

  it("answers a misspelt uri with a did-you-mean", () => {
    assert.deepStrictEqual(problems(withSource({ type: "truefoundry", url: "s3://b/k" })), [
      { loc: at("url"), msg: `is not a known field; did you mean "uri"? (received "s3://b/k")`, type: "extra_forbidden" }
    ])
  })

  it("accepts a 2048-character uri and refuses 2049", () => {
    const ok = `s3://${chars(2043)}`
    assert.deepStrictEqual(decodedSource({ type: "external", uri: ok }), { type: "external", uri: ok })
    const tooLong = `s3://${chars(2044)}`
    assert.deepStrictEqual(problems(withSource({ type: "external", uri: tooLong })), [
      {
        loc: at("uri"),
        msg: `must be at most 2048 characters (received ${JSON.stringify(tooLong.slice(0, 80))}… (2049 characters))`,
        type: "value_error"
      }
    ])
  })

  it("rejects an unknown type with the allowed values", () => {
    assert.deepStrictEqual(problems(withSource({ type: "s3", uri: "s3://b/k" })), [
      { loc: at("type"), msg: `must be one of "truefoundry", "external", "local" (received "s3")`, type: "type_error" }
    ])
  })

  it("requires type", () => {
    assert.deepStrictEqual(problems(withSource({ uri: "s3://b/k" })), [
      { loc: at("type"), msg: "is required", type: "missing" }
    ])
  })

  it("Source decodes each member on its own", () => {
    const decode = Schema.decodeUnknownEither(Source.Source)
    assert.deepStrictEqual(decode({ type: "local", file_or_folder: "m.pkl" }), Either.right({ type: "local", file_or_folder: "m.pkl" }))
    assert.isTrue(Either.isLeft(decode({ type: "external" })))
  })
})
