/**
 * `mreg models list|get|delete`: TrueFoundry's models (`GET /models`, `GET /models/{id}`, `DELETE /models/{id}`).
 * @internal
 */
import { Args, Command, Options, Prompt } from "@effect/cli"
import { Model, ModelVersions } from "@mreg/core"
import { Effect, Option, Schema } from "effect"
import * as Failure from "../../Failure.js"
import * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import { decodeOptions, defined, output, print, printAs, withRegistry } from "./shared.js"

const modelId = Args.text({ name: "id" }).pipe(Args.withSchema(Model.ModelId), Args.withDescription("the model's id"))

const orDash = (value: string | undefined): string => (value === undefined || value.length === 0 ? "-" : value)

const encodeModel = Schema.encodeSync(Model.Model)
const encodePage = Schema.encodeSync(Model.ModelPage)

const latestOf = (model: Model.Model): string =>
  model.latest_version === undefined ? "-" : String(model.latest_version.manifest.version ?? "-")

/** A model as `Key: value` lines. */
const modelTable = (model: Model.Model, style: Output.Palette): string =>
  Output.keyValues([
    ["ID", model.id],
    ["FQN", model.fqn],
    ["ML repo ID", model.ml_repo_id],
    ["Name", model.name],
    ["Latest version", model.latest_version === undefined ? "- (every version deleted)" : `${latestOf(model)} (${model.latest_version.fqn})`],
    ["Run steps", orDash(model.run_steps?.join(", "))],
    ["Created by", `${model.created_by_subject.subjectId} (${model.created_by_subject.subjectType})`],
    ["Created", orDash(model.created_at)],
    ["Updated", orDash(model.updated_at)]
  ], style)

/** A page of models as columns `FQN LATEST UPDATED`, then `N of TOTAL (offset O, limit L)`. */
const pageTable = (page: Model.ModelPage, style: Output.Palette): string => {
  const rows = page.data.map((model) => [model.fqn, latestOf(model), orDash(model.updated_at)])
  const { limit, offset, total } = page.pagination
  return `${Output.columns(["FQN", "LATEST", "UPDATED"], rows, style)}\n` +
    style.dim(`${page.data.length} of ${total} (offset ${offset}, limit ${limit})`)
}

/** `--flag` names of the `Model.ListQuery` fields. */
const FLAGS: Record<string, string> = {
  fqn: "--fqn",
  ml_repo: "--ml-repo",
  name: "--name",
  run_id: "--run-id",
  limit: "--limit",
  offset: "--offset"
}

const decodeQuery = decodeOptions(Model.ListQuery, "models list options", FLAGS)

const text = (name: string, description: string) => Options.text(name).pipe(Options.optional, Options.withDescription(description))

const list = (options: Registry.Layers) =>
  Command.make(
    "list",
    {
      fqn: text("fqn", "only this model: model:{tenant}/{ml_repo}/{name}"),
      mlRepo: text("ml-repo", "only this ML repo (by name)"),
      name: text("name", "only models with this name"),
      runId: text("run-id", "only models with a version logged by this run"),
      withoutEmpty: Options.boolean("without-empty").pipe(Options.withDescription("leave out models whose versions were all deleted")),
      limit: Options.integer("limit").pipe(Options.optional, Options.withDescription(`page size, 1–1000 (default ${ModelVersions.DEFAULT_LIMIT})`)),
      offset: Options.integer("offset").pipe(Options.optional, Options.withDescription("models to skip (default 0)")),
      output,
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const raw = defined({
          fqn: Option.getOrUndefined(args.fqn),
          ml_repo: Option.getOrUndefined(args.mlRepo),
          name: Option.getOrUndefined(args.name),
          run_id: Option.getOrUndefined(args.runId),
          include_empty_models: args.withoutEmpty ? false : undefined,
          limit: Option.getOrUndefined(args.limit),
          offset: Option.getOrUndefined(args.offset)
        })
        const fqn = typeof raw.fqn === "string" ? Model.parseFqn(raw.fqn) : undefined
        if (fqn !== undefined && "message" in fqn) return yield* new Failure.UsageError({ message: `--fqn ${fqn.message}` })
        const query = yield* decodeQuery(raw)
        const page = yield* withRegistry(options, args.host, (registry) => registry.listModels(query))
        yield* printAs(args.output, () => encodePage(page), (style) => pageTable(page, style))
      })
  ).pipe(Command.withDescription("List models (ML repo, then name), each with its latest live version, with offset pagination."))

const get = (options: Registry.Layers) =>
  Command.make("get", { id: modelId, output, host: Registry.host }, (args) =>
    Effect.gen(function*() {
      const model = yield* withRegistry(options, args.host, (registry) => registry.getModel(args.id))
      yield* printAs(args.output, () => ({ data: encodeModel(model) }), (style) => modelTable(model, style))
    })).pipe(Command.withDescription("Show a model by id: its FQN, latest live version and run steps."))

const versions = (n: number) => (n === 1 ? "1 version" : `${n} versions`)

const delete_ = (options: Registry.Layers) =>
  Command.make(
    "delete",
    {
      id: modelId,
      yes: Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("delete without asking (needed when stdin is not a terminal)")),
      output,
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const { count, model } = yield* withRegistry(options, args.host, (registry) =>
          Effect.all({
            model: registry.getModel(args.id),
            count: Effect.map(registry.list(new ModelVersions.ListQuery({ model_id: args.id, limit: 1 })), (page) => page.pagination.total)
          }))
        const what = `model ${model.fqn} and its ${versions(count)}`
        if (!args.yes) {
          if (process.stdin.isTTY !== true) {
            return yield* new Failure.UsageError({ message: `deleting ${what} needs confirmation: stdin is not a terminal, pass --yes` })
          }
          const confirmed = yield* Prompt.confirm({ message: `Delete ${what}? This cannot be undone.`, initial: false }).pipe(
            Effect.catchTag("QuitException", () => Effect.succeed(false))
          )
          if (!confirmed) return yield* print("nothing deleted")
        }
        yield* withRegistry(options, args.host, (registry) => registry.deleteModel(args.id))
        yield* printAs(args.output, () => ({}), () => `deleted ${what}`)
      })
  ).pipe(Command.withDescription(
    "Delete a model and every version of it. Asks for confirmation on a terminal (--yes skips it). A later upsert of the same name creates a new model whose versions start at 1."
  ))

export const models = (options: Registry.Layers) =>
  Command.make("models").pipe(
    Command.withDescription("TrueFoundry's models: list, show and delete (a model is an ML repo and a name)."),
    Command.withSubcommands([list(options), get(options), delete_(options)])
  )
