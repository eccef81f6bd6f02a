/**
 * The `mreg` commands on `@effect/cli`: `upsert`, `validate`, `get`, `list`, `delete`, `tag`.
 *
 * Commands that need a registry choose it with `--host` / `TFY_HOST` (see `Registry`) and build its layer only
 * around the registry call itself: `validate`, `--help`, `--version` and every manifest that fails validation
 * never open a database or send a request.
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import type * as CliApp from "@effect/cli/CliApp"
import * as HelpDocSpan from "@effect/cli/HelpDoc/Span"
import * as CliValidationError from "@effect/cli/ValidationError"
import { Fqn, ModelVersion, ModelVersions, RegistryError, Validation } from "@mreg/core"
import { Effect, Either, Option, Schema } from "effect"
import { randomUUID } from "node:crypto"
import * as ExitCode from "./ExitCode.js"
import * as Failure from "./Failure.js"
import * as ManifestFile from "./ManifestFile.js"
import * as Output from "./Output.js"
import * as Registry from "./Registry.js"

declare const __MREG_VERSION__: string | undefined

/**
 * The package version, put in by the bundler (`0.0.0-dev` when running unbundled sources).
 * @since 0.1.0
 * @category constants
 */
export const VERSION: string = typeof __MREG_VERSION__ === "string" ? __MREG_VERSION__ : "0.0.0-dev"

/**
 * What the commands run against: the embedded registry and the HTTP client of a control plane (see `Registry`).
 * @since 0.1.0
 * @category models
 */
export interface Options extends Registry.Layers {}

/**
 * The `mreg --help` description.
 * @since 0.1.0
 * @category constants
 */
export const DESCRIPTION =
  "Register and update ML model versions from manifests (JSON or YAML), with the model-version API of TrueFoundry " +
  "(PUT /api/ml/v1/model-versions). Runs on the embedded registry: SQLite in $MREG_HOME (default ~/.mreg), or " +
  "PostgreSQL when DATABASE_URL is set; MREG_TENANT names the tenant in FQNs (default \"default\"). With --host or " +
  "TFY_HOST it calls that control plane instead, with TFY_API_KEY as bearer token. Output is the API's JSON " +
  "response body unless --output table. " + ExitCode.HELP

const output = Options.choice("output", Output.FORMATS).pipe(
  Options.withAlias("o"),
  Options.withDefault("json" as Output.Format),
  Options.withDescription("json: the API's response body (default); table: readable columns")
)

const file = Options.text("file").pipe(
  Options.withAlias("f"),
  Options.withDescription(
    "manifest file: {\"manifest\": {…}} or a bare manifest, JSON (.json) or YAML (.yaml, .yml); - reads stdin"
  )
)

const modelVersionId = (name: string) =>
  Args.text({ name }).pipe(Args.withSchema(ModelVersion.ModelVersionId))

/** Runs `f` on the registry that `--host` / `TFY_HOST` choose, built for this call only. */
const withRegistry = <A, E>(
  options: Options,
  host: Option.Option<string>,
  f: (registry: ModelVersions.Service) => Effect.Effect<A, E>
): Effect.Effect<A, E | RegistryError.RegistryError | Failure.UsageError> =>
  Effect.flatMap(
    Registry.target(host),
    (target) => Effect.flatMap(ModelVersions.ModelVersions, f).pipe(Effect.provide(Registry.layer(options, target)))
  )

const print = (text: string) => Effect.flatMap(Output.Output, (out) => out.stdout(text))

const printModelVersion = (format: Output.Format, versioned: ModelVersions.Versioned, extras: Output.Extras = {}) =>
  print(
    format === "json"
      ? Output.modelVersionJson(versioned.modelVersion)
      : Output.modelVersionTable(versioned.modelVersion, { etag: versioned.etag, ...extras })
  )

const upsert = (options: Options) =>
  Command.make(
    "upsert",
    {
      file,
      output,
      host: Registry.host,
      idempotencyKey: Options.text("idempotency-key").pipe(
        Options.optional,
        Options.withDescription("retrying with the same key and manifest returns the first response (default: a new random key)")
      ),
      ifMatch: Options.text("if-match").pipe(
        Options.optional,
        Options.withDescription("update only while the version's ETag is still this one (exit 3 otherwise)")
      ),
      createOnly: Options.boolean("create-only").pipe(
        Options.withDescription("only create: fail with exit 3 when the version exists (If-None-Match: *)")
      )
    },
    (args) =>
      Effect.gen(function*() {
        const manifest = yield* ManifestFile.load(args.file)
        const result = yield* withRegistry(options, args.host, (registry) =>
          registry.upsert(manifest, {
            idempotencyKey: Option.getOrElse(args.idempotencyKey, () => randomUUID()),
            ifMatch: Option.getOrUndefined(args.ifMatch),
            ifNoneMatch: args.createOnly ? "*" : undefined
          })).pipe(
            Effect.catchTag("ValidationError", (error) =>
              Effect.fail(new Failure.InvalidInput({ what: `manifest ${ManifestFile.displayName(args.file)}`, error })))
          )
        yield* printModelVersion(args.output, result, {
          status: result.replayed ? "replayed" : result.created ? "created" : "updated"
        })
      })
  ).pipe(Command.withDescription("Create a model version, or update one when the manifest names an existing version."))

const validate = Command.make(
  "validate",
  { file },
  (args) =>
    Effect.gen(function*() {
      const manifest = yield* ManifestFile.load(args.file)
      yield* print(`ok: ${ManifestFile.displayName(args.file)} is a valid manifest of ${manifest.ml_repo}/${manifest.name}`)
    })
).pipe(Command.withDescription("Check a manifest file offline, printing every problem with its place; never touches the registry."))

const get = (options: Options) =>
  Command.make(
    "get",
    {
      ref: Args.text({ name: "id-or-fqn" }).pipe(
        Args.withDescription("a model version id, or an FQN model:{tenant}/{ml_repo}/{name}:{version or alias}")
      ),
      output,
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const versioned = yield* Fqn.isFqnLike(args.ref)
          ? Effect.gen(function*() {
            yield* Either.mapLeft(
              Fqn.parse(args.ref),
              (error) => new Failure.UsageError({ message: `invalid FQN ${JSON.stringify(args.ref)}: ${error.message}` })
            )
            return yield* withRegistry(options, args.host, (registry) =>
              Effect.gen(function*() {
                const page = yield* registry.list(new ModelVersions.ListQuery({ fqn: args.ref, limit: 1 }))
                const [first] = page.data
                if (first === undefined) {
                  return yield* Effect.fail(new RegistryError.NotFound({ message: `no model version with FQN "${args.ref}"` }))
                }
                return yield* registry.get(first.id)
              }))
          })
          : Effect.gen(function*() {
            const id = yield* Either.mapLeft(
              Schema.decodeEither(ModelVersion.ModelVersionId)(args.ref),
              () => new Failure.UsageError({ message: "give a model version id or an FQN (model:…), not an empty string" })
            )
            return yield* withRegistry(options, args.host, (registry) => registry.get(id))
          })
        yield* printModelVersion(args.output, versioned)
      })
  ).pipe(Command.withDescription("Show one model version, by id or by FQN (a version number or an alias after the colon)."))

/** `--flag` names of the `ListQuery` fields the `list` command sets. */
const LIST_FLAGS: Record<string, string> = {
  ml_repo: "--ml-repo",
  name: "--name",
  tag: "--tag",
  limit: "--limit",
  offset: "--offset"
}

const decodeListQuery = Schema.decodeUnknownEither(ModelVersions.ListQuery, { errors: "all", onExcessProperty: "error" })

const list = (options: Options) =>
  Command.make(
    "list",
    {
      mlRepo: Options.text("ml-repo").pipe(Options.optional, Options.withDescription("only this ML repo (by name)")),
      name: Options.text("name").pipe(Options.optional, Options.withDescription("only models with this name")),
      tag: Options.text("tag").pipe(Options.optional, Options.withDescription("only versions with this tag (ignoring case)")),
      limit: Options.integer("limit").pipe(Options.optional, Options.withDescription(`page size, 1–1000 (default ${ModelVersions.DEFAULT_LIMIT})`)),
      offset: Options.integer("offset").pipe(Options.optional, Options.withDescription("versions to skip (default 0)")),
      output,
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const raw = Object.fromEntries(
          Object.entries({
            ml_repo: Option.getOrUndefined(args.mlRepo),
            name: Option.getOrUndefined(args.name),
            tag: Option.getOrUndefined(args.tag),
            limit: Option.getOrUndefined(args.limit),
            offset: Option.getOrUndefined(args.offset)
          }).filter(([, value]) => value !== undefined)
        )
        const query = yield* Either.mapLeft(decodeListQuery(raw), (error) => {
          const validation = Validation.fromParseError(error, [])
          return new Failure.InvalidInput({
            what: "list options",
            error: new RegistryError.ValidationError({
              detail: validation.detail.map((issue) =>
                new RegistryError.ValidationIssue({ ...issue, loc: [LIST_FLAGS[String(issue.loc[0])] ?? String(issue.loc[0])] }))
            })
          })
        })
        const page = yield* withRegistry(options, args.host, (registry) => registry.list(query))
        yield* print(args.output === "json" ? Output.pageJson(page) : Output.pageTable(page))
      })
  ).pipe(Command.withDescription("List model versions, newest version first within each model, with offset pagination."))

const delete_ = (options: Options) =>
  Command.make(
    "delete",
    { id: modelVersionId("id"), output, host: Registry.host },
    (args) =>
      Effect.gen(function*() {
        yield* withRegistry(options, args.host, (registry) => registry.delete(args.id))
        yield* print(args.output === "json" ? Output.emptyJson : `deleted ${args.id}`)
      })
  ).pipe(Command.withDescription("Delete a model version. Its number is never reused; its alias and tags are freed."))

const decodeApplyTags = Schema.decodeUnknownEither(ModelVersions.ApplyTagsRequest, { errors: "all", onExcessProperty: "error" })

const tag = (options: Options) =>
  Command.make(
    "tag",
    {
      id: modelVersionId("id"),
      tags: Args.text({ name: "tag" }).pipe(Args.atLeast(1)),
      force: Options.boolean("force").pipe(Options.withDescription("move tags that another version of the model holds")),
      output,
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const request = yield* Either.mapLeft(
          decodeApplyTags({ model_version_id: args.id, tags: args.tags, force: args.force }),
          (error) => new Failure.InvalidInput({ what: "tags", error: Validation.fromParseError(error, []) })
        )
        yield* withRegistry(options, args.host, (registry) => registry.applyTags(request))
        yield* print(args.output === "json" ? Output.emptyJson : `tagged ${args.id}: ${request.tags.join(", ")}`)
      })
  ).pipe(
    Command.withDescription(
      "Set the tags of a model version (replacing its current tags). Tags are unique within a model, ignoring case: " +
        "a tag another version holds fails with exit 3 unless --force moves it."
    )
  )

/**
 * The `mreg` command tree. Running `mreg` without a subcommand is a usage error.
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options) =>
  Command.make("mreg", {}, () =>
    Effect.fail(new Failure.UsageError({ message: "missing command: one of upsert, validate, get, list, delete, tag (see mreg --help)" }))).pipe(
      Command.withDescription(DESCRIPTION),
      Command.withSubcommands([upsert(options), validate, get(options), list(options), delete_(options), tag(options)])
    )

const defectMessage = (defect: unknown): string =>
  defect instanceof Error ? defect.message : typeof defect === "string" ? defect : "unknown defect"

/**
 * Runs `mreg` on a full `process.argv` and succeeds with the exit code: failures are printed to stderr (usage errors
 * by `@effect/cli` itself) and turned into their {@link ExitCode}; unexpected defects print one line, exit code 1.
 * @since 0.1.0
 * @category running
 */
export const run = (
  argv: ReadonlyArray<string>,
  options: Options
): Effect.Effect<ExitCode.ExitCode, never, CliApp.CliApp.Environment> => {
  const cli = Command.run(make(options), {
    name: "mreg",
    version: VERSION,
    summary: HelpDocSpan.text("register and update ML model versions")
  })
  return cli(argv).pipe(
    Effect.as<ExitCode.ExitCode>(ExitCode.OK),
    Effect.catchAll((failure) =>
      CliValidationError.isValidationError(failure)
        ? Effect.succeed<ExitCode.ExitCode>(ExitCode.USAGE)
        : Effect.flatMap(Output.Output, (out) => out.stderr(Failure.render(failure))).pipe(Effect.as(Failure.exitCode(failure)))
    ),
    Effect.catchAllDefect((defect) =>
      Effect.flatMap(Output.Output, (out) => out.stderr(`error: unexpected failure: ${defectMessage(defect)}`)).pipe(
        Effect.as(ExitCode.FAILURE)
      )
    ),
    Effect.provide(Output.Output.Default)
  )
}
