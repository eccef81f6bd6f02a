/**
 * The stable-paging checks shared by the model-version and model cases of `ScopePagingSuite`: a walk by page tokens
 * while rows are created and deleted yields every row that exists for the whole walk exactly once, by page token
 * only, with every page but the last full; a page token that is not one is a `ValidationError` at `query.page_token`.
 */
import { assert } from "@effect/vitest"
import type { ModelVersion, RegistryError } from "@mreg/core"
import { Effect } from "effect"

/**
 * Asserts that a list with `token` failed as a bad page token: the store's message naming the rule, or over HTTP the
 * message of core's HTTP client (an upstream's messages are not passed on; the proxy's body is checked in
 * apps/proxy/test/Scopes.test.ts).
 */
export const expectBadToken = (error: RegistryError.RegistryError, token: string, scopeInStore: boolean) => {
  assert.strictEqual(error._tag, "ValidationError")
  const message = scopeInStore
    ? `must be a page token from pagination.next_page_token of an earlier answer, sent back unchanged (received ${JSON.stringify(token)})`
    : "rejected by the upstream"
  assert.deepStrictEqual((error as RegistryError.ValidationError).detail.map((d) => [d.loc, d.msg]), [[["query", "page_token"], message]])
}

/** A list answer as the walk reads it. */
interface Page {
  readonly data: ReadonlyArray<{ readonly id: string }>
  readonly pagination: ModelVersion.Pagination
}

type Step<A> = Effect.Effect<A, RegistryError.RegistryError>

/**
 * Walks from `first` (its `limit` rows a page) by `next` (core's `nextPage`); after each page (`pages` read so far),
 * `meanwhile` writes, then one row already returned and one of `before` not returned yet are deleted (while
 * `deletes(pages)`). Asserts the
 * guarantee for `before` (created before the walk) and returns how many of them existed for the whole walk.
 */
export const walkWhileChanging = <Q extends { readonly page_token?: string | undefined; readonly limit?: number | undefined }>(options: {
  readonly first: Q
  readonly before: ReadonlyArray<string>
  readonly list: (query: Q) => Step<Page>
  readonly next: (query: Q, page: Page, fresh: number) => Q | undefined
  readonly meanwhile: (pages: number) => Step<unknown>
  readonly deletes: (pages: number) => boolean
  readonly remove: (id: string) => Step<void>
}) =>
  Effect.gen(function*() {
    const yielded: Array<string> = []
    const deleted = new Set<string>()
    const sizes: Array<number> = []
    let query: Q | undefined = options.first
    while (query !== undefined && sizes.length < 50) {
      const page = yield* options.list(query)
      yielded.push(...page.data.map((row) => row.id))
      sizes.push(page.data.length)
      yield* options.meanwhile(sizes.length)
      if (options.deletes(sizes.length)) {
        const returned = yielded.find((id) => !deleted.has(id))
        const ahead = [...options.before].reverse().find((id) => !yielded.includes(id) && !deleted.has(id))
        for (const id of [returned, ahead]) {
          if (id === undefined) continue
          yield* options.remove(id)
          deleted.add(id)
        }
      }
      query = options.next(query, page, page.data.length)
      // The walk goes by page token, never by offset.
      if (query !== undefined) assert.strictEqual(query.page_token, page.pagination.next_page_token)
    }
    assert.strictEqual(query, undefined)
    const whole = options.before.filter((id) => !deleted.has(id))
    for (const id of whole) assert.strictEqual(yielded.filter((y) => y === id).length, 1, `${id} yielded once`)
    assert.strictEqual(new Set(yielded).size, yielded.length)
    // Keyset pages stay full under deletes: only the last page is short.
    assert.isTrue(sizes.slice(0, -1).every((size) => size === options.first.limit), `page sizes ${sizes}`)
    return whole.length
  })
