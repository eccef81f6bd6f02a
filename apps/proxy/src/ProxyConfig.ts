/**
 * The configuration of `mreg-proxy` (flags and environment variables: README, "Configuration"; `mreg-proxy --help`)
 * and the rules that stop it from starting unsafely: without a tokens file the proxy refuses to start unless
 * `--insecure-no-auth` (loopback `HOST` only, not with a tokens file) — or in upstream mode without
 * `--upstream-token`, where each caller's bearer token is required and checked by the upstream (pass-through).
 *
 * @since 0.1.0
 */
import { MregConfig } from "@mreg/core"
import { Data, Either, Option, Redacted } from "effect"

/** The resolved configuration. @since 0.1.0 @category models */
export interface ProxyConfig {
  readonly host: string
  readonly port: number
  readonly tokensFile: Option.Option<string>
  readonly insecureNoAuth: boolean
  readonly maxBodyBytes: number
  /** Seconds for the request headers to arrive. */
  readonly headerTimeout: number
  /** Seconds for the whole request (headers and body) to arrive. */
  readonly bodyTimeout: number
  readonly upstream: Option.Option<string>
  readonly upstreamToken: Option.Option<Redacted.Redacted<string>>
  readonly upstreamTimeoutMs: number
  readonly upstreamRetries: number
  readonly home: string
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
  readonly tenant: string
  /** Webhooks file (YAML or JSON): subscriptions and delivery settings; embedded registry only (default none). @since 0.2.0 */
  readonly webhooksFile?: Option.Option<string> | undefined
  /** Serve `GET /metrics` (default `true`; `--no-metrics` turns it off). @since 0.2.0 */
  readonly metrics?: boolean | undefined
  /** Bearer token `/metrics` asks for (`--metrics-token`, `MREG_METRICS_TOKEN`); without one it is open. @since 0.2.0 */
  readonly metricsToken?: Option.Option<Redacted.Redacted<string>> | undefined
}

/** A configuration the proxy refuses to start with; `message` says why and what to do (never a secret). @since 0.1.0 @category errors */
export class ProxyConfigError extends Data.TaggedError("ProxyConfigError")<{ readonly message: string }> {}

/** Whether a host name or address is loopback: `localhost`, `127.0.0.0/8`, `::1`. @since 0.1.0 @category predicates */
export const isLoopback = (host: string): boolean => {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1")
  return h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1" || /^127(?:\.\d{1,3}){3}$/.test(h) || h === "::ffff:127.0.0.1"
}

const fail = (message: string) => Either.left(new ProxyConfigError({ message }))

const SECONDS = "an integer number of seconds from 1 to 3600"

/** The integer settings: flag, environment variable and range (`MregConfig.IntegerRange`, its rule in words). */
const integerRules = {
  port: { flag: "--port", env: "PORT", min: 0, max: 65535 },
  maxBodyBytes: { flag: "--max-body-bytes", env: "MREG_MAX_BODY_BYTES", min: 1, rule: "a positive integer" },
  headerTimeout: { flag: "--header-timeout", env: "MREG_HEADER_TIMEOUT", min: 1, max: 3600, rule: SECONDS },
  bodyTimeout: { flag: "--body-timeout", env: "MREG_BODY_TIMEOUT", min: 1, max: 3600, rule: SECONDS },
  upstreamTimeoutMs: { flag: "--upstream-timeout-ms", env: "MREG_UPSTREAM_TIMEOUT_MS", min: 1, rule: "a positive integer" },
  upstreamRetries: { flag: "--upstream-retries", env: "MREG_UPSTREAM_RETRIES", min: 0, max: 10 }
} as const satisfies Record<string, MregConfig.IntegerRange & { readonly flag: string; readonly env: string }>

/** `MregConfig.integerSetting` of the setting `key`, named `--flag (ENV)`. */
const checkInteger = (key: keyof typeof integerRules, input: string | number): Either.Either<number, ProxyConfigError> => {
  const rule = integerRules[key]
  return Either.mapLeft(MregConfig.integerSetting(input, `${rule.flag} (${rule.env})`, rule), ({ message }) => new ProxyConfigError({ message }))
}

/**
 * The integer flags by name (`--port`, `--max-body-bytes`, `--header-timeout`, `--body-timeout`,
 * `--upstream-timeout-ms`, `--upstream-retries`), each with its environment variable (read when the flag is absent),
 * its range (`MregConfig.IntegerRange`), the name its messages give it (`label`: `--port (PORT)`) and the reader of
 * its text: the number, or `ProxyConfigError` naming the flag, its variable, its rule and the text received —
 * `MregConfig.integerSetting` with the ranges `validate` applies to the numbers (`--port abc`: `--port (PORT) must
 * be an integer from 0 to 65535 (received "abc")`).
 * @since 0.2.0
 * @category validation
 */
export const integerFlags: ReadonlyMap<string, MregConfig.IntegerRange & {
  readonly env: string
  readonly label: string
  readonly read: (text: string) => Either.Either<number, ProxyConfigError>
}> = new Map(
  (Object.keys(integerRules) as Array<keyof typeof integerRules>).map((key) => {
    const rule = integerRules[key]
    return [rule.flag, { ...rule, label: `${rule.flag} (${rule.env})`, read: (text: string) => checkInteger(key, text) }] as const
  })
)

/**
 * Checks a configuration against the start rules, and flag values against `MregConfig`'s rules (port, upstream URL,
 * tenant, PostgreSQL URL); returns it with the upstream URL normalized. Fails with `ProxyConfigError` on the first
 * broken rule.
 * @since 0.1.0
 * @category validation
 */
export const validate = (config: ProxyConfig): Either.Either<ProxyConfig, ProxyConfigError> => {
  if (config.host.trim().length === 0) return fail("--host (HOST) must not be empty")
  const checked = Either.all({
    port: checkInteger("port", String(config.port)),
    upstream: Either.transposeMapOption(config.upstream, (url) => MregConfig.baseUrl(url, "--upstream (TFY_HOST)")),
    tenant: MregConfig.tenantName(config.tenant, "--tenant (MREG_TENANT)"),
    databaseUrl: Either.transposeMapOption(config.databaseUrl, (url) => MregConfig.postgresUrl(url, "--database-url (DATABASE_URL)"))
  })
  if (Either.isLeft(checked)) return fail(checked.left.message)
  config = { ...config, ...checked.right }
  const integers = Either.all((["maxBodyBytes", "headerTimeout", "bodyTimeout"] as const).map((key) => checkInteger(key, config[key])))
  if (Either.isLeft(integers)) return Either.left(integers.left)
  if (config.headerTimeout > config.bodyTimeout) {
    return fail(
      `--header-timeout (${config.headerTimeout}) must not be longer than --body-timeout (${config.bodyTimeout}): the body timeout counts from the start of the request`
    )
  }
  const upstream = Either.all((["upstreamTimeoutMs", "upstreamRetries"] as const).map((key) => checkInteger(key, config[key])))
  if (Either.isLeft(upstream)) return Either.left(upstream.left)
  if (config.webhooksFile !== undefined && Option.isSome(config.webhooksFile) && Option.isSome(config.upstream)) {
    return fail("--webhooks-file (MREG_WEBHOOKS_FILE) needs the embedded registry: the upstream control plane sends its own events; drop --upstream (TFY_HOST) or the webhooks file")
  }
  if (config.metrics === false && config.metricsToken !== undefined && Option.isSome(config.metricsToken)) {
    return fail("--metrics-token (MREG_METRICS_TOKEN) guards /metrics, which --no-metrics turns off: choose one")
  }
  if (config.metricsToken !== undefined && Option.isSome(config.metricsToken) && !/^[\x21-\x7e]+$/.test(Redacted.value(config.metricsToken.value))) {
    return fail("--metrics-token (MREG_METRICS_TOKEN) must be printable ASCII without spaces, as sent in Authorization: Bearer <token> (the value is not shown)")
  }
  if (config.insecureNoAuth) {
    if (Option.isSome(config.tokensFile)) return fail("--insecure-no-auth cannot be combined with a tokens file (MREG_TOKENS_FILE / --tokens-file): choose one")
    if (!isLoopback(config.host)) {
      return fail(`--insecure-no-auth serves without authentication and binds only a loopback address (127.0.0.1, ::1, localhost); HOST is ${JSON.stringify(config.host)}`)
    }
  } else if (Option.isNone(config.tokensFile)) {
    if (Option.isNone(config.upstream)) {
      return fail(
        "no tokens file: set MREG_TOKENS_FILE or --tokens-file (see examples/tokens.yaml), or pass --insecure-no-auth to serve without authentication on loopback"
      )
    }
    if (Option.isSome(config.upstreamToken)) {
      return fail(
        "--upstream-token (TFY_API_KEY) would let any caller act with that token: give a tokens file (MREG_TOKENS_FILE / --tokens-file) to say who may call, or pass --insecure-no-auth on loopback"
      )
    }
  }
  return Either.right(config)
}
