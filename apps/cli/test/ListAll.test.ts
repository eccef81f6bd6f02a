/**
 * `mreg list --all`: every page, fetched with page tokens (embedded registry, the bundle).
 */
import { assert, describe, it } from "@effect/vitest"
import { BASE_FILE } from "@mreg/test-fixtures"
import { Effect } from "effect"
import { json, mreg, tempHome } from "./utils.js"

describe("mreg list --all", () => {
  it.scoped("prints every matching version as one page, whatever the page size", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      for (let i = 0; i < 5; i++) assert.strictEqual((yield* mreg(home, ["upsert", "-f", BASE_FILE])).code, 0)
      const all = json(yield* mreg(home, ["list", "--all", "--limit", "2"]))
      assert.deepStrictEqual(all.data.map((mv: any) => mv.manifest.version), [5, 4, 3, 2, 1])
      assert.deepStrictEqual(all.pagination, { total: 5, offset: 0, limit: 5 })
      const fromOffset = json(yield* mreg(home, ["list", "--all", "--limit", "2", "--offset", "3"]))
      assert.deepStrictEqual(fromOffset.data.map((mv: any) => mv.manifest.version), [2, 1])
      const table = yield* mreg(home, ["list", "--all", "--limit", "2", "-o", "table"])
      assert.strictEqual(table.code, 0, table.stderr)
      assert.match(table.stdout, /^5 of 5 \(offset 0, limit 5\)$/m)
    }), 60_000)
})
