/**
 * The environment of mreg, read in one place: the CLI, the proxy and the client read these variables through this
 * module, with the same rules and the same messages.
 *
 * | variable | default | rule |
 * | --- | --- | --- |
 * | `TFY_HOST` | — (the embedded registry) | control-plane base URL: `http://` or `https://`, a host, an optional path; no user name or password, query or fragment; trailing `/` removed |
 * | `TFY_API_KEY` | — | bearer token of the control plane; `Redacted`, never shown |
 * | `MREG_HOME` | `~/.mreg` (given by the caller: core does not read the OS) | folder of the embedded SQLite registry (`registry.db` inside) |
 * | `MREG_TENANT` | `default` | tenant in FQNs (`model:{tenant}/…`): the rule of an ML repo name — 1–512 characters, letters, digits and `-`, starting and ending with a letter or digit |
 * | `DATABASE_URL` | — (SQLite) | PostgreSQL URL of the embedded registry: `postgres://` or `postgresql://`; `Redacted`, never shown |
 * | `HOST` | `127.0.0.1` | listen address of a server; not empty |
 * | `PORT` | `8080` | listen port of a server: an integer from 0 to 65535 (`0`: any free port) |
 *
 * A variable set to the empty string (or only spaces) counts as unset. A bad value fails with a `ConfigError` whose
 * message names the variable, the rule and the received value — except for secrets, whose value never appears in a
 * message, and URLs, whose user name and password are masked. {@link message} renders any `ConfigError` as text.
 *
 * The same rules check values given as flags or options: {@link baseUrl}, {@link tenantName}, {@link postgresUrl}.
 *
 * @since 0.1.0
 */
import { Config, ConfigError, Data, Either, Option, Redacted, Schema } from "effect"
import { received } from "./internal/text.js"
import { MlRepoName } from "./ModelManifest.js"

/**
 * A setting that breaks its rule: `name` is the variable, flag or option, `message` a sentence naming it, the rule
 * and the received value (never a secret).
 * @since 0.1.0
 * @category errors
 */
export class InvalidSetting extends Data.TaggedError("InvalidSetting")<{ readonly name: string; readonly message: string }> {}

const invalid = (name: string, message: string) => Either.left(new InvalidSetting({ name, message }))

/** `scheme://user:password@host` → `scheme://***@host` (up to the last `@`), so that a message never shows credentials. */
const maskCredentials = (text: string): string => text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/+)?[\s\S]*@/, "$1***@")

/**
 * The one URL rule of a control-plane base URL (`TFY_HOST`, `--host`, `host`): `http://` or `https://`, a host, an
 * optional path; no user name or password, no query, no fragment. Surrounding spaces and trailing slashes are
 * removed, the path is kept: `https://acme.example.com/tfy/` → `https://acme.example.com/tfy`. Fails with
 * {@link InvalidSetting} naming `name`; a URL with credentials is refused without showing it.
 * @since 0.1.0
 * @category validation
 */
export const baseUrl = (input: string, name: string): Either.Either<string, InvalidSetting> => {
  const text = input.trim()
  const rule = `${name} must be an http(s) URL such as https://acme.truefoundry.cloud`
  let url: URL
  try {
    if (!/^https?:\/\/[^\s/?#]/i.test(text) || /\s/.test(text)) throw new TypeError()
    url = new URL(text)
  } catch {
    return invalid(name, `${rule} (received ${received(maskCredentials(text))})`)
  }
  if (url.username !== "" || url.password !== "") {
    return invalid(name, `${name} must not contain a user name or password: give the token as the API key (the value is not shown)`)
  }
  if (url.search !== "" || url.hash !== "" || /[?#]/.test(text)) {
    return invalid(name, `${name} must be a base URL without a query or fragment (received ${received(text.replace(/[?#][\s\S]*$/, "?…"))})`)
  }
  return Either.right(`${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`)
}

const isTenant = Schema.is(MlRepoName)

/**
 * The tenant rule (`MREG_TENANT`, `--tenant`, `tenant`): an FQN segment, with the rule of an ML repo name — 1–512
 * characters, letters, digits and `-`, starting and ending with a letter or digit — so that every FQN formatted
 * with it parses back. Fails with {@link InvalidSetting} naming `name`, the rule and the received value.
 * @since 0.1.0
 * @category validation
 */
export const tenantName = (input: string, name: string): Either.Either<string, InvalidSetting> =>
  isTenant(input) ? Either.right(input) : invalid(
    name,
    `${name} must be 1–512 letters, digits and "-", starting and ending with a letter or digit (an FQN segment, like an ML repo name) (received ${received(input)})`
  )

/**
 * The PostgreSQL URL rule (`DATABASE_URL`, `--database-url`, `databaseUrl`): `postgres://` or `postgresql://`.
 * Fails with {@link InvalidSetting} naming `name` and the rule; the value, a secret, is never shown.
 * @since 0.1.0
 * @category validation
 */
export const postgresUrl = (
  input: Redacted.Redacted<string>,
  name: string
): Either.Either<Redacted.Redacted<string>, InvalidSetting> =>
  /^postgres(?:ql)?:\/\/\S+$/i.test(Redacted.value(input).trim())
    ? Either.right(input)
    : invalid(name, `${name} must be a postgres:// or postgresql:// URL (the value is secret and not shown)`)

/** A variable read as text; empty or only spaces is unset. */
const optionalText = (name: string): Config.Config<Option.Option<string>> =>
  Config.option(Config.string(name)).pipe(Config.map(Option.filter((text) => text.trim().length > 0)))

/** A secret variable; empty or only spaces is unset. */
const optionalSecret = (name: string): Config.Config<Option.Option<Redacted.Redacted<string>>> =>
  Config.option(Config.redacted(name)).pipe(Config.map(Option.filter((secret) => Redacted.value(secret).trim().length > 0)))

const check = <A, B>(f: (a: A) => Either.Either<B, InvalidSetting>) => (a: A): Either.Either<B, ConfigError.ConfigError> =>
  Either.mapLeft(f(a), (error) => ConfigError.InvalidData([error.name], error.message))

const checkOption = <A, B>(f: (a: A) => Either.Either<B, InvalidSetting>) =>
(option: Option.Option<A>): Either.Either<Option.Option<B>, ConfigError.ConfigError> => Either.transposeMapOption(option, check(f))

/**
 * `TFY_HOST`: the control-plane base URL (see {@link baseUrl}), normalized; `None` when unset.
 * @since 0.1.0
 * @category config
 */
export const tfyHost: Config.Config<Option.Option<string>> = optionalText("TFY_HOST").pipe(
  Config.mapOrFail(checkOption((text: string) => baseUrl(text, "TFY_HOST")))
)

/**
 * `TFY_API_KEY`: the control plane's bearer token, `Redacted`; `None` when unset.
 * @since 0.1.0
 * @category config
 */
export const tfyApiKey: Config.Config<Option.Option<Redacted.Redacted<string>>> = optionalSecret("TFY_API_KEY")

/**
 * `MREG_HOME`: the folder of the embedded SQLite registry; `None` when unset (the caller defaults it, e.g. to
 * `~/.mreg` with {@link mregHomeOr}: core does not read the OS home folder).
 * @since 0.1.0
 * @category config
 */
export const mregHome: Config.Config<Option.Option<string>> = optionalText("MREG_HOME")

/**
 * `MREG_HOME`, or `fallback` (`join(homedir(), ".mreg")` at a Node edge) when unset.
 * @since 0.1.0
 * @category config
 */
export const mregHomeOr = (fallback: string): Config.Config<string> =>
  Config.map(mregHome, Option.getOrElse(() => fallback))

/**
 * The tenant when `MREG_TENANT` is unset.
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_TENANT = "default"

/**
 * `MREG_TENANT`: the tenant in FQNs (see {@link tenantName}), default {@link DEFAULT_TENANT}.
 * @since 0.1.0
 * @category config
 */
export const mregTenant: Config.Config<string> = optionalText("MREG_TENANT").pipe(
  Config.mapOrFail((option) =>
    Option.match(option, {
      onNone: () => Either.right(DEFAULT_TENANT),
      onSome: check((text: string) => tenantName(text, "MREG_TENANT"))
    })
  )
)

/**
 * `DATABASE_URL`: the PostgreSQL URL of the embedded registry (see {@link postgresUrl}), `Redacted`; `None` when
 * unset (the registry is then SQLite).
 * @since 0.1.0
 * @category config
 */
export const databaseUrl: Config.Config<Option.Option<Redacted.Redacted<string>>> = optionalSecret("DATABASE_URL").pipe(
  Config.mapOrFail(checkOption((secret: Redacted.Redacted<string>) => postgresUrl(secret, "DATABASE_URL")))
)

/**
 * The listen address when `HOST` is unset.
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_HOST = "127.0.0.1"

/**
 * `HOST`: the listen address of a server, default {@link DEFAULT_HOST}.
 * @since 0.1.0
 * @category config
 */
export const host: Config.Config<string> = Config.map(optionalText("HOST"), (option) =>
  Option.getOrElse(Option.map(option, (text) => text.trim()), () => DEFAULT_HOST))

/**
 * The listen port when `PORT` is unset.
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_PORT = 8080

/**
 * The range of an integer setting: `min` to `max` inclusive (no `max`: no upper bound), and the rule in words when
 * the default (`an integer from {min} to {max}`, `an integer, {min} or more`) does not fit (`a positive integer`).
 * @since 0.2.0
 * @category models
 */
export interface IntegerRange {
  readonly min: number
  readonly max?: number | undefined
  readonly rule?: string | undefined
}

/**
 * What an integer setting takes, in words: the range's `rule`, else `an integer from 1 to 1000` or
 * `an integer, 0 or more`.
 * @since 0.2.0
 * @category validation
 */
export const integerRule = (range: IntegerRange): string =>
  range.rule ?? (range.max === undefined ? `an integer, ${range.min} or more` : `an integer from ${range.min} to ${range.max}`)

/**
 * The one rule of an integer setting (a variable, a flag or an option: `PORT`, `--port`, `--limit`, …): decimal
 * digits with an optional leading `-`, surrounding spaces ignored — no `+`, no `-0`, no exponent (`1e3`), no hex
 * (`0x10`), no fraction, not empty — a safe integer within `range`. A number (a value already parsed) passes when
 * it is a safe integer within `range`. Fails with {@link InvalidSetting}: `{name} must be {rule} (received {input})`
 * — the text received quoted, a number as it is — the same message whatever is wrong.
 * @since 0.2.0
 * @category validation
 */
export const integerSetting = (input: string | number, name: string, range: IntegerRange): Either.Either<number, InvalidSetting> => {
  const text = typeof input === "string" ? input.trim() : undefined
  const value = text === undefined ? input as number : /^-?\d+$/.test(text) && !/^-0+$/.test(text) ? Number(text) : Number.NaN
  return Number.isSafeInteger(value) && value >= range.min && (range.max === undefined || value <= range.max)
    ? Either.right(value)
    : invalid(name, `${name} must be ${integerRule(range)} (received ${received(input)})`)
}

/**
 * The port rule (`PORT`, `--port`): an integer from 0 to 65535, `0` meaning any free port ({@link integerSetting}).
 * @since 0.1.0
 * @category validation
 */
export const portNumber = (input: string, name: string): Either.Either<number, InvalidSetting> => integerSetting(input, name, { min: 0, max: 65535 })

/**
 * `PORT`: the listen port of a server (see {@link portNumber}), default {@link DEFAULT_PORT}.
 * @since 0.1.0
 * @category config
 */
export const port: Config.Config<number> = optionalText("PORT").pipe(
  Config.mapOrFail((option) =>
    Option.match(option, {
      onNone: () => Either.right(DEFAULT_PORT),
      onSome: check((text: string) => portNumber(text, "PORT"))
    })
  )
)

/**
 * Every variable, resolved.
 * @since 0.1.0
 * @category models
 */
export interface MregConfig {
  readonly tfyHost: Option.Option<string>
  readonly tfyApiKey: Option.Option<Redacted.Redacted<string>>
  readonly mregHome: string
  readonly mregTenant: string
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
  readonly host: string
  readonly port: number
}

/**
 * Every variable at once; `MREG_HOME` defaults to `defaultHome`. Fails with the first bad variable.
 * @since 0.1.0
 * @category config
 */
export const all = (options: { readonly defaultHome: string }): Config.Config<MregConfig> =>
  Config.all({
    tfyHost,
    tfyApiKey,
    mregHome: mregHomeOr(options.defaultHome),
    mregTenant,
    databaseUrl,
    host,
    port
  })

/**
 * The embedded registry's variables: `MREG_HOME` (default `defaultHome`), `MREG_TENANT`, `DATABASE_URL`.
 * @since 0.1.0
 * @category config
 */
export const embedded = (options: { readonly defaultHome: string }): Config.Config<{
  readonly home: string
  readonly tenant: string
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
}> => Config.all({ home: mregHomeOr(options.defaultHome), tenant: mregTenant, databaseUrl })

/**
 * The control plane's variables: `TFY_HOST` and `TFY_API_KEY`.
 * @since 0.1.0
 * @category config
 */
export const remote: Config.Config<{
  readonly host: Option.Option<string>
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
}> = Config.all({ host: tfyHost, apiKey: tfyApiKey })

/**
 * A `ConfigError` as text for people: the messages of its bad values (each naming its variable), then
 * `X is required` for each missing one, separated by `; `.
 * @since 0.1.0
 * @category formatting
 */
export const message = (error: ConfigError.ConfigError): string => {
  const lines: Array<string> = []
  const visit = (e: ConfigError.ConfigError): void => {
    switch (e._op) {
      case "And":
      case "Or":
        visit(e.left)
        visit(e.right)
        return
      case "InvalidData":
        lines.push(e.message)
        return
      case "MissingData":
        lines.push(`${e.path.join(".")} is required`)
        return
      case "SourceUnavailable":
      case "Unsupported":
        lines.push(`cannot read ${e.path.join(".")}: ${e.message}`)
        return
    }
  }
  visit(error)
  return [...new Set(lines)].join("; ")
}
