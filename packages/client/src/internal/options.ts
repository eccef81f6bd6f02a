/**
 * Turns `createClient` options plus the environment into the registry the client talks to.
 * @internal
 */
import type { ModelVersions, RegistryError } from "@mreg/core"
import * as Http from "@mreg/core/ModelVersions/Http"
import { SqlRegistry } from "@mreg/registry"
import { Config, Duration, Effect, type Layer, Option, Redacted } from "effect"
import { join, resolve as resolvePath } from "node:path"
import type { ClientOptions, Target } from "../Client.js"

/** What a client runs on: where (for people) and the `ModelVersions` layer. */
export interface Resolved {
  readonly target: Target
  readonly layer: Layer.Layer<ModelVersions.ModelVersions, RegistryError.StoreError | RegistryError.StoreUnavailable>
}

const env = Config.all({
  host: Config.option(Config.string("TFY_HOST")),
  apiKey: Config.option(Config.redacted("TFY_API_KEY")),
  databaseUrl: SqlRegistry.databaseUrlConfig,
  filename: SqlRegistry.sqliteFilenameConfig,
  tenant: SqlRegistry.tenantConfig
})

/** An environment variable set to the empty string counts as unset. */
const nonEmpty = <A>(option: Option.Option<A>, text: (a: A) => string): Option.Option<A> =>
  Option.filter(option, (a) => text(a).length > 0)

const fail = (message: string): never => {
  throw new TypeError(`createClient: ${message}`)
}

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

const HTTP_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/

/**
 * Resolves options and environment (`TFY_HOST`, `TFY_API_KEY`, `MREG_HOME`, `DATABASE_URL`, `MREG_TENANT`).
 * Throws a `TypeError` naming the option or variable when one is unusable.
 */
export const resolve = (options: ClientOptions | undefined): Resolved => {
  if (options !== undefined && (typeof options !== "object" || options === null)) fail("options must be an object")
  const given = (options ?? {}) as Record<string, unknown>
  const vars = Effect.runSync(Effect.orDie(env))
  const embedded = given.embedded

  if (embedded !== undefined && embedded !== false) {
    for (const key of ["host", "apiKey", "prefix", "timeoutMs", "retries", "retryDelayMs"]) {
      if (given[key] !== undefined) fail(`"${key}" is an option of a remote client and cannot be combined with "embedded"`)
    }
    const opts = (embedded === true ? {} : embedded) as Record<string, unknown>
    if (typeof opts !== "object" || opts === null) fail("embedded must be an object or true")
    const home = optionalString(opts.home, "embedded.home")
    const databaseUrl = optionalString(opts.databaseUrl, "embedded.databaseUrl")
    const tenant = optionalString(opts.tenant, "embedded.tenant") ?? vars.tenant
    if (home !== undefined && databaseUrl !== undefined) fail("give embedded.home (SQLite) or embedded.databaseUrl (PostgreSQL), not both")
    return embeddedStore({ home, databaseUrl, tenant, vars })
  }

  const explicitHost = optionalString(given.host, "host")
  const envHost = Option.getOrUndefined(nonEmpty(vars.host, (s) => s))
  const host = explicitHost ?? envHost
  const apiKey = optionalString(given.apiKey, "apiKey")
  if (host === undefined) {
    if (apiKey !== undefined) fail("apiKey was given without a host: pass host or set TFY_HOST")
    return embeddedStore({ home: undefined, databaseUrl: undefined, tenant: vars.tenant, vars })
  }
  if (!HTTP_URL.test(host)) {
    fail(`${explicitHost !== undefined ? "host" : "TFY_HOST"} must be an http(s) URL such as https://acme.truefoundry.cloud (received ${JSON.stringify(host)})`)
  }
  const prefix = optionalString(given.prefix, "prefix")
  if (prefix !== undefined && !/^\/[^\s?#]*$/.test(prefix)) fail(`prefix must be a path starting with "/" (received ${JSON.stringify(prefix)})`)
  const timeoutMs = optionalNumber(given.timeoutMs, "timeoutMs", (n) => Number.isFinite(n) && n > 0, "a number of milliseconds > 0")
  const retries = optionalNumber(given.retries, "retries", (n) => Number.isSafeInteger(n) && n >= 0, "an integer ≥ 0")
  const retryDelayMs = optionalNumber(given.retryDelayMs, "retryDelayMs", (n) => Number.isFinite(n) && n >= 0, "a number of milliseconds ≥ 0")
  const key = apiKey !== undefined ? Redacted.make(apiKey) : Option.getOrUndefined(nonEmpty(vars.apiKey, Redacted.value))
  const baseUrl = host.replace(/\/+$/, "")
  return {
    target: { mode: "remote", host: baseUrl },
    layer: Http.layerFetch({
      baseUrl,
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
  readonly databaseUrl: string | undefined
  readonly tenant: string
  readonly vars: Effect.Effect.Success<typeof env>
}): Resolved => {
  const { databaseUrl, home, tenant, vars } = input
  if (databaseUrl !== undefined) {
    return { target: { mode: "embedded", store: "postgresql", tenant }, layer: SqlRegistry.layerPg({ url: Redacted.make(databaseUrl), tenant }) }
  }
  if (home === undefined) {
    const url = nonEmpty(vars.databaseUrl, Redacted.value)
    if (Option.isSome(url)) {
      return { target: { mode: "embedded", store: "postgresql", tenant }, layer: SqlRegistry.layerPg({ url: url.value, tenant }) }
    }
  }
  const filename = home === undefined ? resolvePath(vars.filename) : join(resolvePath(home), "registry.db")
  return { target: { mode: "embedded", store: "sqlite", filename, tenant }, layer: SqlRegistry.layerSqlite({ filename, tenant }) }
}
