/**
 * Webhooks in the proxy (README, "Webhooks"): with `--webhooks-file` the embedded registry writes an outbox row per
 * event and subscription, a dispatcher in a worker thread (`Webhooks.layerDispatcherWorker` of `@mreg/registry`)
 * delivers them while the server runs, and `GET /webhooks/deliveries` lists recent deliveries to admin tokens. `mreg-proxy webhooks replay
 * ID` re-queues one ({@link replay}).
 *
 * @since 0.2.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { SqlClient } from "@effect/sql"
import { RegistryError, Validation } from "@mreg/core"
import { ModelVersionsSql, Webhooks } from "@mreg/registry"
import { Console, Effect, Either, Layer, Option, type Redacted, Schema } from "effect"
import { join } from "node:path"
import * as Auth from "./Auth.js"
import * as ErrorResponse from "./ErrorResponse.js"
import { parseText, readText } from "./internal/configFile.js"
import * as Tokens from "./Tokens.js"

/**
 * Reads and validates a webhooks file (YAML or JSON). Fails with `WebhooksFileError` naming the file, entry, field,
 * rule and value received (a secret is never shown).
 * @since 0.2.0
 * @category constructors
 */
export const readFile = (path: string): Effect.Effect<Webhooks.Config, Webhooks.WebhooksFileError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const source = `the webhooks file ${path}`
    const failed = (message: string) => new Webhooks.WebhooksFileError({ message })
    const text = yield* Effect.mapError(readText(path, "webhooks file"), failed)
    const value = yield* Either.mapLeft(parseText(text, source), failed)
    return yield* Webhooks.decode(value, source)
  })

/** Where the embedded registry lives: PostgreSQL at `databaseUrl`, else SQLite at `{home}/registry.db`. @since 0.2.0 @category models */
export interface Store {
  readonly home: string
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
}

/** The store's `SqlClient`, migrated. */
const layerClient = (store: Store) =>
  Layer.provideMerge(
    ModelVersionsSql.layerMigrator,
    Option.match(store.databaseUrl, {
      onSome: ModelVersionsSql.layerPgClient,
      onNone: () => ModelVersionsSql.layerSqliteClient(join(store.home, "registry.db"))
    })
  )

const LIMIT_RULE = (issue: { readonly actual: unknown }) => `must be an integer from 1 to 500 (received ${JSON.stringify(issue.actual)})`

const Query = Schema.Struct({
  // Decimal digits only: `Number()` would also read "1e2", " 7" or "0x10".
  limit: Schema.optional(Schema.compose(
    Schema.String.pipe(Schema.pattern(/^[0-9]{1,4}$/, { message: LIMIT_RULE })),
    Schema.NumberFromString.annotations({ message: LIMIT_RULE })
  ).pipe(
    Schema.int({ message: LIMIT_RULE }),
    Schema.between(1, 500, { message: LIMIT_RULE })
  )),
  status: Schema.optional(Schema.Literal("pending", "delivering", "delivered", "failed")),
  subscription: Schema.optional(Schema.String)
})

/** The path of the deliveries route: served by {@link routes} with webhooks, by {@link layerOff} without. */
const PATH = "/webhooks/deliveries"

/** `GET /webhooks/deliveries?limit=50&status=failed&subscription=audit`: admin tokens only (401 without a token, 403 without admin). */
const routes = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const tokens = yield* Tokens.Tokens
    const sql = yield* SqlClient.SqlClient
    yield* router.get(
      PATH,
      Effect.gen(function*() {
        const grant = yield* Auth.authenticate(tokens)
        if (!grant.admin) return yield* Effect.fail(Auth.forbidden(grant, "is not an admin: the tokens file must say admin: true for it"))
        const query = yield* HttpServerRequest.schemaSearchParams(Query, { errors: "all" }).pipe(
          Effect.mapError((error) => Validation.fromParseError(error, ["query"]))
        )
        const data = yield* Webhooks.deliveries({ limit: query.limit ?? 50, status: query.status, subscription: query.subscription })
        return ErrorResponse.json(200, { data })
      }).pipe(
        Effect.provideService(SqlClient.SqlClient, sql),
        Effect.catchAll((error: RegistryError.RegistryError) => Effect.succeed(ErrorResponse.fromError(error)))
      )
    )
  })
)

/**
 * `GET /webhooks/deliveries` without a webhooks file (upstream mode, or the embedded registry started without one):
 * 404 `NOT_FOUND` for every caller, saying how to turn webhooks on. The server registers it unless webhooks are on.
 * @since 0.2.0
 * @category layers
 */
export const layerOff = HttpApiBuilder.Router.use((router) =>
  router.get(
    PATH,
    Effect.succeed(ErrorResponse.fromError(
      new RegistryError.NotFound({
        message: `no route for GET ${PATH}: webhooks are off (start mreg-proxy with --webhooks-file or MREG_WEBHOOKS_FILE to deliver and list them)`
      })
    ))
  )
)

/** The store as the dispatcher's worker thread opens it. */
const workerStore = (store: Store): Webhooks.Store =>
  Option.match(store.databaseUrl, {
    onSome: (url) => ({ _tag: "Pg", url }),
    onNone: () => ({ _tag: "Sqlite" })
  })

/**
 * The start's line saying which webhooks file was read and the names of its subscriptions (never their URLs or
 * secrets), before `listening`: an operator sees that the file was the one meant without sending a write.
 */
const loaded = (file: string) => (config: Webhooks.Config) =>
  Effect.logInfo("webhooks loaded").pipe(Effect.annotateLogs({
    component: "webhooks",
    file,
    subscriptions: config.subscriptions.map((subscription) => subscription.name)
  }))

/**
 * The embedded registry with webhooks: `ModelVersions` writing the outbox, the dispatcher running in a worker thread
 * for the layer's lifetime, and the deliveries route; logs `webhooks loaded` with the file and the subscriptions' names.
 * Fails with `WebhooksFileError` or a store error.
 * @since 0.2.0
 * @category layers
 */
export const layerEmbedded = (store: Store & { readonly tenant: string; readonly webhooksFile: string }) =>
  Layer.unwrapEffect(Effect.map(Effect.tap(readFile(store.webhooksFile), loaded(store.webhooksFile)), (config) => {
    const outbox = Webhooks.makeOutbox(config)
    return Layer.mergeAll(
      ModelVersionsSql.layer({ tenant: store.tenant, webhooks: outbox }),
      Webhooks.layerDispatcherWorker(outbox, workerStore(store)),
      routes
    ).pipe(Layer.provideMerge(layerClient(store)))
  }))

/** Which registry a command used, for its messages: the SQLite file, never a PostgreSQL URL. */
const describeStore = (store: Store) =>
  Option.match(store.databaseUrl, {
    onSome: () => "PostgreSQL at --database-url (DATABASE_URL)",
    onNone: () => `${join(store.home, "registry.db")}, from --home or MREG_HOME`
  })

/** A SQLite registry file that is not there: replay would otherwise create an empty one. */
const missingSqlite = (store: Store) =>
  Option.isSome(store.databaseUrl)
    ? Effect.succeed(false)
    : Effect.flatMap(FileSystem.FileSystem, (fs) => fs.exists(join(store.home, "registry.db"))).pipe(
      Effect.map((exists) => !exists),
      Effect.orElseSucceed(() => false)
    )

/**
 * `mreg-proxy webhooks replay ID`: re-queues a delivered or failed delivery on the store and prints one line. Fails
 * with `ReplayError` (no registry file at `--home`, unknown id, still pending or in flight; the message names the
 * registry it looked in, so a replay pointed at the wrong `--home` says so) or a store error.
 * @since 0.2.0
 * @category commands
 */
export const replay = (store: Store, id: string) =>
  Effect.flatMap(missingSqlite(store), (missing) =>
    missing
      ? Effect.fail(new Webhooks.ReplayError({ message: `no registry at ${describeStore(store)}: give the --home of the proxy` }))
      : Webhooks.replay(id).pipe(
        Effect.catchTag("ReplayError", (error) =>
          Effect.fail(new Webhooks.ReplayError({ message: `${error.message} (registry: ${describeStore(store)})` }))),
        Effect.zipRight(Console.log(`webhook delivery ${id} is queued again`)),
        Effect.provide(layerClient(store))
      ))
