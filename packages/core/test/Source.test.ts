import { assert, describe, it } from "@effect/vitest"
import { Source } from "@mreg/core"
import { Either, Schema } from "effect"
import { chars, decodeOk, minimal, problems } from "./utils.js"

const withSource = (source: unknown) => minimal({ source })
/** The decoded `source` of a minimal manifest holding `source`. */
const decodedSource = (source: unknown): unknown => decodeOk(withSource(source)).source
const at = (...path: Array<string>) => ["body", "manifest", "source", ...path]

describe("Source", () => {
  it("truefoundry with a uri", () => {
    const source = { type: "truefoundry", uri: "s3://bucket/sentiment/1" }
    assert.deepStrictEqual(decodedSource(source), source)
  })

  it("truefoundry without a uri", () => {
    assert.deepStrictEqual(decodedSource({ type: "truefoundry" }), { type: "truefoundry" })
  })

  it("truefoundry with an empty uri is refused", () => {
    assert.deepStrictEqual(problems(withSource({ type: "truefoundry", uri: "" })), [
      { loc: at("uri"), msg: "must not be empty: give the artifact URI", type: "value_error" }
    ])
  })

  it("external with a uri", () => {
    const source = { type: "external", uri: "gs://gen-models/sdxl-base-1.0/" }
    assert.deepStrictEqual(decodedSource(source), source)
  })

  it("external requires a uri", () => {
    assert.deepStrictEqual(problems(withSource({ type: "external" })), [
      { loc: at("uri"), msg: "is required", type: "missing" }
    ])
  })

  it("external with an empty uri is refused", () => {
    assert.deepStrictEqual(problems(withSource({ type: "external", uri: "" })), [
      { loc: at("uri"), msg: "must not be empty: give the URI of the model files, such as s3://bucket/path/", type: "value_error" }
    ])
  })

  it("local with file_or_folder", () => {
    const source = { type: "local", file_or_folder: "./artifacts/iris" }
    assert.deepStrictEqual(decodedSource(source), source)
  })

  it("local requires file_or_folder", () => {
    assert.deepStrictEqual(problems(withSource({ type: "local" })), [
      { loc: at("file_or_folder"), msg: "is required", type: "missing" }
    ])
  })

  it("local with a uri instead of file_or_folder names both problems", () => {
    assert.deepStrictEqual(problems(withSource({ type: "local", uri: "./artifacts" })), [
      { loc: at("uri"), msg: "is not a known field", type: "extra_forbidden" },
      { loc: at("file_or_folder"), msg: "is required", type: "missing" }
    ])
  })

  it("answers a misspelt uri with a did-you-mean", () => {
    assert.deepStrictEqual(problems(withSource({ type: "truefoundry", url: "s3://b/k" })), [
      { loc: at("url"), msg: `is not a known field; did you mean "uri"?`, type: "extra_forbidden" }
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
