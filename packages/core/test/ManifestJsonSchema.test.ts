/**
 * `ManifestJsonSchema`: generated from `ModelManifest`; `schemas/model-manifest.json` (written by the build,
 * scripts/schemas.mjs) is that output. The ajv checks of the shipped examples are in apps/proxy/test/Schemas.test.ts.
 */
import { assert, describe, it } from "@effect/vitest"
import { ManifestJsonSchema, ModelManifest } from "@mreg/core"
import { JSONSchema } from "effect"
import { readFileSync } from "node:fs"

describe("ManifestJsonSchema", () => {
  it("schemas/model-manifest.json is the generated schema", () => {
    const file = JSON.parse(readFileSync(new URL("../schemas/model-manifest.json", import.meta.url), "utf8"))
    assert.deepStrictEqual(file, ManifestJsonSchema.make())
  })

  it("is draft-07, accepts {manifest} or a bare manifest, and names every definition", () => {
    const schema = ManifestJsonSchema.make()
    assert.strictEqual(schema.$schema, "http://json-schema.org/draft-07/schema#")
    assert.deepStrictEqual((schema as { readonly anyOf?: unknown }).anyOf, [{ $ref: "#/$defs/UpsertRequest" }, { $ref: "#/$defs/ModelManifest" }])
    const untitled = Object.entries(schema.$defs!).filter(([, definition]) => typeof definition.title !== "string")
    assert.deepStrictEqual(untitled.map(([name]) => name), [])
    // No generated refinement title such as `maxLength(256)` anywhere.
    assert.deepStrictEqual(JSON.stringify(schema).match(/"title":"[A-Za-z]+\(/g), null)
  })

  it("carries the manifest example, which the manifest schema decodes", () => {
    const example: unknown = ModelManifest.MANIFEST_EXAMPLE
    assert.deepStrictEqual(ManifestJsonSchema.make().$defs!.ModelManifest!.examples, [example])
    assert.deepStrictEqual(JSONSchema.make(ModelManifest.ModelManifest).$defs!.ModelManifest!.examples, [example])
  })
})
