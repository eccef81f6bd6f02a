/**
 * Iteration over every page of a list (model versions or models), shared by `modelVersions.iterate` and
 * `models.iterate`.
 * @internal
 */

/**
 * Yields the rows of page after page, each id once: `next` is the query of the page after one (core's
 * `ModelVersions.nextPage` or `Model.nextPage`), told how many rows of the page were not seen before.
 */
export async function* eachRow<Q, A extends { readonly id: string }, P extends { readonly data: ReadonlyArray<A> }>(
  first: Q,
  listPage: (query: Q) => Promise<P>,
  next: (query: Q, page: P, fresh: number) => Q | undefined
): AsyncGenerator<A, void, undefined> {
  const seen = new Set<string>()
  let current: Q | undefined = first
  while (current !== undefined) {
    const page: P = await listPage(current)
    const fresh = page.data.filter((row) => !seen.has(row.id))
    for (const row of fresh) {
      seen.add(row.id)
      yield row
    }
    current = next(current, page, fresh.length)
  }
}
