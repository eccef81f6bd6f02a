/**
 * Turns `createClient` options plus the environment into the registry the client talks to.
 * @internal
 */
import { type ModelVersions, MregConfig, type RegistryError } from "@mreg/core"
import * as Http from "@mreg/core/ModelVersions/Http"
import { ModelVersionsSql } from "@mreg/registry"
import { type Config, Duration, Effect, Either, type Layer, Option, Redacted } from "effect"
import { join, resolve as resolvePath } from "node:path"
import type { ClientOptions, Target } from "../Client.js"

/** What a client runs on: where (for people) and the `ModelVersions` layer. */
export interface Resolved {
  readonly target: Target
  readonly layer: Layer.Layer<ModelVersions.ModelVersions, RegistryError.StoreError | RegistryError.StoreUnavailable>
  /** The `traceparent` option, checked. */
  readonly traceparent?: string | undefined
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/

const fail = (message: string): never => {
  throw new TypeError(`createClient: ${message}`)
}

/** Reads one setting of the environment (`MregConfig`: empty counts as unset); throws naming a bad variable. */
const env = <A>(config: Config.Config<A>): A =>
  Either.getOrElse(Effect.runSync(Effect.either(config)), (error) => fail(MregConfig.message(error)))

/** Checks an option with one of `MregConfig`'s rules; throws its message. */
const checked = <A>(result: Either.Either<A, MregConfig.InvalidSetting>): A =>
  Either.getOrElse(result, (error) => fail(error.message))

const optionalString = (value: unknown, name: string): string | undefined => {
  if (value === undefined) return undefined
  if (typeof value !== "string" || value.length === 0) return fail(`${name} must be a non-empty string`)
  return value
}

const optionalNumber = (value: unknown, name: string, check: (n: number) => boolean, rule: string): number | undefined => {
  if (value === undefined) return undefined
  if (typeof value !== "number" || !check(value)) return fail(`${name} must be ${rule} (received ${String(value)})`)
  return value
}

/**
 * Resolves options and environment (`TFY_HOST`, `TFY_API_KEY`, `MREG_HOME`, `DATABASE_URL`, `MREG_TENANT`).
 * Throws a `TypeError` naming the option or variable when one is unusable.
 */
export const resolve = (options: ClientOptions | undefined): Resolved => {
  if (options !== undefined && (typeof options !== "object" || options === null)) fail("options must be an object")
  const traceparent = (options as Record<string, unknown> | undefined)?.traceparent
  if (traceparent !== undefined && (typeof traceparent !== "string" || !TRACEPARENT.test(traceparent))) {
    fail(`traceparent must be a W3C traceparent, 00-{32 hex}-{16 hex}-{2 hex} (received ${JSON.stringify(traceparent)})`)
  }
  return { ...resolveStore(options), traceparent: traceparent as string | undefined }
}

const resolveStore = (options: ClientOptions | undefined): Resolved => {
  const given = (options ?? {}) as Record<string, unknown>
  const embedded = given.embedded

  if (embedded !== undefined && embedded !== false) {
    for (const key of ["host", "apiKey", "prefix", "timeoutMs", "retries", "retryDelayMs"]) {
      if (given[key] !== undefined) fail(`"${key}" is an option of a remote client and cannot be combined with "embedded"`)
    }
    const opts = (embedded === true ? {} : embedded) as Record<string, unknown>
    if (typeof opts !== "object" || opts === null) fail("embedded must be an object or true")
    const home = optionalString(opts.home, "embedded.home")
    const databaseUrl = optionalString(opts.databaseUrl, "embedded.databaseUrl")
    const tenant = optionalString(opts.tenant, "embedded.tenant")
    if (home !== undefined && databaseUrl !== undefined) fail("give embedded.home (SQLite) or embedded.databaseUrl (PostgreSQL), not both")
    return embeddedStore({
      home,
      databaseUrl: databaseUrl === undefined ? undefined : checked(MregConfig.postgresUrl(Redacted.make(databaseUrl), "embedded.databaseUrl")),
      tenant: tenant === undefined ? env(MregConfig.mregTenant) : checked(MregConfig.tenantName(tenant, "embedded.tenant"))
    })
  }

  const explicitHost = optionalString(given.host, "host")
  const host = explicitHost !== undefined ? checked(MregConfig.baseUrl(explicitHost, "host")) : Option.getOrUndefined(env(MregConfig.tfyHost))
  const apiKey = optionalString(given.apiKey, "apiKey")
  if (host === undefined) {
    if (apiKey !== undefined) fail("apiKey was given without a host: pass host or set TFY_HOST")
    return embeddedStore({ home: undefined, databaseUrl: undefined, tenant: env(MregConfig.mregTenant) })
  }
  const prefix = optionalString(given.prefix, "prefix")
  if (prefix !== undefined && !/^\/[^\s?#]*$/.test(prefix)) fail(`prefix must be a path starting with "/" (received ${JSON.stringify(prefix)})`)
  const timeoutMs = optionalNumber(given.timeoutMs, "timeoutMs", (n) => Number.isFinite(n) && n > 0, "a number of milliseconds > 0")
  const retries = optionalNumber(given.retries, "retries", (n) => Number.isSafeInteger(n) && n >= 0, "an integer ≥ 0")
  const retryDelayMs = optionalNumber(given.retryDelayMs, "retryDelayMs", (n) => Number.isFinite(n) && n >= 0, "a number of milliseconds ≥ 0")
  const key = apiKey !== undefined ? Redacted.make(apiKey) : Option.getOrUndefined(env(MregConfig.tfyApiKey))
  return {
    target: { mode: "remote", host },
    layer: Http.layerFetch({
      baseUrl: host,
      apiKey: key,
      prefix,
      timeout: timeoutMs === undefined ? undefined : Duration.millis(timeoutMs),
      retries,
      retryBaseDelay: retryDelayMs === undefined ? undefined : Duration.millis(retryDelayMs)
    })
  }
}

const embeddedStore = (input: {
  readonly home: string | undefined
  readonly databaseUrl: Redacted.Redacted<string> | undefined
  readonly tenant: string
}): Resolved => {
  const { home, tenant } = input
  const databaseUrl = input.databaseUrl ?? (home === undefined ? Option.getOrUndefined(env(MregConfig.databaseUrl)) : undefined)
  if (databaseUrl !== undefined) {
    return { target: { mode: "embedded", store: "postgresql", tenant }, layer: ModelVersionsSql.layerPg({ url: databaseUrl, tenant }) }
  }
  const filename = home === undefined ? resolvePath(env(ModelVersionsSql.sqliteFilenameConfig)) : join(resolvePath(home), "registry.db")
  return { target: { mode: "embedded", store: "sqlite", filename, tenant }, layer: ModelVersionsSql.layerSqlite({ filename, tenant }) }
}
