/**
 * Reads: model versions by id, by model and number, by filter; their tags. Rows are decoded by their schemas; a
 * row that does not decode is a `StoreError` (its content is logged at debug level only).
 * @internal
 */
import { type SqlClient, SqlSchema, Statement } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Fqn, ModelVersion, ModelVersions, PageToken, RegistryError, Validation } from "@mreg/core"
import { Effect, Either, Option, type ParseResult, Schema } from "effect"
import { traced } from "@mreg/core/Telemetry"
import { makeCompiler } from "./filter.js"
import { Count, etagOf, SELECT_VERSION, toModelVersion, VersionRow } from "./rows.js"
import { type Store, storeError } from "./store.js"

const undecodable = (error: ParseResult.ParseError): Effect.Effect<never, RegistryError.StoreError> =>
  Effect.zipRight(
    Effect.logDebug("registry row does not decode", error),
    Effect.fail(new RegistryError.StoreError({ message: "a stored model version could not be read" }))
  )

/** Turns a row decoding failure into a `StoreError`, keeping driver errors for the caller to map. */
export const decoded = <A>(
  effect: Effect.Effect<A, SqlError | ParseResult.ParseError>
): Effect.Effect<A, SqlError | RegistryError.StoreError> => Effect.catchTag(effect, "ParseError", undecodable)

/**
 * The first of `rows` decoded by `schema` synchronously (`Schema.decodeUnknownEither`, not `SqlSchema`'s effectful
 * decoder of every row), `None` when there is none; a row that does not decode is a `StoreError`, as in `decoded`.
 */
export const firstRow = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema)
  return <E, R>(rows: Effect.Effect<ReadonlyArray<unknown>, E, R>): Effect.Effect<Option.Option<A>, E | RegistryError.StoreError, R> =>
    Effect.flatMap(rows, (found) =>
      found.length === 0 ? Effect.succeedNone : Either.match(decode(found[0]), { onLeft: undecodable, onRight: Effect.succeedSome }))
}

const Fragment = Schema.declare(Statement.isFragment)
const TagRow = Schema.Struct({ model_version_id: Schema.String, tag: Schema.String })
const ListRequest = Schema.Struct({ filter: Fragment, limit: Schema.Number, offset: Schema.Number })

export const notFound = (id: string) => new RegistryError.NotFound({ message: `no model version with id "${id}"` })

/** Whether an id can be stored at all: PostgreSQL's text refuses U+0000 (such an id names no version or model). */
export const storable = (id: string): boolean => !id.includes("\u0000")

/** `v` is the highest live version of its model (`…:latest`, `version=latest`). */
const isLatest = (sql: Store["sql"]) =>
  sql`v.version = (SELECT MAX(l.version) FROM model_versions l WHERE l.model_id = v.model_id AND l.deleted_at IS NULL)`

/** The `version` filter of `list`: a number, or `latest`. */
const versionFilter = (sql: Store["sql"], version: number | "latest"): Statement.Fragment =>
  version === "latest" ? isLatest(sql) : sql`v.version = ${version}`

/**
 * The `fqn` filter of `list`: a model FQN matches every version of the model; a model version FQN the version with
 * that number, alias (ignoring case) or the highest live one. Another tenant matches nothing.
 */
const fqnFilter = (sql: Store["sql"], tenant: string, fqn: Fqn.Fqn): Array<Statement.Fragment> => {
  const where = [sql`r.name = ${fqn.mlRepo}`, sql`m.name = ${fqn.name}`]
  if (fqn.tenant !== tenant) where.push(sql`1 = 0`)
  if (fqn.version !== undefined) where.push(sql`v.version = ${fqn.version}`)
  else if (fqn.alias !== undefined) where.push(sql`v.alias_key = ${fqn.alias.toLowerCase()}`)
  else if (fqn.latest) where.push(isLatest(sql))
  return where
}

/**
 * The SQL condition of a read scope on an ML repo name column (`r.name` by default): `undefined` when every ML repo
 * is visible, else the name matches one of the patterns, case-sensitively, `*` matching any run of characters
 * (SQLite `GLOB`, PostgreSQL `LIKE`, the other wildcards escaped); no pattern matches nothing. Reads of models use
 * the same condition, so a scoped caller sees the same ML repos everywhere.
 */
export const visibleMlRepos = (
  sql: SqlClient.SqlClient,
  scope: ModelVersions.Visibility,
  column = "r.name"
): Statement.Fragment | undefined => {
  if (scope._tag === "All") return undefined
  if (scope.patterns.length === 0) return sql`1 = 0`
  const name = sql.unsafe(column)
  return sql.or(scope.patterns.map((pattern) => {
    if (!pattern.includes("*")) return sql`${name} = ${pattern}`
    return sql.onDialectOrElse({
      sqlite: () => sql`${name} GLOB ${pattern.replace(/[?[\]]/g, "[$&]")}`,
      orElse: () => sql`${name} LIKE ${pattern.replace(/[\\%_]/g, "\\$&").replaceAll("*", "%")} ESCAPE '\\'`
    })
  }))
}

/**
 * The keyset condition of a page token: rows after `position` in the list order (ML repo name, model name, then
 * version number descending). The order is total: `(ML repo, model, version)` is unique, deleted numbers included.
 */
export const afterPosition = (sql: SqlClient.SqlClient, position: PageToken.Position): Statement.Fragment =>
  sql`(r.name > ${position.ml_repo} OR (r.name = ${position.ml_repo} AND (m.name > ${position.name}
    OR (m.name = ${position.name} AND v.version < ${position.version}))))`

/**
 * The position of a query's `page_token` by a token schema and its decoder; a token that is not one is a
 * `ValidationError` at `query.page_token`.
 */
export const tokenPosition = <P>(schema: Schema.Schema<string>, read: (token: string) => Option.Option<P>) => {
  const decodeToken = Schema.decodeUnknownEither(schema)
  return (token: string | undefined): Effect.Effect<Option.Option<P>, RegistryError.ValidationError> =>
    token === undefined ? Effect.succeedNone : Either.match(decodeToken(token), {
      onLeft: (error) => Effect.fail(Validation.fromParseError(error, ["query", "page_token"])),
      onRight: (valid) => Effect.succeed(read(valid))
    })
}

const positionOf = tokenPosition(PageToken.PageToken, PageToken.decode)

/** The token of the page after `rows` when the store had one more row than `limit` (fetched to know it). */
export const nextToken = <R>(rows: ReadonlyArray<R>, limit: number, make: (last: R) => string): string | undefined =>
  rows.length <= limit ? undefined : make(rows[limit - 1]!)

/** `pagination` of a page: `next_page_token` only when a next page exists. */
export const paginationOf = (total: number, offset: number, limit: number, next: string | undefined) =>
  next === undefined ? { total, offset, limit } : { total, offset, limit, next_page_token: next }

const versionToken = (last: VersionRow) => PageToken.make({ ml_repo: last.ml_repo_name, name: last.model_name, version: last.version })

/** The registry's reads on one store. */
export const makeQueries = (store: Store) => {
  const { sql, tenant } = store
  const selectVersion = sql.unsafe(SELECT_VERSION)
  /** The SQL condition of a list query's `filter` (`ValidationError` at `query.filter` when it does not parse). */
  const filterOf = makeCompiler(sql)

  /**
   * A live (not deleted) version by id, if it is in the caller's `ReadScope` (else `None`, as for a missing id). An
   * id no store can hold (a NUL character) is none, never a store failure.
   */
  const findLive = (id: string): Effect.Effect<Option.Option<VersionRow>, SqlError | RegistryError.StoreError> =>
    !storable(id) ? Effect.succeedNone : Effect.flatMap(ModelVersions.ReadScope, (scope) => {
      const visible = visibleMlRepos(sql, scope)
      return decoded(findLiveRow(visible === undefined ? sql`v.id = ${id}` : sql`v.id = ${id} AND ${visible}`))
    })
  const findLiveRow = SqlSchema.findOne({
    Request: Fragment,
    Result: VersionRow,
    execute: (filter) => sql`${selectVersion} WHERE ${filter} AND v.deleted_at IS NULL`
  })

  /** A version, live or deleted, by model and number. */
  const versionRow = (modelId: string, version: number) => decoded(versionRowQuery({ modelId, version }))
  const versionRowQuery = SqlSchema.findOne({
    Request: Schema.Struct({ modelId: Schema.String, version: Schema.Number }),
    Result: VersionRow,
    execute: ({ modelId, version }) => sql`${selectVersion} WHERE v.model_id = ${modelId} AND v.version = ${version}`
  })

  /**
   * Whether a model still exists (it may have been deleted since its id was read); on PostgreSQL also locks its row
   * for the rest of the transaction (SQLite already has one writer at a time).
   */
  const lockModel = (modelId: string) => Effect.map(decoded(modelRow(modelId)), Option.isSome)
  const modelRow = SqlSchema.findOne({
    Request: Schema.String,
    Result: Schema.Struct({ id: Schema.String }),
    execute: (modelId) =>
      sql.onDialectOrElse({
        pg: () => sql`SELECT id FROM models WHERE id = ${modelId} FOR UPDATE`,
        orElse: () => sql`SELECT id FROM models WHERE id = ${modelId}`
      })
  })

  const tagRows = SqlSchema.findAll({
    Request: Schema.Array(Schema.String),
    Result: TagRow,
    execute: (ids) => sql`SELECT model_version_id, tag FROM model_version_tags WHERE ${sql.in("model_version_id", ids)} ORDER BY tag`
  })

  /** Tags by version id, each list in byte order. */
  const tagsOf = (ids: ReadonlyArray<string>) =>
    ids.length === 0 ? Effect.succeed(new Map<string, Array<string>>()) : decoded(tagRows(ids)).pipe(
      Effect.map((rows) => {
        const byVersion = new Map<string, Array<string>>()
        for (const row of rows) {
          const list = byVersion.get(row.model_version_id) ?? []
          list.push(row.tag)
          byVersion.set(row.model_version_id, list)
        }
        return byVersion
      })
    )

  /** A `ModelVersion` with its tags. */
  const load = (row: VersionRow) => Effect.map(tagsOf([row.id]), (tags) => toModelVersion(tenant, row, tags.get(row.id) ?? []))

  const get = traced("ModelVersions.get", function*(id: ModelVersion.ModelVersionId) {
    return yield* Effect.gen(function*() {
      const row = yield* findLive(id)
      if (Option.isNone(row)) return yield* Effect.fail(notFound(id))
      const modelVersion = yield* load(row.value)
      return { modelVersion, etag: etagOf(row.value.id, row.value.revision) } satisfies ModelVersions.Versioned
    }).pipe(Effect.catchTag("SqlError", storeError))
  })

  const countRows = SqlSchema.findOne({
    Request: Fragment,
    Result: Schema.Struct({ total: Count }),
    execute: (filter) => sql`SELECT COUNT(*) AS total
      FROM model_versions v JOIN models m ON m.id = v.model_id JOIN ml_repos r ON r.id = m.ml_repo_id WHERE ${filter}`
  })
  const pageRows = SqlSchema.findAll({
    Request: ListRequest,
    Result: VersionRow,
    execute: ({ filter, limit, offset }) => sql`${selectVersion} WHERE ${filter}
      ORDER BY r.name, m.name, v.version DESC LIMIT ${limit} OFFSET ${offset}`
  })

  const list = traced("ModelVersions.list", function*(query: ModelVersions.ListQuery) {
    const limit = query.limit ?? ModelVersions.DEFAULT_LIMIT
    const offset = query.offset ?? 0
    const where: Array<Statement.Fragment> = [sql`v.deleted_at IS NULL`]
    if (query.fqn !== undefined) {
      const parsed = Fqn.parse(query.fqn)
      if (parsed._tag === "Left") {
        return yield* Effect.fail(new RegistryError.ValidationError({
          detail: [new RegistryError.ValidationIssue({ loc: ["query", "fqn"], msg: parsed.left.message, type: "value_error" })]
        }))
      }
      where.push(...fqnFilter(sql, tenant, parsed.right))
    }
    if (query.ml_repo_id !== undefined) where.push(sql`m.ml_repo_id = ${query.ml_repo_id}`)
    if (query.ml_repo !== undefined) where.push(sql`r.name = ${query.ml_repo}`)
    if (query.model_id !== undefined) where.push(sql`v.model_id = ${query.model_id}`)
    if (query.name !== undefined) where.push(sql`m.name = ${query.name}`)
    if (query.version !== undefined) where.push(versionFilter(sql, query.version))
    if (query.tag !== undefined) {
      where.push(sql`EXISTS (SELECT 1 FROM model_version_tags t WHERE t.model_version_id = v.id AND t.tag_key = ${query.tag.toLowerCase()})`)
    }
    if (query.run_ids !== undefined && query.run_ids.length > 0) where.push(sql.in("v.run_id", query.run_ids))
    if (query.run_steps !== undefined && query.run_steps.length > 0) where.push(sql.in("v.step", query.run_steps))
    if (query.filter !== undefined) where.push(yield* filterOf(query.filter))
    const visible = visibleMlRepos(sql, yield* ModelVersions.ReadScope)
    if (visible !== undefined) where.push(visible)
    const filter = sql.and(where)
    const position = yield* positionOf(query.page_token)
    const pageFilter = Option.match(position, { onNone: () => filter, onSome: (at) => sql.and([filter, afterPosition(sql, at)]) })
    return yield* Effect.gen(function*() {
      const count = yield* decoded(countRows(filter))
      // One row more than the page: whether a next page exists, for `next_page_token`.
      const rows = yield* decoded(pageRows({ filter: pageFilter, limit: limit + 1, offset }))
      const next = nextToken(rows, limit, versionToken)
      const page = rows.slice(0, limit)
      const tags = yield* tagsOf(page.map((row) => row.id))
      const total = Option.match(count, { onNone: () => 0, onSome: (row) => row.total })
      return new ModelVersion.ModelVersionPage({
        data: page.map((row) => toModelVersion(tenant, row, tags.get(row.id) ?? [])),
        pagination: paginationOf(total, offset, limit, next)
      }, true)
    }).pipe(Effect.catchTag("SqlError", storeError))
  })

  return { findLive, versionRow, lockModel, tagsOf, load, get, list, filterOf }
}
