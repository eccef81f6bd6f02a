/**
 * `mreg models list|get|delete`: TrueFoundry's models (`GET /models`, `GET /models/{id}`, `DELETE /models/{id}`).
 * `get` and `delete` take a model id or a model FQN (`internal/resolve.ts`).
 * @internal
 */
import { Command, Options, Prompt } from "@effect/cli"
import { Model, ModelVersions } from "@mreg/core"
import { Effect, Option, Schema } from "effect"
import * as Failure from "../../Failure.js"
import * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import { describe } from "../help.js"
import { modelArg, parseModel, resolveModel } from "../resolve.js"
import { checkedFilter, decodeOptions, defined, filterOption, output, pageOptions, print, printAs, textOption, withRegistry } from "./shared.js"

const orDash = (value: string | undefined): string => (value === undefined || value.length === 0 ? "-" : value)

// Made on first use: the bundle evaluates `Model` only when a command reads one (see build.mjs, `lazyModules`).
const encodeModel = (model: Model.Model) => Schema.encodeSync(Model.Model)(model)
const encodePage = (page: Model.ModelPage) => Schema.encodeSync(Model.ModelPage)(page)

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

/** A page of models as columns `ID FQN LATEST UPDATED` (the id, which `models get` and `models delete` take), then `N of TOTAL (offset O, limit L)`. */
const pageTable = (page: Model.ModelPage, style: Output.Palette): string => {
  const rows = page.data.map((model) => [model.id, model.fqn, latestOf(model), orDash(model.updated_at)])
  const { limit, offset, total } = page.pagination
  return `${Output.columns(["ID", "FQN", "LATEST", "UPDATED"], rows, style)}\n` +
    style.dim(`${page.data.length} of ${total} (offset ${offset}, limit ${limit})`)
}

/** `--flag` names of the `Model.ListQuery` fields. */
const FLAGS: Record<string, string> = {
  fqn: "--fqn",
  ml_repo: "--ml-repo",
  name: "--name",
  run_id: "--run-id",
  filter: "--filter",
  limit: "--limit",
  offset: "--offset"
}

const decodeQuery = (raw: Record<string, unknown>) => decodeOptions(Model.ListQuery, "models list options", FLAGS)(raw)

const EXAMPLE_FQN = "model:default/nlp-team/sentiment-clf"

const list = (options: Registry.Layers) =>
  Command.make(
    "list",
    {
      fqn: textOption("fqn", "FQN", "only this model: model:{tenant}/{ml_repo}/{name}"),
      mlRepo: textOption("ml-repo", "REPO", "only this ML repo (by name)"),
      name: textOption("name", "NAME", "only models with this name"),
      runId: textOption("run-id", "RUN", "only models with a live version logged by this run"),
      filter: filterOption("models with a live version"),
      withoutEmpty: Options.boolean("without-empty").pipe(Options.withDescription("leave out models whose versions were all deleted")),
      ...pageOptions("models"),
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
          filter: yield* checkedFilter(args.filter),
          limit: Option.getOrUndefined(args.limit),
          offset: Option.getOrUndefined(args.offset)
        })
        const fqn = typeof raw.fqn === "string" ? Model.parseFqn(raw.fqn) : undefined
        if (fqn !== undefined && "message" in fqn) return yield* new Failure.UsageError({ message: `--fqn ${fqn.message}` })
        const query = yield* decodeQuery(raw)
        const page = yield* withRegistry(options, args.host, (registry) => registry.listModels(query))
        yield* printAs(args.output, () => encodePage(page), (style) => pageTable(page, style))
      })
  ).pipe(Command.withDescription(describe({
    summary: "List models, each with its latest live version",
    details: "A model is an ML repo and a name; its versions are what mreg upsert registers. Sorted by ML repo, then " +
      "name; one page at a time (--limit, --offset). The JSON output is TrueFoundry's: the page's data and its " +
      "pagination (total, offset, limit).",
    examples: [
      { what: "the models of an ML repo, for people", command: "mreg models list --ml-repo nlp-team -o table" },
      { what: "one model by FQN", command: `mreg models list --fqn ${EXAMPLE_FQN}` },
      { what: "the models that still have a version", command: "mreg models list --without-empty" },
      { what: "the models with a version tagged prod", command: "mreg models list --filter 'tag = \"prod\"'" }
    ]
  })))

const get = (options: Registry.Layers) =>
  Command.make("get", { ref: modelArg, output, host: Registry.host }, (args) =>
    Effect.gen(function*() {
      const ref = yield* parseModel(args.ref)
      const model = yield* withRegistry(options, args.host, (registry) => resolveModel(registry, ref))
      yield* printAs(args.output, () => ({ data: encodeModel(model) }), (style) => modelTable(model, style))
    })).pipe(Command.withDescription(describe({
      summary: "Show a model: its FQN, latest live version and run steps",
      details: "Takes the model's id or its FQN; a model version FQN names its model. An unknown model exits 4.",
      examples: [
        { what: "a model by FQN, for people", command: `mreg models get ${EXAMPLE_FQN} -o table` },
        { what: "the model of a version", command: `mreg models get ${EXAMPLE_FQN}:latest` },
        { what: "a model by id", command: "mreg models get a8f3c2d4-1b6e-4e7f-8a90-3c5d7e9f1b2a" }
      ]
    })))

const versions = (n: number) => (n === 1 ? "1 version" : `${n} versions`)

const delete_ = (options: Registry.Layers) =>
  Command.make(
    "delete",
    {
      ref: modelArg,
      yes: Options.boolean("yes").pipe(
        Options.withAlias("y"),
        Options.withDescription("delete without asking (required when stdin is not a terminal, as in scripts and CI)")
      ),
      output,
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const ref = yield* parseModel(args.ref)
        const { count, model } = yield* withRegistry(options, args.host, (registry) =>
          Effect.flatMap(resolveModel(registry, ref), (model) =>
            Effect.map(
              registry.list(new ModelVersions.ListQuery({ model_id: model.id, limit: 1 })),
              (page) => ({ model, count: page.pagination.total })
            )))
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
        yield* withRegistry(options, args.host, (registry) => registry.deleteModel(model.id))
        yield* printAs(args.output, () => ({}), () => `deleted ${what}`)
      })
  ).pipe(Command.withDescription(describe({
    summary: "Delete a model and every version of it",
    details: "Takes the model's id or its FQN (a model version FQN names its model). On a terminal it asks first, " +
      "naming the model and how many versions it has; --yes skips the question and is required without a terminal. " +
      "A later upsert of the same name creates a new model whose versions start at 1.",
    examples: [
      { what: "delete a model, after a confirmation", command: `mreg models delete ${EXAMPLE_FQN}` },
      { what: "in a script", command: `mreg models delete ${EXAMPLE_FQN} --yes` }
    ]
  })))

export const models = (options: Registry.Layers) =>
  Command.make("models").pipe(
    Command.withDescription(describe({
      summary: "List, show and delete models (an ML repo and a name, holding versions)",
      details: "TrueFoundry's models: each model is an ML repo and a name, and holds the versions mreg upsert " +
        "registers. get and delete take a model id or a model FQN model:{tenant}/{ml_repo}/{name}.",
      examples: [
        { what: "the models of an ML repo, for people", command: "mreg models list --ml-repo nlp-team -o table" },
        { what: "one model, by FQN", command: `mreg models get ${EXAMPLE_FQN}` }
      ]
    })),
    Command.withSubcommands([list(options), get(options), delete_(options)])
  )
