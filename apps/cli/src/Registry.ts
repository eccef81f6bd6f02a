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
import type { ModelVersions, RegistryError } from "@mreg/core"
import { Config, Effect, type Layer, Option, type Redacted } from "effect"
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
    Options.optional,
    Options.withDescription(
      "control plane base URL, such as https://acme.truefoundry.cloud (default: $TFY_HOST, else the embedded registry)"
    )
  ),
  apiKey: Options.redacted("api-key").pipe(
    Options.optional,
    Options.withDescription("bearer token of the control plane (default: $TFY_API_KEY, which is safer: not in process lists)")
  )
})

const HTTP_URL = /^https?:\/\/[^\s/]+\S*$/

const environment = Config.all({
  host: Config.option(Config.string("TFY_HOST")),
  apiKey: Config.option(Config.redacted("TFY_API_KEY"))
})

/**
 * The target of a command: `--host` if given, else `TFY_HOST` if set and not empty, else the embedded registry.
 * Fails with `UsageError` when the chosen URL is not an http(s) URL.
 * @since 0.1.0
 * @category constructors
 */
export const target = (
  flags: { readonly host: Option.Option<string>; readonly apiKey: Option.Option<Redacted.Redacted<string>> }
): Effect.Effect<Target, UsageError> =>
  Effect.gen(function*() {
    const env = yield* Effect.mapError(
      environment,
      (error) => new UsageError({ message: `cannot read TFY_HOST or TFY_API_KEY: ${error.message}` })
    )
    const flag = flags.host
    const [source, url] = Option.isSome(flag)
      ? ["--host", flag.value] as const
      : ["TFY_HOST", Option.getOrElse(env.host, () => "").trim()] as const
    if (source === "TFY_HOST" && url.length === 0) return { _tag: "Embedded" } as const
    if (!HTTP_URL.test(url)) {
      return yield* Effect.fail(
        new UsageError({ message: `${source} must be an http(s) URL such as https://acme.truefoundry.cloud (received ${JSON.stringify(url)})` })
      )
    }
    return { _tag: "Remote", baseUrl: url, apiKey: Option.getOrUndefined(Option.orElse(flags.apiKey, () => env.apiKey)) } as const
  })

/**
 * The layer of a target.
 * @since 0.1.0
 * @category layers
 */
export const layer = (layers: Layers, target: Target): Layer.Layer<ModelVersions.ModelVersions, RegistryError.RegistryError> =>
  target._tag === "Embedded" ? layers.embedded : layers.remote({ baseUrl: target.baseUrl, apiKey: target.apiKey })
