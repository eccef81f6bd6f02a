/**
 * The next query of a walk over every page of a list (model versions or models), shared by
 * `ModelVersions.nextPage` and `Model.nextPage`.
 * @internal
 */

/** The paging fields of a list query. */
export interface Paged {
  readonly limit?: number | undefined
  readonly offset?: number | undefined
  readonly page_token?: string | undefined
}

/** What a page tells about the next one. */
export interface PageLike {
  readonly data: ReadonlyArray<unknown>
  readonly pagination: {
    readonly total: number
    readonly limit: number
    readonly next_page_token?: string | undefined
  }
}

/**
 * The `nextPage` of a list query class: {@link nextFields} rebuilt as a query with `make` (without validation: every
 * field was valid or came from the server's own `next_page_token`).
 */
export const nextPageOf = <Q extends Paged>(make: (fields: Q) => Q, defaultLimit: number) =>
(query: Q, page: PageLike, fresh: number): Q | undefined => {
  const next = nextFields(query, page, fresh, defaultLimit)
  return next === undefined ? undefined : make(next)
}

/**
 * The fields of the query after `page` (the answer to `query`), or `undefined` when `page` was the last: by
 * `page_token` when the answer carried `pagination.next_page_token` (keyset paging, exact under concurrent writes),
 * otherwise by offset, for servers that page only by offset (TrueFoundry): the walk then stops at `total`, at a
 * short page, or at a page with no row not seen before (`fresh` = 0, a server that ignores `offset`).
 */
export const nextFields = <Q extends Paged>(query: Q, page: PageLike, fresh: number, defaultLimit: number): Q | undefined => {
  const token = page.pagination.next_page_token
  if (token !== undefined && token !== query.page_token) {
    const { offset: _offset, ...rest } = query
    return { ...rest, page_token: token } as unknown as Q
  }
  if (query.page_token !== undefined) return undefined
  const limit = query.limit ?? defaultLimit
  const pageSize = page.pagination.limit > 0 ? Math.min(limit, page.pagination.limit) : limit
  if (fresh === 0 || page.data.length < pageSize) return undefined
  const offset = (query.offset ?? 0) + page.data.length
  return offset >= page.pagination.total ? undefined : { ...query, offset }
}
