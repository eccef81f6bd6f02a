/**
 * The `mreg-proxy` command (`@effect/cli`): every setting is a flag, with the environment variable of
 * `ProxyConfig` as fallback (flags win). `mreg-proxy --help` lists them.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Config, Duration, Effect, Either, Layer, Option } from "effect"
import { homedir } from "node:os"
import { join } from "node:path"
import * as NodeServer from "./NodeServer.js"
import * as Proxy from "./Proxy.js"
import * as ProxyConfig from "./ProxyConfig.js"

const optionalText = (name: string, env: string, description: string) =>
  Options.text(name).pipe(
    Options.withFallbackConfig(Config.option(Config.string(env)).pipe(Config.map(Option.getOrUndefined))),
    Options.map(Option.fromNullable),
    Options.withDescription(`${description} (env ${env})`)
  )

const optionalSecret = (name: string, env: string, description: string) =>
  Options.redacted(name).pipe(
    Options.withFallbackConfig(Config.option(Config.redacted(env)).pipe(Config.map(Option.getOrUndefined))),
    Options.map(Option.fromNullable),
    Options.withDescription(`${description} (env ${env}; never logged)`)
  )

const integer = (name: string, env: string, fallback: number, description: string) =>
  Options.integer(name).pipe(
    Options.withFallbackConfig(Config.integer(env).pipe(Config.withDefault(fallback))),
    Options.withDescription(`${description} (env ${env}, default ${fallback})`)
  )

const options = {
  host: Options.text("host").pipe(
    Options.withFallbackConfig(Config.string("HOST").pipe(Config.withDefault("127.0.0.1"))),
    Options.withDescription("listen address (env HOST, default 127.0.0.1)")
  ),
  port: integer("port", "PORT", 8080, "listen port; 0 picks a free port, printed in the \"listening\" log line"),
  tokensFile: optionalText("tokens-file", "MREG_TOKENS_FILE", "tokens file, YAML or JSON: token → subject and scopes per ML repo"),
  insecureNoAuth: Options.boolean("insecure-no-auth").pipe(
    Options.withDescription("serve without authentication (every caller is \"anonymous\"); only on a loopback HOST")
  ),
  maxBodyBytes: integer("max-body-bytes", "MREG_MAX_BODY_BYTES", NodeServer.DEFAULT_MAX_BODY_BYTES, "largest request body in bytes; larger is 413"),
  headerTimeout: integer(
    "header-timeout",
    "MREG_HEADER_TIMEOUT",
    Duration.toSeconds(NodeServer.DEFAULT_HEADER_TIMEOUT),
    "seconds for the request headers to arrive, 1-3600; 408 after"
  ),
  bodyTimeout: integer(
    "body-timeout",
    "MREG_BODY_TIMEOUT",
    Duration.toSeconds(NodeServer.DEFAULT_BODY_TIMEOUT),
    "seconds for the whole request (headers and body) to arrive, 1-3600; 408 after"
  ),
  upstream: optionalText("upstream", "TFY_HOST", "control-plane base URL: forward validated requests there instead of the embedded registry"),
  upstreamToken: optionalSecret("upstream-token", "TFY_API_KEY", "bearer token sent upstream instead of the caller's"),
  upstreamTimeoutMs: integer("upstream-timeout-ms", "MREG_UPSTREAM_TIMEOUT_MS", Proxy.DEFAULT_UPSTREAM_TIMEOUT_MS, "time limit of one upstream attempt; 504 after"),
  upstreamRetries: integer("upstream-retries", "MREG_UPSTREAM_RETRIES", Proxy.DEFAULT_UPSTREAM_RETRIES, "retries of safe upstream requests on 502/503/504 and connection errors"),
  home: Options.text("home").pipe(
    Options.withFallbackConfig(Config.string("MREG_HOME").pipe(Config.withDefault(join(homedir(), ".mreg")))),
    Options.withDescription("folder of the embedded SQLite registry, registry.db inside (env MREG_HOME, default ~/.mreg)")
  ),
  databaseUrl: optionalSecret("database-url", "DATABASE_URL", "postgres:// URL: the embedded registry on PostgreSQL"),
  tenant: Options.text("tenant").pipe(
    Options.withFallbackConfig(Config.string("MREG_TENANT").pipe(Config.withDefault("default"))),
    Options.withDescription("tenant in the FQNs of the embedded registry (env MREG_TENANT, default default)")
  )
}

/**
 * `mreg-proxy [flags]`: validates the configuration, then serves until SIGTERM/SIGINT. Fails with `ProxyConfigError`
 * or `TokensFileError` (the caller prints the message and exits 1).
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("mreg-proxy", options, (config) =>
  Effect.flatMap(
    Either.match(ProxyConfig.validate(config), { onLeft: Effect.fail, onRight: Effect.succeed }),
    (valid) => Layer.launch(Proxy.layer(valid))
  )).pipe(
    Command.withDescription(
      "HTTP server for the model-version API (TrueFoundry-compatible PUT /api/ml/v1/model-versions), on the embedded registry or in front of an upstream control plane"
    )
  )

/**
 * Runs the command on `argv` (as `process.argv`).
 * @since 0.1.0
 * @category running
 */
export const run = Command.run(command, { name: "mreg-proxy", version: "0.1.0" })
