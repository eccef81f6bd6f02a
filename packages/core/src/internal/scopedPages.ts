/**
 * Read scopes and filters over HTTP (core's HTTP `ModelVersions`): the list query to send under a scope, and the page
 * to answer from the server's pages, for model versions and models alike.
 * @internal
 */
import { Effect, Either } from "effect"
import * as Filter from "../Filter.js"
import * as Fqn from "../Fqn.js"
import type * as Model from "../Model.js"
import type { ModelVersion, ModelVersionPage, Pagination } from "../ModelVersion.js"
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
 * A page under a read scope and a filter: the rows outside the scope or not matching the filter (`matches`, the
 * in-memory `Filter.evaluate`, for an upstream that ignores `filter`; rows an upstream already filtered all pass)
 * dropped and `total` less the rows dropped from the server's page. From a server that pages by token, the page is
 * filled from the server's next pages (`after`), and its `next_page_token` is made of the last row returned
 * (`tokenOf`), never the server's (it names the last row the server sent, which may be hidden).
 */
export const scopedPage = <A, P extends { readonly data: ReadonlyArray<A>; readonly pagination: Pagination }>(options: {
  readonly scope: ModelVersions.Visibility
  readonly page: P
  readonly limit: number
  readonly mlRepoOf: (row: A) => string
  readonly matches?: ((row: A) => Effect.Effect<boolean, RegistryError.RegistryError>) | undefined
  readonly after: (token: string) => Effect.Effect<P, RegistryError.RegistryError>
  readonly tokenOf: (last: A) => string
  readonly make: (fields: { readonly data: ReadonlyArray<A>; readonly pagination: Pagination }) => P
}): Effect.Effect<P, RegistryError.RegistryError> =>
  Effect.gen(function*() {
    const { matches, page, scope } = options
    if (scope._tag === "All" && matches === undefined) return page
    const keep = (rows: ReadonlyArray<A>) =>
      Effect.filter(rows, (row) => ModelVersions.isVisible(scope, options.mlRepoOf(row)) ? (matches?.(row) ?? Effect.succeed(true)) : Effect.succeed(false))
    const data = yield* keep(page.data)
    if (data.length === page.data.length) return page
    const total = Math.max(0, page.pagination.total - (page.data.length - data.length))
    let token = page.pagination.next_page_token
    if (token === undefined) return options.make({ data, pagination: { ...page.pagination, total } })
    while (data.length < options.limit && token !== undefined) {
      const next: P = yield* options.after(token)
      data.push(...yield* keep(next.data))
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

/** A list query's filter, parsed (the query was validated, so it parses); `undefined` without one. */
export const parsedFilter = (filter: string | undefined): Filter.Expression | undefined =>
  filter === undefined ? undefined : Either.getOrUndefined(Filter.parse(filter))

/**
 * Whether a model of an upstream's page matches a filter: its latest version does, or one of its live versions
 * (the first page of up to 1,000 of them, listed with the filter forwarded and checked in memory) does.
 */
export const modelMatches = (
  list: (query: ModelVersions.ListQuery) => Effect.Effect<ModelVersionPage, RegistryError.RegistryError>,
  model: Model.Model,
  filter: string
): Effect.Effect<boolean, RegistryError.RegistryError> => {
  const expression = parsedFilter(filter)
  if (expression === undefined) return Effect.succeed(true)
  const latest: ModelVersion | undefined = model.latest_version
  if (latest !== undefined && Filter.evaluate(expression, latest)) return Effect.succeed(true)
  return Effect.map(list(new ModelVersions.ListQuery({ model_id: model.id, filter, limit: 1000 }, true)), (page) => page.data.length > 0)
}
