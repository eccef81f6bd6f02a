/**
 * `mreg history`.
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { type ModelVersion, ModelVersions, type RegistryError } from "@mreg/core"
import { Effect, Option, Schema } from "effect"
import * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import { describe } from "../help.js"
import * as Resolve from "../resolve.js"
import { decodeOptions, defined, outputChoice, pageOptions, printAs, withRegistry } from "./shared.js"

const decodePaging = decodeOptions(
  Schema.Struct({ limit: ModelVersions.ListQuery.fields.limit, offset: ModelVersions.ListQuery.fields.offset }),
  "history options",
  { limit: "--limit", offset: "--offset" }
)

/** The id `ref` names: an id as it is (a deleted version keeps its history), an FQN through the registry. */
const idOf = (registry: ModelVersions.Service, ref: Resolve.Ref): Effect.Effect<ModelVersion.ModelVersionId, RegistryError.RegistryError> =>
  ref._tag === "Id" ? Effect.succeed(ref.id) : Effect.map(Resolve.resolve(registry, ref), ({ modelVersion }) => modelVersion.id)

export const history = (options: Registry.Layers) =>
  Command.make(
    "history",
    {
      ref: Resolve.versionArg,
      ...pageOptions("events"),
      output: outputChoice.pipe(
        Options.withDefault("table" as Output.Format),
        Options.withDescription("table: one line per changed field, for people (default); json: the API's response body; yaml: the same body")
      ),
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const ref = yield* Resolve.parse(args.ref)
        const query = yield* decodePaging(defined({ limit: Option.getOrUndefined(args.limit), offset: Option.getOrUndefined(args.offset) }))
        const page = yield* withRegistry(options, args.host, (registry) =>
          Effect.flatMap(idOf(registry, ref), (id) => registry.history(id, query)))
        yield* printAs(args.output, () => page, (style) => Output.historyTable(page, style))
      })
  ).pipe(Command.withDescription(describe({
    summary: "Show the history of a model version: who changed what, and when",
    details: "One event per write, oldest first: created, updated (an identical upsert shows (no change)), " +
      "tags_applied and deleted. The table has one line per changed field: + path = value (set), - path = value " +
      "(cleared), ~ path: before → after (changed); paths are dotted (metadata.accuracy), a key holding a dot or a " +
      "space is quoted (metadata.\"top.k\"). A deleted version keeps its history: name it by id.",
    examples: [
      { what: "what happened to the latest version", command: "mreg history model:default/nlp-team/sentiment-clf:latest" },
      { what: "a deleted version, by id, as JSON", command: "mreg history 3d0c5a4e-1111-4222-8333-944455556666 -o json" },
      { what: "every changed path, as JSON lines", command: "mreg history model:default/nlp-team/sentiment-clf:3 -o json | jq -c '.data[].changes[]'" }
    ]
  })))
