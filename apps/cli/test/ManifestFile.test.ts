import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as ManifestFile from "../src/ManifestFile.js"
import { fixtureCase } from "./utils.js"

const parsed = (text: string, file: string): unknown => {
  const result = ManifestFile.parse(text, file)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

const parseError = (text: string, file: string) => {
  const result = ManifestFile.parse(text, file)
  if (Either.isRight(result)) throw new Error(`expected a syntax error, parsed ${JSON.stringify(result.right)}`)
  return result.left
}

const UNQUOTED = `
type: model-version
name: 2024
ml_repo: 42
version_alias: 1.0
description: true
run_id: 0042
metadata: {a: 3.10, b: 0042, c: true, d: null, e: "3.10"}
source: {type: local, file_or_folder: 1e3}
framework:
  type: transformers
  library_name: 7
  base_model: 12
  pipeline_tag: 0x1F
  model_filepath: .5
environment:
  python_version: 3.10
  pip_packages: [1.0, "2.0", numpy<2]
step: 0
version: 3
`

describe("ManifestFile.parse (YAML)", () => {
  it("keeps string fields as written, and everything else as YAML typed it", () => {
    assert.deepStrictEqual(parsed(UNQUOTED, "m.yaml"), {
      type: "model-version",
      name: "2024",
      ml_repo: "42",
      version_alias: "1.0",
      description: "true",
      run_id: "0042",
      metadata: { a: 3.1, b: 42, c: true, d: null, e: "3.10" },
      source: { type: "local", file_or_folder: "1e3" },
      framework: { type: "transformers", library_name: "7", base_model: "12", pipeline_tag: "0x1F", model_filepath: ".5" },
      environment: { python_version: "3.10", pip_packages: ["1.0", "2.0", "numpy<2"] },
      step: 0,
      version: 3
    })
  })

  it("does the same inside the {manifest: …} wrapper", () => {
    const wrapped = `manifest:\n${UNQUOTED.split("\n").map((line) => `  ${line}`).join("\n")}`
    const value = parsed(wrapped, "m.yml") as { manifest: Record<string, any> }
    assert.strictEqual(value.manifest.environment.python_version, "3.10")
    assert.strictEqual(value.manifest.name, "2024")
    assert.deepStrictEqual(value.manifest.metadata, { a: 3.1, b: 42, c: true, d: null, e: "3.10" })
  })

  it("keeps null, explicitly tagged scalars, and resolves aliases", () => {
    const text = "name: ~\ndescription:\nversion_alias: !!float 1.0\nrun_id: &r 3.10\nenvironment: {python_version: *r}\n"
    assert.deepStrictEqual(parsed(text, "m.yaml"), {
      name: null,
      description: null,
      version_alias: 1,
      run_id: "3.10",
      environment: { python_version: "3.10" }
    })
  })

  it("reads YAML flow syntax from a file without an extension", () => {
    assert.deepStrictEqual(parsed("{manifest: {name: x, environment: {python_version: 3.10}}}", "-"), {
      manifest: { name: "x", environment: { python_version: "3.10" } }
    })
    assert.deepStrictEqual(parsed("name: x\n", "manifest.txt"), { name: "x" })
  })

  it("reports the line and column of a syntax error", () => {
    const error = parseError("manifest:\n  name: x\n  name: y\n", "dup.yaml")
    assert.strictEqual(error.line, 3)
    assert.strictEqual(error.column, 3)
    assert.strictEqual(error.message, "invalid YAML in dup.yaml at line 3, column 3: Map keys must be unique")
    assert.strictEqual(
      parseError("a: 1\n---\nb: 2\n", "-").message,
      "invalid YAML in <stdin> at line 2, column 1: a manifest file holds one YAML document, found another one after ---"
    )
  })

  it("says an empty file is empty", () => {
    assert.strictEqual(parseError("  \n", "m.yaml").message, "m.yaml is empty: expected a manifest")
    assert.strictEqual(parseError("", "-").message, "<stdin> is empty: expected a manifest")
  })
})

describe("ManifestFile.parse (JSON)", () => {
  it("keeps JSON numbers as numbers (python_version 3.10 is 3.1: the schema rejects it)", () => {
    assert.deepStrictEqual(parsed("{\"environment\": {\"python_version\": 3.10}}", "m.json"), {
      environment: { python_version: 3.1 }
    })
  })

  it("reports line, column and cause of syntax errors", () => {
    const cases: ReadonlyArray<readonly [string, number, number, string]> = [
      ["{\"a\": 1,\n}", 2, 1, "unexpected \"}\": expected a double-quoted property name after \",\""],
      ["{\"a\": NaN}", 1, 7, "unexpected \"N\": NaN is not a JSON value (JSON has no NaN or Infinity)"],
      ["{\"a\": -Infinity}", 1, 7, "unexpected \"-\": -Infinity is not a JSON value (JSON has no NaN or Infinity)"],
      ["{\"a\": [1, 2}", 1, 12, "unexpected \"}\": expected \",\" or \"]\""],
      ["{\n  \"a\": \"x", 2, 10, "unterminated string: expected a closing \""],
      ["{\"a\": 1", 1, 8, "unexpected end of input: expected \",\" or \"}\""],
      ["{\"a\": 1} x", 1, 10, "unexpected \"x\": expected the end of the input after the JSON value"],
      ["{'a': 1}", 1, 2, "unexpected \"'\": expected a double-quoted property name"]
    ]
    for (const [text, line, column, cause] of cases) {
      const error = parseError(text, "m.json")
      assert.deepStrictEqual(
        { line: error.line, column: error.column, message: error.message },
        { line, column, message: `invalid JSON in m.json at line ${line}, column ${column}: ${cause}` },
        text
      )
    }
  })

  it("reports the JSON error of text that looks like JSON but is neither JSON nor YAML", () => {
    assert.strictEqual(
      parseError("{\"a\": 1,,}", "-").message,
      "invalid JSON in <stdin> at line 1, column 9: unexpected \",\": expected a double-quoted property name"
    )
  })

  it("refuses JSON nested deeper than 64 levels, at the bracket that goes too deep", () => {
    const deep = `{"manifest": {"metadata": ${"[".repeat(100_000)}${"]".repeat(100_000)}}}`
    const error = parseError(deep, "deep.json")
    assert.strictEqual(error.message, "invalid JSON in deep.json at line 1, column 89: nested deeper than 64 levels")
  })
})

describe("ManifestFile.decode", () => {
  const manifest = {
    type: "model-version",
    name: "m",
    ml_repo: "r",
    version_alias: "1.0",
    metadata: {},
    source: { type: "truefoundry" }
  }
  const places = (value: unknown) => {
    const result = ManifestFile.decode(value, "m.json")
    if (Either.isRight(result) || result.left._tag !== "InvalidInput") throw new Error("expected InvalidInput")
    return result.left.error.detail.map((issue) => issue.loc)
  }

  it("gives the same places for a wire body and a bare manifest", () => {
    assert.deepStrictEqual(places({ manifest }), [["body", "manifest", "version_alias"]])
    assert.deepStrictEqual(places(manifest), [["body", "manifest", "version_alias"]])
  })

  it("decodes both shapes to the same manifest", () => {
    const valid = { ...manifest, version_alias: "v1" }
    const wire = ManifestFile.decode({ manifest: valid }, "m.json")
    const bare = ManifestFile.decode(valid, "m.json")
    assert.isTrue(Either.isRight(wire) && Either.isRight(bare))
    assert.deepStrictEqual(Either.getOrThrow(wire), Either.getOrThrow(bare))
    assert.strictEqual(Either.getOrThrow(bare).version_alias, "v1")
  })

  it("rejects a file that holds no object", () => {
    const result = ManifestFile.decode([1], "-")
    assert.isTrue(Either.isLeft(result))
    assert.strictEqual(
      Either.flip(result).pipe(Either.getOrThrow).message,
      "<stdin> must hold a manifest object ({\"manifest\": {…}} or {\"type\": \"model-version\", …}), not a list"
    )
  })
})

describe("ManifestFile.load", () => {
  it.effect("reads, parses and decodes a file", () =>
    Effect.gen(function*() {
      const manifest = yield* ManifestFile.load(fixtureCase("python-unquoted.yaml"))
      assert.strictEqual(manifest.environment?.python_version, "3.10")
      assert.strictEqual(manifest.name, "2024")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("fails with FileError for a missing file", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ManifestFile.load(fixtureCase("nope.json")))
      assert.strictEqual(error._tag, "FileError")
      assert.strictEqual(error.message, `cannot read ${fixtureCase("nope.json")}: no such file`)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
