import { assert, describe, it } from "@effect/vitest"
import { ModelVersions } from "@mreg/core"
import { ModelVersionsSql } from "@mreg/registry"
import { Effect, Redacted } from "effect"
import { base, modelVersionsSuite } from "./ModelVersionsSuite.js"
import { scopePagingSuite } from "./ScopePagingSuite.js"

// PostgreSQL tests never skip: `pnpm test` starts a throwaway cluster (scripts/pg.mjs) and passes its URL.
const url = process.env.MREG_TEST_DATABASE_URL
if (url === undefined || url === "") {
  describe("PostgreSQL", () => {
    it("needs MREG_TEST_DATABASE_URL (pnpm test starts a throwaway PostgreSQL and sets it)", () => {
      assert.fail("MREG_TEST_DATABASE_URL is not set")
    })
  })
} else {
  const layer = ModelVersionsSql.layerPg({ url: Redacted.make(url), tenant: "pg" })
  modelVersionsSuite("PostgreSQL", layer, { tenant: "pg", subjectOption: true })
  scopePagingSuite("PostgreSQL: read scopes and page tokens", layer, { scopeInStore: true })

  describe("PostgreSQL specifics", () => {
    it.effect("an unreachable URL is StoreUnavailable (503) and does not show the URL", () =>
      Effect.gen(function*() {
        const secret = "postgres://mreg:s3cret@127.0.0.1:1/nope"
        const error = yield* Effect.flip(
          Effect.flatMap(ModelVersions.ModelVersions, (r) => r.upsert(base("x"))).pipe(
            Effect.provide(ModelVersionsSql.layerPg({ url: Redacted.make(secret) }))
          )
        )
        assert.strictEqual(error._tag, "StoreUnavailable")
        assert.notInclude(error.message, "s3cret")
        assert.strictEqual(error.message, "cannot connect to the PostgreSQL registry (DATABASE_URL)")
      }), 30_000)
  })
}
