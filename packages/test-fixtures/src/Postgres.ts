/**
 * PostgreSQL tests never skip: `pnpm test` starts a throwaway cluster (`scripts/pg.mjs`) and passes its URL in
 * `MREG_TEST_DATABASE_URL`.
 *
 * @since 0.1.0
 */
import { assert, describe, it } from "vitest"

/**
 * Declares the tests `suite` declares with the URL of the test PostgreSQL; without `MREG_TEST_DATABASE_URL`, one test
 * named `name` that fails saying how to get it.
 * @since 0.1.0
 * @category tests
 */
export const withPostgres = (name: string, suite: (url: string) => void): void => {
  const url = process.env.MREG_TEST_DATABASE_URL
  if (url === undefined || url === "") {
    describe(name, () => {
      it("needs MREG_TEST_DATABASE_URL (pnpm test starts a throwaway PostgreSQL and sets it)", () => {
        assert.fail("MREG_TEST_DATABASE_URL is not set")
      })
    })
  } else {
    suite(url)
  }
}
