/**
 * Read scopes over HTTP (core's HTTP `ModelVersions`): the list query to send under a scope, and the page to answer
 * from the server's pages, for model versions and models alike.
 * @internal
 */
import { Effect, Either } from "effect"
import * as Fqn from "../Fqn.js"
import type { Pagination } from "../ModelVersion.js"
import * as ModelVersions from "../ModelVersions.js"
import type * as RegistryError from "../RegistryError.js"

/**
 * The list query to send under a read scope (model versions or models): `undefined` when a filter names an ML repo
 * outside it (the answer is an empty page), `ml_repo=<name>` added when the scope is one ML repo name and the query
 * names none.
 */
export const scopedQuery = <Q extends { readonly fqn?: string | undefined; readonly ml_repo?: string | undefined }>(
  scope: ModelVersions.Visibility,
  query: Q,
  withMlRepo: (query: Q, mlRepo: string) => Q
): Q | undefined => {
  if (scope._tag === "All") return query
  const fqnRepo = query.fqn === undefined ? undefined : Either.getOrUndefined(Fqn.parse(query.fqn))?.mlRepo
  for (const named of [query.ml_repo, fqnRepo]) {
    if (named !== undefined && !ModelVersions.isVisible(scope, named)) return undefined
  }
  const single = ModelVersions.singleMlRepo(scope)
  return single === undefined || query.ml_repo !== undefined || fqnRepo !== undefined ? query : withMlRepo(query, single)
}

/**
 * A page under a read scope: the rows outside it dropped and `total` less the rows dropped from the server's page.
 * From a server that pages by token, the page is filled from the server's next pages (`after`), and its
 * `next_page_token` is made of the last row returned (`tokenOf`), never the server's (it names the last row the
 * server sent, which may be hidden).
 */
export const scopedPage = <A, P extends { readonly data: ReadonlyArray<A>; readonly pagination: Pagination }>(options: {
  readonly scope: ModelVersions.Visibility
  readonly page: P
  readonly limit: number
  readonly mlRepoOf: (row: A) => string
  readonly after: (token: string) => Effect.Effect<P, RegistryError.RegistryError>
  readonly tokenOf: (last: A) => string
  readonly make: (fields: { readonly data: ReadonlyArray<A>; readonly pagination: Pagination }) => P
}): Effect.Effect<P, RegistryError.RegistryError> =>
  Effect.gen(function*() {
    const { page, scope } = options
    if (scope._tag === "All") return page
    const visible = (row: A) => ModelVersions.isVisible(scope, options.mlRepoOf(row))
    if (page.data.every(visible)) return page
    const total = Math.max(0, page.pagination.total - page.data.filter((row) => !visible(row)).length)
    const data = page.data.filter(visible)
    let token = page.pagination.next_page_token
    if (token === undefined) return options.make({ data, pagination: { ...page.pagination, total } })
    while (data.length < options.limit && token !== undefined) {
      const next: P = yield* options.after(token)
      data.push(...next.data.filter(visible))
      token = next.pagination.next_page_token
    }
    const returned = data.slice(0, options.limit)
    const last = returned.at(-1)
    const pagination = { total, offset: page.pagination.offset, limit: page.pagination.limit }
    const more = (data.length > options.limit || token !== undefined) && last !== undefined
    return options.make({ data: returned, pagination: more ? { ...pagination, next_page_token: options.tokenOf(last) } : pagination })
  })

/** The empty page of a list whose filter names an ML repo outside the scope. */
export const emptyPage = (query: { readonly limit?: number | undefined; readonly offset?: number | undefined }) => ({
  data: [],
  pagination: { total: 0, offset: query.offset ?? 0, limit: query.limit ?? ModelVersions.DEFAULT_LIMIT }
})
