/**
 * `mreg schema` on the bundle: prints the manifest JSON Schema that `@mreg/core` ships, and it checks a manifest.
 */
import { assert, describe, it } from "@effect/vitest"
import { ManifestJsonSchema } from "@mreg/core"
import { Ajv } from "ajv"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { mreg, REPO_ROOT, tempHome } from "./utils.js"

describe("mreg schema", () => {
  it.scoped("prints the JSON Schema of manifest files (the file @mreg/core ships), exit 0", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const run = yield* mreg(home, ["schema"])
      assert.deepStrictEqual([run.code, run.stderr], [0, ""])
      const printed = JSON.parse(run.stdout)
      assert.deepStrictEqual(printed, ManifestJsonSchema.make())
      const shipped = createRequire(import.meta.url).resolve("@mreg/core/schemas/model-manifest.json")
      assert.deepStrictEqual(printed, JSON.parse(readFileSync(shipped, "utf8")))
      const validate = new Ajv().compile(printed)
      assert.isTrue(validate(JSON.parse(readFileSync(join(REPO_ROOT, "examples", "distilbert-sst2.json"), "utf8"))))
      assert.isFalse(validate(JSON.parse(readFileSync(join(REPO_ROOT, "examples", "broken", "python-version-number.json"), "utf8"))))
    }), 60_000)
})
