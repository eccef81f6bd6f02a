/**
 * `mreg list`.
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { ModelVersion, ModelVersions } from "@mreg/core"
import { Chunk, Effect, Option, Stream } from "effect"
import * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import { decodeOptions, defined, output, printAs, withRegistry } from "./shared.js"

/** `--flag` names of the `ListQuery` fields the `list` command sets. */
const LIST_FLAGS: Record<string, string> = {
  ml_repo: "--ml-repo",
  name: "--name",
  tag: "--tag",
  limit: "--limit",
  offset: "--offset"
}

const decodeListQuery = decodeOptions(ModelVersions.ListQuery, "list options", LIST_FLAGS)

/**
 * Every version of `query` as one page (`total` and `limit` = the count, `offset` the start): a walk by page tokens,
 * each version once even while others are created or deleted (`ModelVersions.stream`).
 */
const everyPage = (registry: ModelVersions.Service, query: ModelVersions.ListQuery) =>
  Effect.map(Stream.runCollect(ModelVersions.stream(registry, query)), (versions) =>
    new ModelVersion.ModelVersionPage({
      data: Chunk.toReadonlyArray(versions),
      pagination: { total: Chunk.size(versions), offset: query.offset ?? 0, limit: Chunk.size(versions) }
    }, true))

export const list = (options: Registry.Layers) =>
  Command.make(
    "list",
    {
      mlRepo: Options.text("ml-repo").pipe(Options.optional, Options.withDescription("only this ML repo (by name)")),
      name: Options.text("name").pipe(Options.optional, Options.withDescription("only models with this name")),
      tag: Options.text("tag").pipe(Options.optional, Options.withDescription("only versions with this tag (ignoring case)")),
      limit: Options.integer("limit").pipe(Options.optional, Options.withDescription(`page size, 1–1000 (default ${ModelVersions.DEFAULT_LIMIT})`)),
      offset: Options.integer("offset").pipe(Options.optional, Options.withDescription("versions to skip (default 0)")),
      all: Options.boolean("all").pipe(
        Options.withDescription("every matching version, fetched page after page (--limit per request) with page tokens")
      ),
      output,
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const query = yield* decodeListQuery(defined({
          ml_repo: Option.getOrUndefined(args.mlRepo),
          name: Option.getOrUndefined(args.name),
          tag: Option.getOrUndefined(args.tag),
          limit: Option.getOrUndefined(args.limit),
          offset: Option.getOrUndefined(args.offset)
        }))
        const page = yield* withRegistry(options, args.host, (registry) => args.all ? everyPage(registry, query) : registry.list(query))
        yield* printAs(args.output, () => Output.pageBody(page), (style) => Output.pageTable(page, style))
      })
  ).pipe(Command.withDescription("List model versions, newest version first within each model, with offset pagination (--all: every page)."))
