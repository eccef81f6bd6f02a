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
    port: MregConfig.portNumber(String(config.port), "--port (PORT)"),
    upstream: Either.transposeMapOption(config.upstream, (url) => MregConfig.baseUrl(url, "--upstream (TFY_HOST)")),
    tenant: MregConfig.tenantName(config.tenant, "--tenant (MREG_TENANT)"),
    databaseUrl: Either.transposeMapOption(config.databaseUrl, (url) => MregConfig.postgresUrl(url, "--database-url (DATABASE_URL)"))
  })
  if (Either.isLeft(checked)) return fail(checked.left.message)
  config = { ...config, ...checked.right }
  if (!Number.isInteger(config.maxBodyBytes) || config.maxBodyBytes < 1) {
    return fail(`--max-body-bytes must be a positive integer (received ${config.maxBodyBytes})`)
  }
  for (const [flag, value] of [["--header-timeout (MREG_HEADER_TIMEOUT)", config.headerTimeout], ["--body-timeout (MREG_BODY_TIMEOUT)", config.bodyTimeout]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 3600) return fail(`${flag} must be an integer number of seconds from 1 to 3600 (received ${value})`)
  }
  if (config.headerTimeout > config.bodyTimeout) {
    return fail(
      `--header-timeout (${config.headerTimeout}) must not be longer than --body-timeout (${config.bodyTimeout}): the body timeout counts from the start of the request`
    )
  }
  if (!Number.isInteger(config.upstreamTimeoutMs) || config.upstreamTimeoutMs < 1) {
    return fail(`--upstream-timeout-ms must be a positive integer (received ${config.upstreamTimeoutMs})`)
  }
  if (!Number.isInteger(config.upstreamRetries) || config.upstreamRetries < 0 || config.upstreamRetries > 10) {
    return fail(`--upstream-retries must be an integer from 0 to 10 (received ${config.upstreamRetries})`)
  }
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
