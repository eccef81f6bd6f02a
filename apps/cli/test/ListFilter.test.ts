/**
 * `mreg list --filter` and `mreg models list --filter` (embedded registry, the bundle).
 */
import { assert, describe, it } from "@effect/vitest"
import { BASE_FILE } from "@mreg/test-fixtures"
import { Effect } from "effect"
import { json, LLAMA, mreg, tempHome } from "./utils.js"

describe("mreg list --filter", () => {
  it.scoped("lists the matching versions and models; a bad expression is a usage error with a caret under the column", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      assert.strictEqual((yield* mreg(home, ["upsert", "-f", BASE_FILE])).code, 0)
      assert.strictEqual((yield* mreg(home, ["upsert", "-f", LLAMA])).code, 0)
      const transformers = json(yield* mreg(home, ["list", "--filter", "version_alias = \"v3-dev\""]))
      assert.deepStrictEqual(transformers.data.map((mv: any) => mv.manifest.name), ["support-assistant"])
      assert.strictEqual(transformers.pagination.total, 1)
      const models = json(yield* mreg(home, ["models", "list", "--filter", "not version_alias exists"]))
      assert.deepStrictEqual(models.data.map((model: any) => model.name), ["sentiment-clf"])
      const bad = yield* mreg(home, ["list", "--filter", "metadata.acc >= "])
      assert.strictEqual(bad.code, 2)
      assert.strictEqual(bad.stdout, "")
      assert.strictEqual(bad.stderr, "error: --filter column 17: expected a value after \">=\", found end of input\n  metadata.acc >= \n                  ^\n")
      const typo = yield* mreg(home, ["models", "list", "--filter", "nmae = \"x\""])
      assert.strictEqual(typo.code, 2)
      assert.strictEqual(typo.stderr, "error: --filter column 1: expected a field, found \"nmae\"; did you mean \"name\"?\n  nmae = \"x\"\n  ^\n")
    }), 60_000)
})
