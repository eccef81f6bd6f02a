/**
 * Which registry a command talks to, and the `--host` option that chooses it.
 *
 * - `--host URL` (or else `TFY_HOST`): a control plane over HTTP (TrueFoundry, or an `mreg-proxy`), with
 *   `--api-key` (or else `TFY_API_KEY`) as its bearer token;
 * - neither: the embedded registry (SQLite in `$MREG_HOME`, or PostgreSQL with `DATABASE_URL`).
 *
 * The target is resolved, and its layer built, only when a command is about to call the registry: a manifest that
 * fails validation never causes a network call or opens a database.
 *
 * @since 0.1.0
 */
import { Options } from "@effect/cli"
import { type ModelVersions, MregConfig, type RegistryError } from "@mreg/core"
import { Config, Effect, Either, type Layer, Option, type Redacted } from "effect"
import { UsageError } from "./Failure.js"

/**
 * The registry implementations the CLI can run on, given by the executable.
 * - `embedded`: the embedded registry, configured from the environment;
 * - `remote`: the HTTP client of a control plane at `baseUrl` (API prefix appended by the client).
 * @since 0.1.0
 * @category models
 */
export interface Layers {
  readonly embedded: Layer.Layer<ModelVersions.ModelVersions, RegistryError.RegistryError>
  readonly remote: (options: {
    readonly baseUrl: string
    readonly apiKey: Redacted.Redacted<string> | undefined
  }) => Layer.Layer<ModelVersions.ModelVersions, RegistryError.RegistryError>
}

/**
 * Where a command sends its calls.
 * @since 0.1.0
 * @category models
 */
export type Target =
  | { readonly _tag: "Embedded" }
  | { readonly _tag: "Remote"; readonly baseUrl: string; readonly apiKey: Redacted.Redacted<string> | undefined }

/**
 * `--host URL` (overrides `TFY_HOST`) and `--api-key KEY` (overrides `TFY_API_KEY`): the control plane to call
 * instead of the embedded registry, and its bearer token. The key is `Redacted`; prefer `TFY_API_KEY`, which stays
 * out of shell history and process lists.
 * @since 0.1.0
 * @category options
 */
export const host = Options.all({
  host: Options.text("host").pipe(
    Options.withPseudoName("URL"),
    Options.optional,
    Options.withDescription(
      "control plane base URL, such as https://acme.truefoundry.cloud (default: $TFY_HOST, else the embedded registry)"
    )
  ),
  apiKey: Options.redacted("api-key").pipe(
    Options.withPseudoName("KEY"),
    Options.optional,
    Options.withDescription("bearer token of the control plane (default: $TFY_API_KEY, which is safer: not in process lists)")
  )
})

/** Reads a config, or fails with `UsageError` naming the variable, its rule and its value (never a secret). */
const fromEnv = <A>(config: Config.Config<A>): Effect.Effect<A, UsageError> =>
  Effect.mapError(config, (error) => new UsageError({ message: MregConfig.message(error) }))

/**
 * The target of a command: `--host` if given, else `TFY_HOST` if set and not empty, else the embedded registry.
 * URLs follow `MregConfig.baseUrl` (trailing slashes removed). Fails with `UsageError` when the chosen URL breaks
 * that rule, or, for the embedded registry, when `MREG_TENANT` or `DATABASE_URL` breaks its rule.
 * @since 0.1.0
 * @category constructors
 */
export const target = (
  flags: { readonly host: Option.Option<string>; readonly apiKey: Option.Option<Redacted.Redacted<string>> }
): Effect.Effect<Target, UsageError> =>
  Effect.gen(function*() {
    const flag = flags.host
    const baseUrl = Option.isSome(flag)
      ? Option.some(yield* Either.mapLeft(MregConfig.baseUrl(flag.value, "--host"), (error) => new UsageError({ message: error.message })))
      : yield* fromEnv(MregConfig.tfyHost)
    if (Option.isNone(baseUrl)) {
      yield* fromEnv(Config.all([MregConfig.mregTenant, MregConfig.databaseUrl]))
      return { _tag: "Embedded" } as const
    }
    const apiKey = Option.isSome(flags.apiKey) ? flags.apiKey : yield* fromEnv(MregConfig.tfyApiKey)
    return { _tag: "Remote", baseUrl: baseUrl.value, apiKey: Option.getOrUndefined(apiKey) } as const
  })

/**
 * The layer of a target.
 * @since 0.1.0
 * @category layers
 */
export const layer = (layers: Layers, target: Target): Layer.Layer<ModelVersions.ModelVersions, RegistryError.RegistryError> =>
  target._tag === "Embedded" ? layers.embedded : layers.remote({ baseUrl: target.baseUrl, apiKey: target.apiKey })
