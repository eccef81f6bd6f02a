/**
 * Reads: model versions by id, by model and number, by filter; their tags. Rows are decoded by their schemas; a
 * row that does not decode is a `StoreError` (its content is logged at debug level only).
 * @internal
 */
import { SqlSchema, Statement } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Fqn, ModelVersion, ModelVersions, RegistryError } from "@mreg/core"
import { Effect, Option, type ParseResult, Schema } from "effect"
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

const Fragment = Schema.declare(Statement.isFragment)
const TagRow = Schema.Struct({ model_version_id: Schema.String, tag: Schema.String })
const ListRequest = Schema.Struct({ filter: Fragment, limit: Schema.Number, offset: Schema.Number })

export const notFound = (id: string) => new RegistryError.NotFound({ message: `no model version with id "${id}"` })

/** The registry's reads on one store. */
export const makeQueries = (store: Store) => {
  const { sql, tenant } = store
  const selectVersion = sql.unsafe(SELECT_VERSION)

  /** A live (not deleted) version by id. */
  const findLive = (id: string): Effect.Effect<Option.Option<VersionRow>, SqlError | RegistryError.StoreError> =>
    decoded(findLiveRow(id))
  const findLiveRow = SqlSchema.findOne({
    Request: Schema.String,
    Result: VersionRow,
    execute: (id) => sql`${selectVersion} WHERE v.id = ${id} AND v.deleted_at IS NULL`
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

  const get = Effect.fn("ModelVersions.get")(function*(id: ModelVersion.ModelVersionId) {
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

  const list = Effect.fn("ModelVersions.list")(function*(query: ModelVersions.ListQuery) {
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
      const fqn = parsed.right
      if (fqn.tenant !== tenant) where.push(sql`1 = 0`)
      where.push(sql`r.name = ${fqn.mlRepo}`, sql`m.name = ${fqn.name}`)
      where.push(fqn.version !== undefined ? sql`v.version = ${fqn.version}` : sql`v.alias_key = ${fqn.alias.toLowerCase()}`)
    }
    if (query.ml_repo_id !== undefined) where.push(sql`m.ml_repo_id = ${query.ml_repo_id}`)
    if (query.ml_repo !== undefined) where.push(sql`r.name = ${query.ml_repo}`)
    if (query.model_id !== undefined) where.push(sql`v.model_id = ${query.model_id}`)
    if (query.name !== undefined) where.push(sql`m.name = ${query.name}`)
    if (query.version !== undefined) where.push(sql`v.version = ${query.version}`)
    if (query.tag !== undefined) {
      where.push(sql`EXISTS (SELECT 1 FROM model_version_tags t WHERE t.model_version_id = v.id AND t.tag_key = ${query.tag.toLowerCase()})`)
    }
    if (query.run_ids !== undefined && query.run_ids.length > 0) where.push(sql.in("v.run_id", query.run_ids))
    if (query.run_steps !== undefined && query.run_steps.length > 0) where.push(sql.in("v.step", query.run_steps))
    const filter = sql.and(where)
    return yield* Effect.gen(function*() {
      const count = yield* decoded(countRows(filter))
      const rows = yield* decoded(pageRows({ filter, limit, offset }))
      const tags = yield* tagsOf(rows.map((row) => row.id))
      return new ModelVersion.ModelVersionPage({
        data: rows.map((row) => toModelVersion(tenant, row, tags.get(row.id) ?? [])),
        pagination: { total: Option.match(count, { onNone: () => 0, onSome: (row) => row.total }), offset, limit }
      }, true)
    }).pipe(Effect.catchTag("SqlError", storeError))
  })

  return { findLive, versionRow, lockModel, tagsOf, load, get, list }
}
