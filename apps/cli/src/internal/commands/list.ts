/**
 * `mreg list`.
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { ModelVersions, RegistryError, Validation } from "@mreg/core"
import { Effect, Either, Option, Schema } from "effect"
import * as Failure from "../../Failure.js"
import * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import { describe, takes } from "../help.js"
import { output, printAs, withRegistry } from "./shared.js"

const text = (name: string, placeholder: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName(placeholder), Options.optional, Options.withDescription(description))

/** `--flag` names of the `ListQuery` fields the `list` command sets. */
const LIST_FLAGS: Record<string, string> = {
  ml_repo: "--ml-repo",
  name: "--name",
  tag: "--tag",
  limit: "--limit",
  offset: "--offset"
}

/** The largest page, from `ModelVersions.ListQuery`'s rule (checked there; stated here for help and usage errors). */
const MAX_LIMIT = 1000

const decodeListQuery = Schema.decodeUnknownEither(ModelVersions.ListQuery, { errors: "all", onExcessProperty: "error" })

export const list = (options: Registry.Layers) =>
  Command.make(
    "list",
    {
      mlRepo: text("ml-repo", "REPO", "only this ML repo (by name)"),
      name: text("name", "NAME", "only versions of models with this name"),
      tag: text("tag", "TAG", "only versions with this tag (ignoring case)"),
      limit: Options.integer("limit").pipe(
        takes("limit", `an integer from 1 to ${MAX_LIMIT}`),
        Options.optional,
        Options.withDescription(`versions per page, 1 to ${MAX_LIMIT} (default ${ModelVersions.DEFAULT_LIMIT})`)
      ),
      offset: Options.integer("offset").pipe(
        takes("offset", "an integer, 0 or more"),
        Options.optional,
        Options.withDescription("versions to skip, for the next pages (default 0)")
      ),
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
  ).pipe(Command.withDescription(describe({
    summary: "List model versions",
    details: "Newest version first within each model; one page at a time (--limit, --offset). The JSON output " +
      "has the page's data and its pagination (total, offset, limit).",
    examples: [
      { what: "the versions of one model, for people", command: "mreg list --ml-repo nlp-team --name sentiment-clf -o table" },
      { what: "the ids of the versions tagged production", command: "mreg list --tag production | jq -r '.data[].id'" },
      { what: "the second page of 100", command: "mreg list --limit 100 --offset 100" }
    ]
  })))
