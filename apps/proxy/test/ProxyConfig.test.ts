import { assert, describe, it } from "@effect/vitest"
import { Either, Option, Redacted } from "effect"
import * as ProxyConfig from "../src/ProxyConfig.js"

const config = (fields: Partial<ProxyConfig.ProxyConfig> = {}): ProxyConfig.ProxyConfig => ({
  host: "127.0.0.1",
  port: 8080,
  tokensFile: Option.some("tokens.yaml"),
  insecureNoAuth: false,
  maxBodyBytes: 1024 * 1024,
  headerTimeout: 10,
  bodyTimeout: 30,
  upstream: Option.none(),
  upstreamToken: Option.none(),
  upstreamTimeoutMs: 30_000,
  upstreamRetries: 2,
  home: "/tmp/mreg",
  databaseUrl: Option.none(),
  tenant: "default",
  ...fields
})

const refusal = (fields: Partial<ProxyConfig.ProxyConfig>) =>
  Either.match(ProxyConfig.validate(config(fields)), { onLeft: (e) => e.message, onRight: () => undefined })

describe("ProxyConfig", () => {
  it("a metrics token guards /metrics, which --no-metrics removes: not both", () => {
    const token = Option.some(Redacted.make("metrics-token-0123456789"))
    assert.isTrue(Either.isRight(ProxyConfig.validate(config({ metricsToken: token }))))
    assert.isTrue(Either.isRight(ProxyConfig.validate(config({ metrics: false }))))
    assert.strictEqual(
      refusal({ metrics: false, metricsToken: token }),
      "--metrics-token (MREG_METRICS_TOKEN) guards /metrics, which --no-metrics turns off: choose one"
    )
  })

  it("refuses a metrics token no Authorization header can carry (empty, spaces, non-ASCII), without echoing it", () => {
    const message = "--metrics-token (MREG_METRICS_TOKEN) must be printable ASCII without spaces, as sent in Authorization: Bearer <token> (the value is not shown)"
    for (const token of ["", " ", "two words", "secret\n", "sécret-token"]) {
      assert.strictEqual(refusal({ metricsToken: Option.some(Redacted.make(token)) }), message, JSON.stringify(token))
    }
  })

  it("accepts a tokens file, --insecure-no-auth on loopback, and pass-through upstream mode", () => {
    assert.isTrue(Either.isRight(ProxyConfig.validate(config())))
    assert.isTrue(Either.isRight(ProxyConfig.validate(config({ tokensFile: Option.none(), insecureNoAuth: true, host: "::1" }))))
    assert.isTrue(Either.isRight(ProxyConfig.validate(config({ tokensFile: Option.none(), upstream: Option.some("https://tfy.example.com") }))))
  })

  it("refuses to start without auth, with open auth off loopback, or with an injected token nobody guards", () => {
    assert.strictEqual(
      refusal({ tokensFile: Option.none() }),
      "no tokens file: set MREG_TOKENS_FILE or --tokens-file (see examples/tokens.yaml), or pass --insecure-no-auth to serve without authentication on loopback"
    )
    assert.strictEqual(
      refusal({ tokensFile: Option.none(), insecureNoAuth: true, host: "0.0.0.0" }),
      "--insecure-no-auth serves without authentication and binds only a loopback address (127.0.0.1, ::1, localhost); HOST is \"0.0.0.0\""
    )
    assert.strictEqual(
      refusal({ insecureNoAuth: true }),
      "--insecure-no-auth cannot be combined with a tokens file (MREG_TOKENS_FILE / --tokens-file): choose one"
    )
    const message = refusal({ tokensFile: Option.none(), upstream: Option.some("https://tfy.example.com"), upstreamToken: Option.some(Redacted.make("tfy-secret")) })
    assert.strictEqual(
      message,
      "--upstream-token (TFY_API_KEY) would let any caller act with that token: give a tokens file (MREG_TOKENS_FILE / --tokens-file) to say who may call, or pass --insecure-no-auth on loopback"
    )
    assert.isFalse(message!.includes("tfy-secret"))
  })

  it("checks the header and body timeouts: whole seconds from 1 to 3600, header ≤ body", () => {
    assert.isTrue(Either.isRight(ProxyConfig.validate(config({ headerTimeout: 1, bodyTimeout: 3600 }))))
    assert.isTrue(Either.isRight(ProxyConfig.validate(config({ headerTimeout: 30, bodyTimeout: 30 }))))
    assert.strictEqual(
      refusal({ headerTimeout: 0 }),
      "--header-timeout (MREG_HEADER_TIMEOUT) must be an integer number of seconds from 1 to 3600 (received 0)"
    )
    assert.strictEqual(
      refusal({ bodyTimeout: 3601 }),
      "--body-timeout (MREG_BODY_TIMEOUT) must be an integer number of seconds from 1 to 3600 (received 3601)"
    )
    assert.strictEqual(
      refusal({ bodyTimeout: 1.5 }),
      "--body-timeout (MREG_BODY_TIMEOUT) must be an integer number of seconds from 1 to 3600 (received 1.5)"
    )
    assert.strictEqual(
      refusal({ headerTimeout: 60, bodyTimeout: 30 }),
      "--header-timeout (60) must not be longer than --body-timeout (30): the body timeout counts from the start of the request"
    )
  })

  it("checks numbers and the upstream URL", () => {
    assert.strictEqual(refusal({ port: 70000 }), "--port (PORT) must be an integer from 0 to 65535 (received \"70000\")")
    assert.strictEqual(refusal({ maxBodyBytes: 0 }), "--max-body-bytes (MREG_MAX_BODY_BYTES) must be a positive integer (received 0)")
    assert.strictEqual(refusal({ upstreamRetries: 11 }), "--upstream-retries (MREG_UPSTREAM_RETRIES) must be an integer from 0 to 10 (received 11)")
    assert.strictEqual(
      refusal({ upstream: Option.some("ftp://x") }),
      "--upstream (TFY_HOST) must be an http(s) URL such as https://acme.truefoundry.cloud (received \"ftp://x\")"
    )
  })

  it("checks flag values with MregConfig's rules: tenant, PostgreSQL URL; normalizes the upstream URL", () => {
    assert.strictEqual(
      refusal({ tenant: "a/b" }),
      "--tenant (MREG_TENANT) must be 1–512 letters, digits and \"-\", starting and ending with a letter or digit (an FQN segment, like an ML repo name) (received \"a/b\")"
    )
    assert.strictEqual(
      refusal({ databaseUrl: Option.some(Redacted.make("mysql://secret")) }),
      "--database-url (DATABASE_URL) must be a postgres:// or postgresql:// URL (the value is secret and not shown)"
    )
    const upstream = ProxyConfig.validate(config({ upstream: Option.some("https://tfy.example.com/x/") }))
    assert.deepStrictEqual(Either.map(upstream, (config) => config.upstream), Either.right(Option.some("https://tfy.example.com/x")))
  })

  it("a webhooks file needs the embedded registry", () => {
    assert.strictEqual(
      refusal({ webhooksFile: Option.some("webhooks.yaml"), upstream: Option.some("https://tfy.example.com") }),
      "--webhooks-file (MREG_WEBHOOKS_FILE) needs the embedded registry: the upstream control plane sends its own events; drop --upstream (TFY_HOST) or the webhooks file"
    )
    assert.isTrue(Either.isRight(ProxyConfig.validate(config({ webhooksFile: Option.some("webhooks.yaml") }))))
  })

  it("knows loopback addresses", () => {
    assert.deepStrictEqual(
      ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "0.0.0.0", "10.0.0.1", "::", "example.com"].map(ProxyConfig.isLoopback),
      [true, true, true, true, true, false, false, false, false]
    )
  })
})
