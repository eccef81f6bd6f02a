/**
 * The `mreg` commands on `@effect/cli`: `upsert`, `validate`, `get`, `list`, `delete`, `tag`, `init`, `diff` and
 * `completion`.
 *
 * Commands that need a registry choose it with `--host` / `TFY_HOST` (see `Registry`) and build its layer only
 * around the registry call itself: `validate`, `init`, `completion`, `--help`, `--version` and every manifest that
 * fails validation never open a database or send a request.
 *
 * Output: `--output json` (the API's body, default), `yaml` (the same body) or `table` (for people; the default of
 * `diff` and `upsert --dry-run`). Colour only on a terminal and never with `NO_COLOR` set, `@effect/cli`'s own help
 * and errors included (see `Output.terminalConsole`).
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import type * as CliApp from "@effect/cli/CliApp"
import * as HelpDocSpan from "@effect/cli/HelpDoc/Span"
import * as CliValidationError from "@effect/cli/ValidationError"
import { FileSystem } from "@effect/platform"
import { Fqn, ModelManifest, ModelVersion, ModelVersions, RegistryError, Validation } from "@mreg/core"
import { Effect, Either, Option, Schema } from "effect"
import { randomUUID } from "node:crypto"
import * as Diff from "./Diff.js"
import * as ExitCode from "./ExitCode.js"
import * as Failure from "./Failure.js"
import * as ManifestFile from "./ManifestFile.js"
import * as ModelFolder from "./ModelFolder.js"
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
  "response body unless --output yaml (the same body) or --output table. Colour only on a terminal, never with " +
  "NO_COLOR set. Shell completion: mreg completion bash|zsh|fish. " + ExitCode.HELP

const outputChoice = Options.choice("output", Output.FORMATS).pipe(Options.withAlias("o"))

const output = outputChoice.pipe(
  Options.withDefault("json" as Output.Format),
  Options.withDescription("json: the API's response body (default); yaml: the same body as YAML; table: readable columns")
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
  host: Parameters<typeof Registry.target>[0],
  f: (registry: ModelVersions.Service) => Effect.Effect<A, E>
): Effect.Effect<A, E | RegistryError.RegistryError | Failure.UsageError> =>
  Effect.flatMap(
    Registry.target(host),
    (target) => Effect.flatMap(ModelVersions.ModelVersions, f).pipe(Effect.provide(Registry.layer(options, target)))
  )

const print = (text: string) => Effect.flatMap(Output.Output, (out) => out.stdout(text))

/** Prints `body` as JSON or YAML, or `table(palette of stdout)`. */
const printAs = (format: Output.Format, body: () => unknown, table: (style: Output.Palette) => string) =>
  Effect.flatMap(Output.Output, (out) => out.stdout(format === "table" ? table(out.stdoutStyle) : Output.data(format, body())))

const printModelVersion = (format: Output.Format, versioned: ModelVersions.Versioned, extras: Output.Extras = {}) =>
  printAs(
    format,
    () => Output.modelVersionBody(versioned.modelVersion),
    (style) => Output.modelVersionTable(versioned.modelVersion, { etag: versioned.etag, ...extras }, style)
  )

/** Prints a predicted upsert, then fails with `Rejected` when the registry would refuse it. */
const printPlan = (format: Output.Format, plan: Diff.Plan) =>
  Effect.gen(function*() {
    yield* printAs(format, () => Diff.body(plan), (style) => Diff.text(plan, style))
    if (plan.problems.length > 0) return yield* Effect.fail(new Failure.Rejected({ problems: plan.problems }))
  })

const upsert = (options: Options) =>
  Command.make(
    "upsert",
    {
      file,
      output: outputChoice.pipe(
        Options.optional,
        Options.withDescription(
          "json: the API's response body (default); yaml: the same body as YAML; table: readable columns " +
            "(the default with --dry-run, which prints what would change)"
        )
      ),
      dryRun: Options.boolean("dry-run").pipe(
        Options.withDescription(
          "write nothing: print what the upsert would change (as mreg diff does) and exit 3 when the registry would " +
            "reject it"
        )
      ),
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
        if (args.dryRun) {
          const plan = yield* withRegistry(options, args.host, (registry) =>
            Diff.plan(registry, manifest, { ifMatch: Option.getOrUndefined(args.ifMatch), createOnly: args.createOnly }))
          return yield* printPlan(Option.getOrElse(args.output, () => "table" as const), plan)
        }
        const result = yield* withRegistry(options, args.host, (registry) =>
          registry.upsert(manifest, {
            idempotencyKey: Option.getOrElse(args.idempotencyKey, () => randomUUID()),
            ifMatch: Option.getOrUndefined(args.ifMatch),
            ifNoneMatch: args.createOnly ? "*" : undefined
          })).pipe(
            Effect.catchTag("ValidationError", (error) =>
              Effect.fail(new Failure.InvalidInput({ what: `manifest ${ManifestFile.displayName(args.file)}`, error })))
          )
        yield* printModelVersion(Option.getOrElse(args.output, () => "json" as const), result, {
          status: result.replayed ? "replayed" : result.created ? "created" : "updated"
        })
      })
  ).pipe(
    Command.withDescription(
      "Create a model version, or update one when the manifest names an existing version. With --dry-run, only show " +
        "what would change."
    )
  )

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
        yield* printAs(args.output, () => Output.pageBody(page), (style) => Output.pageTable(page, style))
      })
  ).pipe(Command.withDescription("List model versions, newest version first within each model, with offset pagination."))

const delete_ = (options: Options) =>
  Command.make(
    "delete",
    { id: modelVersionId("id"), output, host: Registry.host },
    (args) =>
      Effect.gen(function*() {
        yield* withRegistry(options, args.host, (registry) => registry.delete(args.id))
        yield* printAs(args.output, () => ({}), () => `deleted ${args.id}`)
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
        yield* printAs(args.output, () => ({}), () => `tagged ${args.id}: ${request.tags.join(", ")}`)
      })
  ).pipe(
    Command.withDescription(
      "Set the tags of a model version (replacing its current tags). Tags are unique within a model, ignoring case: " +
        "a tag another version holds fails with exit 3 unless --force moves it."
    )
  )

const diff = (options: Options) =>
  Command.make(
    "diff",
    {
      file,
      output: outputChoice.pipe(
        Options.withDefault("table" as Output.Format),
        Options.withDescription("table: one line per change, for people (default); json or yaml: {action, version, changes, problems}")
      ),
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const manifest = yield* ManifestFile.load(args.file)
        const plan = yield* withRegistry(options, args.host, (registry) => Diff.plan(registry, manifest))
        yield* printPlan(args.output, plan)
      })
  ).pipe(
    Command.withDescription(
      "Show what upserting a manifest would change, field by field, without writing: a new version, or for an existing " +
        "version + added, - cleared (PUT replaces description, metadata, version_alias, framework, environment) and ~ " +
        "changed fields. Changes the registry would reject (source, step or run_id of an existing version, an alias in " +
        "use, a deleted version) are marked with ! and exit 3 (2 for a version beyond the next)."
    )
  )

const encodeManifest = Schema.encodeSync(ModelManifest.ModelManifest)

const optionalText = (name: string, description: string) =>
  Options.text(name).pipe(Options.optional, Options.withDescription(description))

const init = Command.make(
  "init",
  {
    from: Options.text("from").pipe(Options.withDescription("the model folder to read (Hugging Face, scikit-learn, XGBoost, ONNX)")),
    outputFile: Options.text("output-file").pipe(
      Options.withAlias("o"),
      Options.optional,
      Options.withDescription("write the manifest to this file instead of stdout (YAML, or JSON for a .json name)")
    ),
    format: Options.choice("format", ["yaml", "json"]).pipe(
      Options.optional,
      Options.withDescription("yaml (default) or json; default json when --output-file ends with .json")
    ),
    force: Options.boolean("force").pipe(Options.withDescription("overwrite --output-file when it exists")),
    name: optionalText("name", "model name (default: the folder name, with other characters than letters, digits, _ and - made -)"),
    mlRepo: optionalText("ml-repo", `ML repo (default: ${ModelFolder.DEFAULT_ML_REPO})`),
    description: optionalText("description", "description of the model version"),
    sourceUri: optionalText(
      "source-uri",
      "where the model files are stored, such as s3://bucket/path/ (an external source; default: a local source, the folder)"
    ),
    pythonVersion: optionalText("python-version", "environment.python_version, MAJOR.MINOR[.PATCH] such as 3.10 (default: none)")
  },
  (args) =>
    Effect.gen(function*() {
      const out = yield* Output.Output
      const fs = yield* FileSystem.FileSystem
      const target = Option.getOrUndefined(args.outputFile)
      if (target !== undefined && !args.force && (yield* fs.exists(target).pipe(Effect.orElseSucceed(() => false)))) {
        return yield* Effect.fail(new Failure.FileError({ file: target, message: `${target} exists: choose another file, or overwrite it with --force` }))
      }
      const inference = yield* ModelFolder.inspect(args.from)
      const built = ModelFolder.manifest(inference, {
        from: args.from,
        name: args.name,
        mlRepo: args.mlRepo,
        sourceUri: args.sourceUri,
        pythonVersion: args.pythonVersion,
        description: args.description
      })
      for (const note of [...built.notes, ...inference.notes]) yield* out.stderr(note)
      const manifest = yield* Either.mapLeft(
        Validation.decodeManifest(built.manifest),
        (error) => new Failure.InvalidInput({ what: `manifest made from ${args.from}`, error })
      )
      const syntax = Option.getOrElse(args.format, () => (target !== undefined && ManifestFile.syntaxOf(target) === "json" ? "json" : "yaml"))
      const text = Output.data(syntax, { manifest: encodeManifest(manifest) })
      if (target === undefined) return yield* out.stdout(text)
      yield* fs.writeFileString(target, `${text}\n`).pipe(
        Effect.mapError((error) => new Failure.FileError({ file: target, message: `cannot write ${target}: ${error.message}` }))
      )
      yield* out.stderr(`wrote ${target}`)
    })
).pipe(
  Command.withDescription(
    "Write a manifest for a model folder: framework, model card (README.md front matter) and requirements.txt are " +
      "read, each inferred field is explained on stderr, and the manifest is validated before it is written " +
      "(stdout, or --output-file)."
  )
)

const SHELLS = ["bash", "zsh", "fish"] as const

type Shell = (typeof SHELLS)[number]

/** `script` gives the completion script of the whole command tree (a thunk: the tree contains this command). */
const completion = (script: () => (shell: Shell) => Effect.Effect<Array<string>>) =>
  Command.make(
    "completion",
    { shell: Args.choice(SHELLS.map((shell) => [shell, shell] as [string, Shell]), { name: "shell" }) },
    (args) => Effect.flatMap(script()(args.shell), (lines) => print(lines.join("\n")))
  ).pipe(
    Command.withDescription(
      "Print the shell completion script: source <(mreg completion bash) in bash, source <(mreg completion zsh) in " +
        "zsh, mreg completion fish | source in fish."
    )
  )

/**
 * The `mreg` command tree. Running `mreg` without a subcommand is a usage error.
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options) => {
  const root = Command.make("mreg", {}, () =>
    Effect.fail(
      new Failure.UsageError({
        message: "missing command: one of upsert, validate, get, list, delete, tag, init, diff, completion (see mreg --help)"
      })
    )).pipe(
      Command.withDescription(DESCRIPTION),
      Command.withSubcommands([
        upsert(options),
        validate,
        get(options),
        list(options),
        delete_(options),
        tag(options),
        init,
        diff(options),
        completion(() => script)
      ])
    )
  // Defined after `root`, which it describes; the completion command reads it only when it runs.
  const script = (shell: Shell): Effect.Effect<Array<string>> =>
    shell === "bash"
      ? Command.getBashCompletions(root, "mreg")
      : shell === "zsh"
      ? Command.getZshCompletions(root, "mreg")
      : Command.getFishCompletions(root, "mreg")
  return root
}

const defectMessage = (defect: unknown): string =>
  defect instanceof Error ? defect.message : typeof defect === "string" ? defect : "unknown defect"

/**
 * Runs `mreg` on a full `process.argv` and succeeds with the exit code: failures are printed to stderr (usage errors
 * by `@effect/cli` itself) and turned into their {@link ExitCode}; unexpected defects print one line, exit code 1.
 * Everything printed goes through `Output.terminalConsole`: no escape codes where colour is off.
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
  return Effect.gen(function*() {
    const support = yield* Output.colorSupport
    const console = yield* Effect.console
    return yield* cli(argv).pipe(
      Effect.as<ExitCode.ExitCode>(ExitCode.OK),
      Effect.catchAll((failure) =>
        CliValidationError.isValidationError(failure)
          ? Effect.succeed<ExitCode.ExitCode>(ExitCode.USAGE)
          : Effect.flatMap(Output.Output, (out) => out.stderr(Failure.render(failure, out.stderrStyle))).pipe(
            Effect.as(Failure.exitCode(failure))
          )
      ),
      Effect.catchAllDefect((defect) =>
        Effect.flatMap(Output.Output, (out) => out.stderr(`error: unexpected failure: ${defectMessage(defect)}`)).pipe(
          Effect.as(ExitCode.FAILURE)
        )
      ),
      Effect.provide(Output.Output.Default),
      Effect.withConsole(Output.terminalConsole(console, support))
    )
  })
}
