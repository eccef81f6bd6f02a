/**
 * The manifest JSON Schema (`GET /schemas/model-manifest.json`, `@mreg/core`'s `schemas/model-manifest.json`) and the
 * OpenAPI document (`GET /openapi.json`): served as documented, the schema accepts every shipped example and rejects
 * the broken ones (ajv), and every request and response of the document carries an example that its schema accepts.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { ManifestJsonSchema } from "@mreg/core"
import { BASE_FILE } from "@mreg/test-fixtures"
import { Ajv } from "ajv"
import { Ajv2020 } from "ajv/dist/2020.js"
import { Effect } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import { call, layerServer, TestServer } from "./utils.js"

const ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const require = createRequire(import.meta.url)

const manifestFiles = (dir: string): Array<string> =>
  readdirSync(join(ROOT, dir)).filter((name) => /\.(json|ya?ml)$/.test(name) && name !== "tokens.yaml").map((name) => join(ROOT, dir, name))

const read = (file: string): unknown => {
  const text = readFileSync(file, "utf8")
  return file.endsWith(".json") ? JSON.parse(text) : parse(text)
}

const validateManifest = new Ajv({ allErrors: true }).compile(ManifestJsonSchema.make())

describe("manifest JSON Schema (ajv, draft-07)", () => {
  it("is the file @mreg/core ships", () => {
    const shipped = JSON.parse(readFileSync(require.resolve("@mreg/core/schemas/model-manifest.json"), "utf8"))
    assert.deepStrictEqual(shipped, ManifestJsonSchema.make())
    assert.strictEqual(shipped.$schema, "http://json-schema.org/draft-07/schema#")
  })

  it("accepts every shipped example, as a PUT body and as a bare manifest", () => {
    const files = [
      ...manifestFiles("examples"),
      ...manifestFiles("packages/core/test/fixtures/manifests"),
      ...manifestFiles("apps/cli/test/fixtures/manifests"),
      BASE_FILE
    ]
    assert.isAtLeast(files.length, 20)
    for (const file of files) {
      const body = read(file) as { manifest: unknown }
      for (const value of [body, body.manifest]) {
        assert.isTrue(validateManifest(value), `${file}: ${JSON.stringify(validateManifest.errors)}`)
      }
    }
  })

  it("rejects each broken example at the field that is wrong", () => {
    const failures = (name: string) =>
      (validateManifest(read(join(ROOT, "examples", "broken", name))) ? [] : validateManifest.errors!)
        .map((error) => error.instancePath)
    assert.include(failures("alias-without-v.yaml"), "/manifest/version_alias")
    assert.include(failures("python-version-number.json"), "/manifest/environment/python_version")
    const typos = failures("framework-typos.json")
    assert.include(typos, "/manifest/framework/pipeline_tag")
    assert.include(typos, "/manifest/framework/library_name")
  })

  it("rejects an unknown field and a missing one", () => {
    const manifest = (read(BASE_FILE) as { manifest: Record<string, unknown> }).manifest
    assert.isFalse(validateManifest({ ...manifest, version_aliass: "v1" }))
    const { source: _source, ...withoutSource } = manifest
    assert.isFalse(validateManifest(withoutSource))
  })
})

/** Every media type of the document's request bodies and responses, with where it is. */
const mediaTypes = (spec: any): Array<{ readonly where: string; readonly media: any }> =>
  Object.entries(spec.paths).flatMap(([path, item]: [string, any]) =>
    Object.entries(item).flatMap(([method, operation]: [string, any]) => [
      ...Object.values(operation.requestBody?.content ?? {}).map((media) => ({ where: `${method} ${path} request`, media })),
      ...Object.entries(operation.responses).flatMap(([status, response]: [string, any]) =>
        Object.values(response.content ?? {}).map((media) => ({ where: `${method} ${path} ${status}`, media }))
      )
    ])
  )

layer(layerServer(), { excludeTestServices: true })("served by the proxy", (it) => {
  it.effect("GET /schemas/model-manifest.json: the schema, application/schema+json, cacheable, no token", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const answer = yield* call(`${url}/schemas/model-manifest.json`)
      assert.strictEqual(answer.status, 200)
      assert.strictEqual(answer.headers.get("content-type"), "application/schema+json")
      assert.strictEqual(answer.headers.get("cache-control"), "public, max-age=3600")
      assert.deepStrictEqual(answer.json, ManifestJsonSchema.make())
    }))

  it.effect("/openapi.json: the package's version, a server, named schemas, and a valid example everywhere", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const spec = (yield* call(`${url}/openapi.json`)).json
      assert.strictEqual(spec.info.version, require("../package.json").version)
      assert.deepStrictEqual(spec.servers.map((server: { url: string }) => server.url), ["/"])
      assert.deepStrictEqual(spec.info.license, { name: "MIT", url: "https://opensource.org/licenses/MIT" })
      // No title made of a refinement (`maxLength(256)`, `greaterThanOrEqualTo(1)`): each is a name for people.
      const titles = JSON.stringify(spec).match(/"title":"[^"]*"/g) ?? []
      assert.deepStrictEqual(titles.filter((title) => /\(|^"title":"[a-z]+[A-Z]/.test(title)), [])
      // Union members are named: source and framework render as their titles.
      const schemas = spec.components.schemas
      assert.deepStrictEqual(
        schemas.Source.anyOf.map((member: { $ref: string }) => schemas[member.$ref.split("/").pop()!].title),
        ["truefoundry", "external", "local"]
      )
      assert.strictEqual(schemas.Framework.anyOf.length, 14)
      for (const member of schemas.Framework.anyOf) assert.isString(schemas[member.$ref.split("/").pop()!].title)
      // Each example is valid for its schema (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
      const ajv = new Ajv2020({ strict: false, allErrors: true })
      // Effect marks each `Schema.Unknown` with `$id: "/schemas/unknown"` (the same empty schema, several times), which
      // ajv refuses as duplicate ids: they are dropped here.
      const withoutIds = JSON.parse(JSON.stringify(spec, (key, value) => (key === "$id" ? undefined : value)))
      ajv.addSchema({ ...withoutIds, $id: "openapi" })
      const media = mediaTypes(spec)
      assert.isAtLeast(media.length, 40)
      for (const { media: { example, schema }, where } of media) {
        assert.isString(schema.$ref, `${where}: the schema has no identifier (a named component carries its example)`)
        const ref = schema.$ref as string
        const named = schemas[ref.split("/").pop()!]
        assert.isArray(named.examples, `${where}: ${ref} has no example`)
        const validate = ajv.getSchema(`openapi${ref}`)!
        // The media type's example (what /docs pre-fills) is the schema's first.
        assert.deepStrictEqual(example, named.examples[0], where)
        for (const each of named.examples) assert.isTrue(validate(each), `${where}: ${JSON.stringify(validate.errors)}`)
      }
      // What /docs pre-fills in "Try it out": the manifest example, never a random alias or python_version.
      assert.deepStrictEqual(schemas.UpsertRequest.examples[0].manifest.version_alias, "v1.0.0")
      assert.deepStrictEqual(schemas.UpsertRequest.examples[0].manifest.environment.python_version, "3.11")
    }))
})
