/**
 * The embedded registry: `ModelVersions` on `@effect/sql`, for SQLite (default, a file in `MREG_HOME`) and
 * PostgreSQL (several proxies sharing one store).
 *
 * Layers compose as client → migrator → service: `layerSqliteClient` / `layerPgClient` provide the `SqlClient`,
 * `layerMigrator` brings the schema up to date and provides `Migrations`, `layer` builds `ModelVersions` on both;
 * `layerSqlite`, `layerPg` and `layerConfig` are the three steps in one.
 *
 * Semantics (DESIGN.md, Upsert semantics), all enforced inside one transaction per write:
 * - ML repos and models are created on first use; a model is `(ml_repo, name)`, compared case-sensitively.
 * - No `version`: the next number, `max(all versions ever, deleted included) + 1`. Two writers racing for the same
 *   number collide on the unique index `(model_id, version)`; the loser's transaction is retried, so no write is lost
 *   and no number is handed out twice.
 * - An existing `version`: PUT replaces `description`, `metadata`, `version_alias`, `framework`, `environment`
 *   (omitted = cleared); `source`, `step`, `run_id` are fixed at creation (`Conflict` `IMMUTABLE_FIELD`).
 * - The next number creates it; a deleted number is `Conflict` `VERSION_DELETED`; beyond the next number is a
 *   `ValidationError` at `manifest.version` naming the next number.
 * - Aliases and tags are unique per model ignoring case, stored with their case.
 * - Deleting a model deletes its versions and their tags in one transaction; a later upsert of the same name creates
 *   a new model (new id) whose versions start at 1.
 * - Every write bumps a revision; ETags are `"<id>.<revision>"`.
 * - Every write appends one history event per revision it makes (`model_version_events`, in the same transaction;
 *   `history` reads them, oldest first); events are never updated or deleted, so a deleted version keeps its history.
 * - Reads honour `ModelVersions.ReadScope` in their SQL (list rows and `total`, get, delete, tags, and the same for
 *   models: `NotFound` outside it) and lists page by `page_token` with a keyset condition on (ML repo, model name,
 *   version descending; models: ML repo, model name).
 * - Idempotency keys (per subject, kept 24 hours) replay the first response for the same request, and conflict
 *   for a different one.
 *
 * Errors: a store that cannot be reached (PostgreSQL down or restarting, connection refused or reset, pool timeout;
 * SQLite file that cannot be opened, disk I/O error, a lock held past the retries) fails with
 * `RegistryError.StoreUnavailable` (503, retry after `retryAfter` seconds); any other driver failure with
 * `RegistryError.StoreError` (500). No driver text, SQL or URL reaches the error message.
 *
 * @since 0.2.0
 */
import { Migrator, SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { type ModelVersion, ModelVersions, MregConfig, RegistryError } from "@mreg/core"
import { Cause, Config, Context, Duration, Effect, Layer, Option, Predicate, type Redacted, Schedule } from "effect"
import { existsSync, mkdirSync, statSync } from "node:fs"
import { homedir, userInfo } from "node:os"
import { dirname, join, resolve } from "node:path"
import { migrations } from "./internal/migrations.js"
import { makeEvents } from "./internal/sql/events.js"
import { makeModels } from "./internal/sql/models.js"
import { makeQueries } from "./internal/sql/queries.js"
import { classify } from "./internal/sqlErrors.js"
import { isMissingNativeBuild, missingNativeBuildMessage, openFailureReason } from "./internal/sqliteDriver.js"
import { fromSqlError, makeStore, RETRY_AFTER_UNREACHABLE, type StoreFailure, unavailable } from "./internal/sql/store.js"
import { makeTags } from "./internal/sql/tags.js"
import { makeUpsert } from "./internal/sql/upsert.js"
import type { Outbox } from "./internal/webhooks/outbox.js"

/**
 * Options of the embedded registry.
 * - `tenant`: the tenant name in FQNs (`model:{tenant}/…`), default `"default"`;
 * - `subject`: who writes when an upsert names no subject, default the OS user;
 * - `webhooks`: the outbox of the configured webhooks (`Webhooks.makeOutbox`): every event also becomes one delivery
 *   row per matching subscription, in the write's transaction (since 0.2.0). Without it no delivery row is written.
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly tenant?: string | undefined
  readonly subject?: ModelVersion.Subject | undefined
  readonly webhooks?: Outbox | undefined
}

/** How long an idempotency key is remembered, in milliseconds (24 hours). @since 0.1.0 @category constants */
export { IDEMPOTENCY_TTL_MS } from "./internal/sql/idempotency.js"

/**
 * The errors of the SQL registry's layers and operations on the store: `StoreError` (500) or, when the store cannot
 * be reached, `StoreUnavailable` (503).
 * @since 0.2.0
 * @category models
 */
export type StoreErrors = StoreFailure

/**
 * The OS user as a subject: `{subjectId: <username>, subjectType: "user", subjectSlug, subjectDisplayName}`.
 * @since 0.1.0
 * @category constructors
 */
export const osSubject = (): ModelVersion.Subject => {
  let name = process.env.USER ?? process.env.USERNAME ?? "unknown"
  try {
    name = userInfo().username
  } catch {
    // no passwd entry (some containers): keep the environment's name
  }
  return { subjectId: name, subjectType: "user", subjectSlug: name, subjectDisplayName: name }
}

/**
 * Proof that the registry's migrations have run on the `SqlClient` in context: the `[id, name]` of each migration
 * this process applied (empty when the schema was already current).
 * @since 0.2.0
 * @category tags
 */
export class Migrations extends Context.Tag("@mreg/registry/ModelVersionsSql/Migrations")<
  Migrations,
  { readonly applied: ReadonlyArray<readonly [id: number, name: string]> }
>() {}

const isSqlError = (error: unknown): error is SqlError => Predicate.isTagged(error, "SqlError")

/** The driver error behind a failed migration, when there is one (the `Migrator` wraps it as a defect's cause). */
const sqlErrorOf = (cause: Cause.Cause<unknown>): SqlError | undefined => {
  for (const error of [...Cause.failures(cause), ...Cause.defects(cause)]) {
    if (isSqlError(error)) return error
    if (Predicate.hasProperty(error, "cause") && isSqlError(error.cause)) return error.cause
  }
  return undefined
}

const notMigrated = () => new RegistryError.StoreError({ message: "the registry store could not be opened or migrated" })

/**
 * Runs the registry's migrations (`@effect/sql`'s `Migrator`, table `effect_sql_migrations`) on the `SqlClient` in
 * context and provides `Migrations`. Several processes may start on one store at once: a migration that loses a race
 * is retried (5 times, 200 ms apart). Fails with `StoreUnavailable` when the store cannot be reached, else
 * `StoreError` "the registry store could not be opened or migrated".
 * @since 0.2.0
 * @category layers
 */
export const layerMigrator: Layer.Layer<Migrations, StoreErrors, SqlClient.SqlClient> = Layer.effect(
  Migrations,
  Migrator.make({})({ loader: Migrator.fromRecord(migrations) }).pipe(
    Effect.retry({ times: 5, schedule: Schedule.spaced("200 millis") }),
    Effect.map((applied) => ({ applied })),
    Effect.catchAllCause((cause) => {
      const sqlError = sqlErrorOf(cause)
      const failure = sqlError !== undefined && classify(sqlError) !== "failed" ? fromSqlError(sqlError) : notMigrated()
      return Effect.zipRight(Effect.logDebug("registry migration failure", cause), Effect.fail(failure))
    })
  )
)

/**
 * Builds the `ModelVersions` service on the `SqlClient` in context, once `layerMigrator` has run.
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<ModelVersions.Service, never, SqlClient.SqlClient | Migrations> =>
  Effect.gen(function*() {
    yield* Migrations
    const store = makeStore(yield* SqlClient.SqlClient, options.tenant ?? "default", options.subject ?? osSubject(), options.webhooks)
    const queries = makeQueries(store)
    const events = makeEvents(store, queries)
    const tags = makeTags(store, queries, events)
    return ModelVersions.ModelVersions.of({
      upsert: makeUpsert(store, queries, events),
      get: queries.get,
      list: queries.list,
      delete: tags.delete,
      applyTags: tags.applyTags,
      history: events.history,
      ...makeModels(store, queries, events)
    })
  })

/**
 * `ModelVersions` on the `SqlClient` provided to it, whose schema `layerMigrator` has brought up to date:
 * `layer(options).pipe(Layer.provide(layerMigrator), Layer.provide(client))`.
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<ModelVersions.ModelVersions, never, SqlClient.SqlClient | Migrations> =>
  Layer.effect(ModelVersions.ModelVersions, make(options))

/** `layer` on `client`, after `layerMigrator` on the same client. */
const onClient = <E>(options: Options, client: Layer.Layer<SqlClient.SqlClient, E>) =>
  layer(options).pipe(Layer.provide(Layer.provideMerge(layerMigrator, client)))

/**
 * Creates a folder and its missing parents one level at a time: Node 20's recursive `mkdir` never returns for some
 * parents that refuse new entries (such as paths under `/proc`), while a plain `mkdir` fails at once.
 */
const ensureFolder = (folder: string): void => {
  const missing: Array<string> = []
  for (let at = resolve(folder); !existsSync(at); at = dirname(at)) missing.unshift(at)
  for (const level of missing) mkdirSync(level)
}

/** "<path> is a file, not a folder" when the nearest existing folder above `filename` is a file. */
const notAFolder = (filename: string): string | undefined => {
  if (filename === ":memory:") return undefined
  let at = resolve(dirname(filename))
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at)
  return existsSync(at) && !statSync(at).isDirectory() ? `${at} is a file, not a folder` : undefined
}

/**
 * A SQLite `SqlClient` on a file (WAL mode, busy timeout 5 s, every statement prepared once and kept for the life of
 * the connection). The file's folder is created when missing; `":memory:"` gives a private in-memory database. A
 * file that cannot be created or opened fails with `StoreError` "cannot open the registry at <filename>: <why>" (why in
 * our words: a path part that is a file, permission denied, not a SQLite database, damaged…; never the driver's; a
 * setting to fix, not a store to wait for); a driver without a native build for this Node.js (better-sqlite3 installed
 * with its install script skipped) fails with `StoreError` "the SQLite driver better-sqlite3 has no native build for
 * Node.js <version> …", naming the command that fixes it.
 * @since 0.2.0
 * @category layers
 */
export const layerSqliteClient = (filename: string): Layer.Layer<SqlClient.SqlClient, RegistryError.StoreError> => {
  const cannotOpen = (cause: Cause.Cause<unknown>) => {
    const reason = notAFolder(filename) ?? openFailureReason(cause)
    return new RegistryError.StoreError({ message: `cannot open the registry at ${filename}${reason === undefined ? "" : `: ${reason}`}` })
  }
  return Layer.unwrapEffect(
    Effect.try({
      try: () => {
        if (filename !== ":memory:") ensureFolder(dirname(filename))
        return SqliteClient.layer({ filename, prepareCacheSize: 500, prepareCacheTTL: Duration.infinity })
      },
      catch: (error) => error
    })
  ).pipe(Layer.catchAllCause((cause) =>
    Layer.fail(
      isMissingNativeBuild(cause)
        ? new RegistryError.StoreError({ message: missingNativeBuildMessage(process.versions.node) })
        : cannotOpen(cause)
    )
  ))
}

/**
 * `ModelVersions` on a SQLite file (`layerSqliteClient`, migrated). `":memory:"` gives a private in-memory registry.
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (options: Options & { readonly filename: string }): Layer.Layer<ModelVersions.ModelVersions, StoreErrors> =>
  onClient(options, layerSqliteClient(options.filename))

/**
 * A PostgreSQL `SqlClient` (`postgres://user:pass@host:port/db`; the URL is a secret and is never logged): a pool of
 * 16 connections, connect and pool-wait timeout 10 s. A server that cannot be reached fails with `StoreUnavailable`
 * "cannot connect to the PostgreSQL registry (DATABASE_URL)"; one that refuses the connection (authentication, no
 * such database) with `StoreError` and the same message.
 * @since 0.2.0
 * @category layers
 */
export const layerPgClient = (url: Redacted.Redacted<string>): Layer.Layer<SqlClient.SqlClient, StoreErrors> =>
  PgClient.layer({ url, applicationName: "mreg", maxConnections: 16, connectTimeout: Duration.seconds(10) }).pipe(
    Layer.catchAllCause((cause) => {
      const message = "cannot connect to the PostgreSQL registry (DATABASE_URL)"
      const sqlError = sqlErrorOf(cause)
      return Layer.fail(
        sqlError !== undefined && classify(sqlError) === "unreachable"
          ? unavailable(message, RETRY_AFTER_UNREACHABLE)
          : new RegistryError.StoreError({ message })
      )
    })
  )

/**
 * `ModelVersions` on PostgreSQL (`layerPgClient`, migrated). Several proxies may share one database: version
 * allocation, aliases, tags and idempotency keys stay atomic across them.
 * @since 0.1.0
 * @category layers
 */
export const layerPg = (options: Options & { readonly url: Redacted.Redacted<string> }): Layer.Layer<ModelVersions.ModelVersions, StoreErrors> =>
  onClient(options, layerPgClient(options.url))

/**
 * Where the embedded SQLite registry lives: `$MREG_HOME/registry.db`, `MREG_HOME` defaulting to `~/.mreg`.
 * @since 0.1.0
 * @category config
 */
export const sqliteFilenameConfig: Config.Config<string> = MregConfig.mregHomeOr(join(homedir(), ".mreg")).pipe(
  Config.map((home) => join(home, "registry.db"))
)

/**
 * The tenant name of FQNs: `MREG_TENANT`, default `"default"`, an FQN segment (`MregConfig.mregTenant`).
 * @since 0.1.0
 * @category config
 */
export const tenantConfig: Config.Config<string> = MregConfig.mregTenant

/**
 * The PostgreSQL URL of a shared registry: `DATABASE_URL` (Redacted, `postgres://` or `postgresql://`), if set
 * (`MregConfig.databaseUrl`).
 * @since 0.1.0
 * @category config
 */
export const databaseUrlConfig: Config.Config<Option.Option<Redacted.Redacted<string>>> = MregConfig.databaseUrl

/**
 * The embedded registry chosen by the environment: PostgreSQL when `DATABASE_URL` is set, otherwise SQLite at
 * `$MREG_HOME/registry.db`; FQN tenant from `MREG_TENANT`.
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (options: Omit<Options, "tenant"> = {}): Layer.Layer<ModelVersions.ModelVersions, StoreErrors> =>
  Layer.unwrapEffect(
    Effect.map(
      Effect.all({ url: databaseUrlConfig, filename: sqliteFilenameConfig, tenant: tenantConfig }).pipe(Effect.orDie),
      ({ filename, tenant, url }) =>
        Option.isSome(url) ? layerPg({ ...options, url: url.value, tenant }) : layerSqlite({ ...options, filename, tenant })
    )
  )
