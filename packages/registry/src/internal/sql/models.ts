/**
 * Models: list, get and delete. A model row is `(ml_repo, name)`; what TrueFoundry's `Model` shows beyond it is read
 * from its versions: `created_by_subject` of its first version, `updated_at` the latest write to any version (an
 * update, a tag or a delete), `latest_version` the highest live version, `run_steps` the distinct steps of its live
 * versions. Deleting a model removes its rows, its versions and their tags in one transaction; a later upsert of the
 * same name creates a new model (new id) whose versions start at 1 (numbers are never reused within one model id).
 *
 * Reads honour `ModelVersions.ReadScope` in their SQL (`visibleMlRepos`, as versions do): the list's rows and
 * `total` hold only visible ML repos, and get and delete of a model outside them are `NotFound` as a missing id. The
 * list pages by offset or by `page_token` (keyset on ML repo name, model name); with a `filter`, a model is listed
 * when one of its live versions matches it. An id holding a NUL character names
 * no model (`NotFound`, never a store failure).
 * @internal
 */
import { type SqlClient, SqlSchema, Statement } from "@effect/sql"
import { Model, ModelVersionEvent, ModelVersions, PageToken, RegistryError } from "@mreg/core"
import { Effect, Option, Schema } from "effect"
import { eventOf, fieldsOf, type makeEvents, writerOf } from "./events.js"
import { decoded, type makeQueries, nextToken, paginationOf, storable, tokenPosition, visibleMlRepos } from "./queries.js"
import { Count, SELECT_VERSION, SubjectJson, toModelVersion, VersionRow } from "./rows.js"
import { type Store, storeError } from "./store.js"

const Fragment = Schema.declare(Statement.isFragment)

const ModelRow = Schema.Struct({
  id: Schema.String,
  ml_repo_id: Schema.String,
  name: Schema.String,
  created_at: Schema.String,
  ml_repo_name: Schema.String,
  created_by: Schema.NullOr(SubjectJson),
  updated_at: Schema.NullOr(Schema.String),
  deleted_at: Schema.NullOr(Schema.String),
  next_version: Count
})
interface ModelRow extends Schema.Schema.Type<typeof ModelRow> {}

const StepRow = Schema.Struct({ model_id: Schema.String, step: Schema.Number })

const SELECT_MODEL = `SELECT m.id, m.ml_repo_id, m.name, m.created_at, r.name AS ml_repo_name,
  (SELECT f.created_by FROM model_versions f WHERE f.model_id = m.id ORDER BY f.version LIMIT 1) AS created_by,
  (SELECT MAX(u.updated_at) FROM model_versions u WHERE u.model_id = m.id) AS updated_at,
  (SELECT MAX(d.deleted_at) FROM model_versions d WHERE d.model_id = m.id) AS deleted_at,
  (SELECT COALESCE(MAX(n.version), 0) + 1 FROM model_versions n WHERE n.model_id = m.id) AS next_version
  FROM models m JOIN ml_repos r ON r.id = m.ml_repo_id`

export const noModel = (id: string) => new RegistryError.NotFound({ message: `no model with id ${JSON.stringify(id)}` })

const modelPositionOf = tokenPosition(PageToken.ModelPageToken, PageToken.decodeModel)

/** The keyset condition of a model page token: models after `position` in the list order (ML repo name, model name). */
const afterModel = (sql: SqlClient.SqlClient, position: PageToken.ModelPosition): Statement.Fragment =>
  sql`(r.name > ${position.ml_repo} OR (r.name = ${position.ml_repo} AND m.name > ${position.name}))`

const modelToken = (last: ModelRow) => PageToken.makeModel({ ml_repo: last.ml_repo_name, name: last.name })

const latestOf = (...times: ReadonlyArray<string | null>): string =>
  times.reduce<string>((latest, at) => (at !== null && at > latest ? at : latest), "")

export const makeModels = (store: Store, queries: ReturnType<typeof makeQueries>, events: ReturnType<typeof makeEvents>) => {
  const { sql, tenant } = store
  const selectModel = sql.unsafe(SELECT_MODEL)
  const selectVersion = sql.unsafe(SELECT_VERSION)

  const countRows = SqlSchema.findOne({
    Request: Fragment,
    Result: Schema.Struct({ total: Count }),
    execute: (filter) => sql`SELECT COUNT(*) AS total FROM models m JOIN ml_repos r ON r.id = m.ml_repo_id WHERE ${filter}`
  })
  const pageRows = SqlSchema.findAll({
    Request: Schema.Struct({ filter: Fragment, limit: Schema.Number, offset: Schema.Number }),
    Result: ModelRow,
    execute: ({ filter, limit, offset }) => sql`${selectModel} WHERE ${filter} ORDER BY r.name, m.name LIMIT ${limit} OFFSET ${offset}`
  })
  const latestRows = SqlSchema.findAll({
    Request: Schema.Array(Schema.String),
    Result: VersionRow,
    execute: (ids) => sql`${selectVersion} WHERE v.deleted_at IS NULL AND ${sql.in("v.model_id", ids)}
      AND v.version = (SELECT MAX(x.version) FROM model_versions x WHERE x.model_id = v.model_id AND x.deleted_at IS NULL)`
  })
  const stepRows = SqlSchema.findAll({
    Request: Schema.Array(Schema.String),
    Result: StepRow,
    execute: (ids) => sql`SELECT DISTINCT model_id, step FROM model_versions
      WHERE deleted_at IS NULL AND ${sql.in("model_id", ids)} ORDER BY step`
  })

  const liveRows = SqlSchema.findAll({
    Request: Schema.String,
    Result: VersionRow,
    execute: (id) => sql`${selectVersion} WHERE v.model_id = ${id} AND v.deleted_at IS NULL`
  })

  /** A `deleted` event for each live version of model `id`, with its last fields (its history outlives its row). */
  const deletedEvents = (id: string) =>
    Effect.gen(function*() {
      const live = yield* decoded(liveRows(id))
      const tags = yield* queries.tagsOf(live.map((row) => row.id))
      const [subject, at] = [yield* writerOf(store), yield* store.now]
      return live.map((row) =>
        eventOf(row, {
          type: "deleted",
          revision: row.revision + 1,
          subject,
          at,
          changes: ModelVersionEvent.fieldsSet(fieldsOf(row.manifest, tags.get(row.id) ?? []), "before")
        })
      )
    })

  /** `Model`s of rows, with their latest live version (and its tags) and run steps: three queries for a page. */
  const toModels = (rows: ReadonlyArray<ModelRow>) =>
    Effect.gen(function*() {
      const ids = rows.map((row) => row.id)
      if (ids.length === 0) return []
      const latest = yield* decoded(latestRows(ids))
      const tags = yield* queries.tagsOf(latest.map((row) => row.id))
      const steps = yield* decoded(stepRows(ids))
      const latestBy = new Map(latest.map((row) => [row.model_id, toModelVersion(tenant, row, tags.get(row.id) ?? [])]))
      return rows.map((row) => {
        const latestVersion = latestBy.get(row.id)
        return new Model.Model({
          id: Model.ModelId.make(row.id),
          ml_repo_id: row.ml_repo_id,
          type: "model",
          name: row.name,
          fqn: Model.formatFqn({ tenant, mlRepo: row.ml_repo_name, name: row.name }),
          created_by_subject: row.created_by ?? store.defaultSubject,
          created_at: row.created_at,
          updated_at: latestOf(row.created_at, row.updated_at, row.deleted_at),
          ...(latestVersion === undefined ? {} : { latest_version: latestVersion }),
          run_steps: steps.filter((step) => step.model_id === row.id).map((step) => step.step),
          next_version: row.next_version
        }, true)
      })
    })

  /** One page: `total` counts `filter`'s rows, the page holds those of `pageFilter` (after a page token, if any). */
  const page = (filter: Statement.Fragment, pageFilter: Statement.Fragment, limit: number, offset: number) =>
    Effect.gen(function*() {
      const count = yield* decoded(countRows(filter))
      // One row more than the page: whether a next page exists, for `next_page_token`.
      const rows = yield* decoded(pageRows({ filter: pageFilter, limit: limit + 1, offset }))
      const data = yield* toModels(rows.slice(0, limit))
      const total = Option.match(count, { onNone: () => 0, onSome: (row) => row.total })
      return new Model.ModelPage({ data, pagination: paginationOf(total, offset, limit, nextToken(rows, limit, modelToken)) }, true)
    }).pipe(Effect.catchTag("SqlError", storeError))

  /** The caller's read scope as conditions (none when every ML repo is visible). */
  const scoped = Effect.map(ModelVersions.ReadScope, (scope) => {
    const visible = visibleMlRepos(sql, scope)
    return visible === undefined ? [] : [visible]
  })

  const liveVersion = (extra: Statement.Fragment) =>
    sql`EXISTS (SELECT 1 FROM model_versions x WHERE x.model_id = m.id AND x.deleted_at IS NULL AND ${extra})`

  const listModels = Effect.fn("ModelVersions.listModels")(function*(query: Model.ListQuery) {
    const where: Array<Statement.Fragment> = yield* scoped
    if (query.fqn !== undefined) {
      const parsed = Model.parseFqn(query.fqn)
      if ("message" in parsed) {
        return yield* Effect.fail(new RegistryError.ValidationError({
          detail: [new RegistryError.ValidationIssue({ loc: ["query", "fqn"], msg: parsed.message, type: "value_error" })]
        }))
      }
      if (parsed.tenant !== tenant) where.push(sql`1 = 0`)
      where.push(sql`r.name = ${parsed.mlRepo}`, sql`m.name = ${parsed.name}`)
    }
    if (query.ml_repo_id !== undefined) where.push(sql`m.ml_repo_id = ${query.ml_repo_id}`)
    if (query.ml_repo !== undefined) where.push(sql`r.name = ${query.ml_repo}`)
    if (query.name !== undefined) where.push(sql`m.name = ${query.name}`)
    if (query.run_id !== undefined) where.push(liveVersion(sql`x.run_id = ${query.run_id}`))
    if (query.include_empty_models === false) where.push(liveVersion(sql`1 = 1`))
    // A model matches a filter when one of its live versions does (the filter reads `v`, `m` and `r`).
    if (query.filter !== undefined) {
      where.push(sql`EXISTS (SELECT 1 FROM model_versions v WHERE v.model_id = m.id AND v.deleted_at IS NULL AND ${yield* queries.filterOf(query.filter)})`)
    }
    const filter = sql.and(where)
    const position = yield* modelPositionOf(query.page_token)
    const pageFilter = Option.match(position, { onNone: () => filter, onSome: (at) => sql.and([filter, afterModel(sql, at)]) })
    return yield* page(filter, pageFilter, query.limit ?? ModelVersions.DEFAULT_LIMIT, query.offset ?? 0)
  })

  /** The model `id` if it exists and is in the caller's read scope; else `NotFound`, the same for both. */
  const findModel = (id: Model.ModelId) =>
    Effect.gen(function*() {
      if (!storable(id)) return yield* Effect.fail(noModel(id))
      const filter = sql.and([sql`m.id = ${id}`, ...yield* scoped])
      const model = (yield* page(filter, filter, 1, 0)).data[0]
      if (model === undefined) return yield* Effect.fail(noModel(id))
      return model
    })

  const getModel = Effect.fn("ModelVersions.getModel")(findModel)

  const deleteModel = Effect.fn("ModelVersions.deleteModel")(function*(id: Model.ModelId) {
    // Outside the read scope (or not storable) is NotFound before anything is locked; a model never changes ML repo.
    if (!storable(id) || (yield* ModelVersions.ReadScope)._tag === "Only") yield* findModel(id)
    yield* store.transact(Effect.gen(function*() {
      // PostgreSQL: waits for the model's writers and keeps new ones out until the delete commits.
      if (!(yield* queries.lockModel(id))) return yield* Effect.fail(noModel(id))
      yield* events.appendEvents(yield* deletedEvents(id))
      yield* sql`DELETE FROM model_version_tags WHERE model_id = ${id}`
      yield* sql`DELETE FROM model_versions WHERE model_id = ${id}`
      yield* sql`DELETE FROM models WHERE id = ${id}`
    }))
  })

  return { listModels, getModel, deleteModel }
}
