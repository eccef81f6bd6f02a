/**
 * `mreg list`.
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { ModelVersion, ModelVersions } from "@mreg/core"
import { Chunk, Effect, Option, Stream } from "effect"
import * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import { describe } from "../help.js"
import { checkedFilter, decodeOptions, defined, filterOption, output, pageOptions, printAs, textOption, withRegistry } from "./shared.js"

/** `--flag` names of the `ListQuery` fields the `list` command sets. */
const LIST_FLAGS: Record<string, string> = {
  ml_repo: "--ml-repo",
  name: "--name",
  tag: "--tag",
  filter: "--filter",
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
      mlRepo: textOption("ml-repo", "REPO", "only this ML repo (by name)"),
      name: textOption("name", "NAME", "only versions of models with this name"),
      tag: textOption("tag", "TAG", "only versions with this tag (ignoring case)"),
      filter: filterOption("versions"),
      ...pageOptions("versions"),
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
          filter: yield* checkedFilter(args.filter),
          limit: Option.getOrUndefined(args.limit),
          offset: Option.getOrUndefined(args.offset)
        }))
        const page = yield* withRegistry(options, args.host, (registry) => args.all ? everyPage(registry, query) : registry.list(query))
        yield* printAs(args.output, () => Output.pageBody(page), (style) => Output.pageTable(page, style))
      })
  ).pipe(Command.withDescription(describe({
    summary: "List model versions",
    details: "Newest version first within each model; one page at a time (--limit, --offset), or every page " +
      "with --all (page tokens: each version once, even while others are created or deleted). --filter takes an " +
      "expression over fields, tags and metadata (docs/filter.md). The JSON output " +
      "has the page's data and its pagination (total, offset, limit, next_page_token when a next page exists).",
    examples: [
      { what: "the versions of one model, for people", command: "mreg list --ml-repo nlp-team --name sentiment-clf -o table" },
      { what: "the ids of the versions tagged production", command: "mreg list --tag production | jq -r '.data[].id'" },
      { what: "search metadata, tags and dates", command: "mreg list --filter 'metadata.accuracy >= 0.9 and tag = \"prod\" and created_at > \"2026-01-01\"'" },
      { what: "the second page of 100", command: "mreg list --limit 100 --offset 100" },
      { what: "every version of an ML repo, as one JSON page", command: "mreg list --ml-repo nlp-team --all" }
    ]
  })))
