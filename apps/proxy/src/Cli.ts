/**
 * The `mreg-proxy` command (`@effect/cli`): every setting is a flag, with the environment variable of
 * `ProxyConfig` as fallback (flags win). `mreg-proxy --help` lists them, in colour only on a terminal and never with
 * `NO_COLOR` set (core's `ConsoleColor`, as `mreg` does).
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import { ConsoleColor, MregConfig } from "@mreg/core"
import * as CommandLine from "@mreg/core/CommandLine"
import * as CommandTree from "@mreg/core/CommandTree"
import { Config, ConfigError, Duration, Effect, Either, Layer, Option } from "effect"
import { homedir } from "node:os"
import { join } from "node:path"
import * as NodeServer from "./NodeServer.js"
import * as Proxy from "./Proxy.js"
import * as ProxyConfig from "./ProxyConfig.js"
import * as WebhooksServer from "./WebhooksServer.js"

/** A flag with an environment fallback read by `config` (flags win). */
const withEnv = <A>(flag: Options.Options<A>, config: Config.Config<A>, description: string) =>
  flag.pipe(Options.withFallbackConfig(config), Options.withDescription(description))

/** A flag with an environment fallback read by `config` (flags win); `None` when neither is given. */
const optional = <A>(flag: Options.Options<A>, config: Config.Config<Option.Option<A>>, description: string) =>
  withEnv(Options.map(flag, Option.some), config, description)

const optionalText = (name: string, env: string, description: string) =>
  optional(Options.text(name), Config.option(Config.string(env)), `${description} (env ${env})`)

/**
 * An integer flag with its environment variable as fallback, read by the flag's rule (`ProxyConfig.integerFlags`);
 * the variable empty or only spaces is unset, as for `PORT`: `fallback` applies.
 */
const integer = (name: string, fallback: number, description: string) => {
  const { env, read } = ProxyConfig.integerFlags.get(`--${name}`)!
  const config = Config.string(env).pipe(
    Config.mapOrFail((text) => text.trim() === "" ? Either.right(fallback) : Either.mapLeft(read(text), ({ message }) => ConfigError.InvalidData([env], message))),
    Config.withDefault(fallback)
  )
  return withEnv(Options.integer(name), config, `${description} (env ${env}, default ${fallback})`)
}

const options = {
  host: withEnv(Options.text("host"), MregConfig.host, `listen address (env HOST, default ${MregConfig.DEFAULT_HOST})`),
  port: withEnv(
    Options.integer("port"),
    MregConfig.port,
    `listen port; 0 picks a free port, printed in the "listening" log line (env PORT, default ${MregConfig.DEFAULT_PORT})`
  ),
  tokensFile: optionalText("tokens-file", "MREG_TOKENS_FILE", "tokens file, YAML or JSON: token → subject and scopes per ML repo"),
  insecureNoAuth: Options.boolean("insecure-no-auth").pipe(
    Options.withDescription("serve without authentication (every caller is \"anonymous\"); only on a loopback HOST")
  ),
  maxBodyBytes: integer("max-body-bytes", NodeServer.DEFAULT_MAX_BODY_BYTES, "largest request body in bytes; larger is 413"),
  headerTimeout: integer(
    "header-timeout",
    Duration.toSeconds(NodeServer.DEFAULT_HEADER_TIMEOUT),
    "seconds for the request headers to arrive, 1-3600; 408 after"
  ),
  bodyTimeout: integer(
    "body-timeout",
    Duration.toSeconds(NodeServer.DEFAULT_BODY_TIMEOUT),
    "seconds for the whole request (headers and body) to arrive, 1-3600; 408 after"
  ),
  upstream: optional(
    Options.text("upstream"),
    MregConfig.tfyHost,
    "control-plane base URL: forward validated requests there instead of the embedded registry (env TFY_HOST)"
  ),
  upstreamToken: optional(Options.redacted("upstream-token"), MregConfig.tfyApiKey, "bearer token sent upstream instead of the caller's (env TFY_API_KEY; never logged)"),
  upstreamTimeoutMs: integer("upstream-timeout-ms", Proxy.DEFAULT_UPSTREAM_TIMEOUT_MS, "time limit of one upstream attempt; 504 after"),
  upstreamRetries: integer("upstream-retries", Proxy.DEFAULT_UPSTREAM_RETRIES, "retries of safe upstream requests on 502/503/504 and connection errors"),
  home: withEnv(
    Options.text("home"),
    MregConfig.mregHomeOr(join(homedir(), ".mreg")),
    "folder of the embedded SQLite registry, registry.db inside (env MREG_HOME, default ~/.mreg)"
  ),
  databaseUrl: optional(Options.redacted("database-url"), MregConfig.databaseUrl, "postgres:// URL: the embedded registry on PostgreSQL (env DATABASE_URL; never logged)"),
  metrics: Options.boolean("no-metrics").pipe(
    Options.map((off) => !off),
    Options.withDescription("do not serve GET /metrics (served by default, open unless --metrics-token is given)")
  ),
  metricsToken: optional(
    Options.redacted("metrics-token"),
    Config.option(Config.redacted("MREG_METRICS_TOKEN")),
    "bearer token GET /metrics asks for (env MREG_METRICS_TOKEN; never logged)"
  ),
  tenant: withEnv(Options.text("tenant"), MregConfig.mregTenant, "tenant in the FQNs of the embedded registry (env MREG_TENANT, default default)"),
  webhooksFile: optionalText("webhooks-file", "MREG_WEBHOOKS_FILE", "webhooks file, YAML or JSON: subscriptions (URL, events, ML repo, secret) and delivery settings")
}

/** `mreg-proxy webhooks replay ID [--home | --database-url]`: re-queues a delivered or failed webhook delivery. */
const replay = Command.make(
  "replay",
  { id: Args.text({ name: "ID" }).pipe(Args.withDescription("the delivery id (webhook-id), as GET /webhooks/deliveries lists it")), home: options.home, databaseUrl: options.databaseUrl },
  ({ databaseUrl, home, id }) =>
    Effect.flatMap(
      Effect.transposeMapOption(databaseUrl, (url) => MregConfig.postgresUrl(url, "--database-url (DATABASE_URL)")),
      (url) => WebhooksServer.replay({ home, databaseUrl: url }, id)
    )
).pipe(Command.withDescription("queue a delivered or failed webhook delivery again (same webhook-id, attempts from 0)"))

const webhooks = Command.make("webhooks").pipe(
  Command.withDescription("webhook deliveries of the embedded registry"),
  Command.withSubcommands([replay])
)

/**
 * `mreg-proxy [flags]`: validates the configuration, then serves until SIGTERM/SIGINT (then logs `stopped` once the
 * server and the webhook worker have shut down). Fails with `ProxyConfigError`
 * or `TokensFileError` (the caller prints the message and exits 1).
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("mreg-proxy", options, (config) =>
  Effect.flatMap(
    Either.match(ProxyConfig.validate(config), { onLeft: Effect.fail, onRight: Effect.succeed }),
    // On SIGTERM/SIGINT the layer's scope closes first (requests in flight answered, the webhook worker stopped),
    // then one `stopped` line says the shutdown was clean.
    (valid) => Layer.launch(Proxy.layer(valid)).pipe(Effect.onInterrupt(() => Effect.logInfo("stopped")))
  )).pipe(
    Command.withDescription(
      "HTTP server for the model-version API (TrueFoundry-compatible PUT /api/ml/v1/model-versions), on the embedded registry or in front of an upstream control plane"
    ),
    Command.withSubcommands([webhooks])
  )

const cli = Command.run(command, { name: "mreg-proxy", version: "0.1.0" })

/** The command tree, with `@effect/cli`'s own options and the ranges of the integer flags (`ProxyConfig.integerFlags`). */
const tree = CommandTree.read(command, { builtIns: true, integers: (name) => ProxyConfig.integerFlags.get(`--${name}`) })

const LISTS = { flag: "flags", command: "commands", argument: "arguments" } as const

/** A usage error as `mreg-proxy` words it: a flag's "did you mean" unquoted, and which list `--help` shows. */
const usageError = ({ kind, message, path, suggestion, token }: CommandLine.Problem) => {
  const where = path.map((info) => info.name).join(" ")
  const text = kind === "flag" ? `unknown flag ${token} for "${where}"${suggestion === undefined ? "" : `; did you mean ${suggestion}?`}` : message
  return new ProxyConfig.ProxyConfigError({ message: kind in LISTS ? `${text} (${where} --help lists the ${LISTS[kind as keyof typeof LISTS]})` : text })
}

/**
 * The first usage error of a command line (its `CommandLine.check` route), where `@effect/cli` answers "Invalid
 * subcommand for mreg-proxy - use 'webhooks'" or "Received unknown argument" (as `mreg` does): an unknown flag
 * or command, named with the closest one, an argument too many or missing, a flag given twice or without its value,
 * or an integer flag whose value — on the command line, or for the server in its environment variable — breaks its
 * rule (`ProxyConfig.integerFlags`). Help, version and completions read no setting; the subcommands read their own.
 */
const usageProblem = (route: Either.Either<CommandLine.Route, CommandLine.Problem>): ProxyConfig.ProxyConfigError | undefined => {
  if (Either.isLeft(route)) return usageError(route.left)
  const { given, path } = route.right._tag === "Run" ? route.right : { given: undefined, path: [] }
  if (given === undefined || path.length > 1 || ["version", "wizard", "completions"].some((name) => given.has(name))) return undefined
  // The environment of the integer flags not given (an empty variable is unset: the default applies).
  for (const [flag, { env, read }] of ProxyConfig.integerFlags) {
    const text = process.env[env]
    const number = given.has(flag.slice(2)) || text === undefined || text.trim() === "" ? undefined : read(text)
    if (number !== undefined && Either.isLeft(number)) return number.left
  }
  return undefined
}

/**
 * Runs the command on `argv` (as `process.argv`). `@effect/cli`'s help, version and usage errors are printed without
 * escape codes where the stream gets no colour (`ConsoleColor.terminalConsole`). A flag or command the command
 * line does not have fails with `ProxyConfigError` naming it and the closest one (`unknown flag --prot for
 * "mreg-proxy"; did you mean --port?`, `unknown command "replya" for "mreg-proxy webhooks"; did you mean "replay"?`),
 * rather than `@effect/cli`'s "Invalid subcommand" answer; so does an integer flag that breaks its rule
 * (`--port (PORT) must be an integer from 0 to 65535 (received "abc")`, not "'abc' is not a integer").
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>) =>
  Effect.suspend(() => {
    const route = CommandLine.check(tree, argv.slice(2), { helpCommand: false, version: ["--version"] })
    const unknown = usageProblem(route)
    return unknown !== undefined ? Effect.fail(unknown) : Effect.flatMap(
      Effect.zipWith(ConsoleColor.colorSupport, Effect.console, (support, console) => ConsoleColor.terminalConsole(console, support)),
      (console) => Effect.withConsole(cli(cliArgv(argv, route)), console)
    )
  })

/** `@effect/cli`'s own options of the server's command line that take a value (`--wizard` takes none). */
const BUILT_IN_VALUES = ["--log-level", "--completions"]

/**
 * The command line `@effect/cli` is given. It answers "Invalid subcommand for mreg-proxy - use 'webhooks'" when the
 * server's own flags come before one of its built-in options, so: a help or version request alone (`mreg-proxy
 * --help`, `mreg-proxy webhooks replay --help`, `mreg-proxy --version`); the server's command line with
 * `--log-level`, `--completions` and `--wizard` (and their values) moved first; else `argv` as it is.
 */
const cliArgv = (argv: ReadonlyArray<string>, route: Either.Either<CommandLine.Route, CommandLine.Problem>): ReadonlyArray<string> => {
  if (Either.isLeft(route)) return argv
  const { right } = route
  if (right._tag === "Help") return [...argv.slice(0, 2), ...right.path.slice(1).map((info) => info.name), "--help"]
  if (right._tag === "Version" || (right._tag === "Run" && right.given.has("version"))) return [...argv.slice(0, 2), "--version"]
  if (right._tag !== "Run" || right.path.length > 1) return argv
  const builtIns: Array<string> = []
  const rest: Array<string> = []
  const args = argv.slice(2)
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!
    if (BUILT_IN_VALUES.includes(token)) {
      builtIns.push(token, ...args.slice(i + 1, i + 2))
      i++
    } else if (token === "--wizard" || BUILT_IN_VALUES.some((name) => token.startsWith(`${name}=`))) builtIns.push(token)
    else rest.push(token)
  }
  return [...argv.slice(0, 2), ...builtIns, ...rest]
}
