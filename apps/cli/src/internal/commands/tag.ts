/**
 * `mreg tag add|remove|set ID|FQN TAG…`, and the older `mreg tag ID TAG…` (as `set`, with a note on stderr).
 *
 * The API has one tag operation, `PUT /model-versions/tags`, which replaces a version's set of tags and takes no
 * `If-Match`. `add` and `remove` read the current tags, work out the new set and write it only when it differs; a
 * tag change another client makes between that read and that write is overwritten (the API gives no way to detect
 * it). Tags compare ignoring case, as the registry compares them: `add Prod` to a version tagged `prod` changes
 * nothing.
 *
 * Output: the API's body `{}` for `--output json|yaml` (as before), and a line saying what changed, on stdout with
 * `--output table`, on stderr otherwise: `model:…:1: added prod; removed Stable; unchanged stable-2`.
 * @internal
 */
import { Args, Command, Options } from "@effect/cli"
import { ModelVersions, Validation } from "@mreg/core"
import { Effect, Either, Option, Schema } from "effect"
import * as Failure from "../../Failure.js"
import * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import * as Help from "../help.js"
import { parse, versionArg } from "../resolve.js"
import { output, printAs, withVersion } from "./shared.js"

type Action = "add" | "remove" | "set"

const decodeRequest = Schema.decodeUnknownEither(ModelVersions.ApplyTagsRequest, { errors: "all", onExcessProperty: "error" })

const decodeApplyTags = (input: unknown) =>
  Either.mapLeft(decodeRequest(input), (error) => new Failure.InvalidInput({ what: "tags", error: Validation.fromParseError(error, []) }))

/** What a tag command changed: tags added, removed, and held before and after (`unchanged`). */
interface Outcome {
  readonly fqn: string
  readonly added: ReadonlyArray<string>
  readonly removed: ReadonlyArray<string>
  readonly unchanged: ReadonlyArray<string>
}

const has = (tags: ReadonlyArray<string>, tag: string) => tags.some((held) => held.toLowerCase() === tag.toLowerCase())

/** The tags a version holds after `action` with `given` on `current` (order: kept ones first, then new ones). */
export const nextTags = (action: Action, current: ReadonlyArray<string>, given: ReadonlyArray<string>): ReadonlyArray<string> => {
  const unique = given.filter((tag, i) => !has(given.slice(0, i), tag))
  switch (action) {
    case "add":
      return [...current, ...unique.filter((tag) => !has(current, tag))]
    case "remove":
      return current.filter((tag) => !has(unique, tag))
    case "set":
      return unique
  }
}

/** One line for people: `FQN: added a, b; removed c; unchanged d`, or `FQN: no change; unchanged d`. */
export const describe = (outcome: Outcome): string => {
  const parts = ([["added", outcome.added], ["removed", outcome.removed], ["unchanged", outcome.unchanged]] as const)
    .filter(([, tags]) => tags.length > 0)
    .map(([what, tags]) => `${what} ${tags.join(", ")}`)
  const changed = outcome.added.length + outcome.removed.length > 0
  return `${outcome.fqn}: ${[...(changed ? [] : ["no change"]), ...parts].join("; ")}`
}

const run = (
  options: Registry.Layers,
  action: Action,
  args: {
    readonly ref: string
    readonly tags: ReadonlyArray<string>
    readonly force: boolean
    readonly output: Output.Format
    readonly host: Parameters<typeof Registry.target>[0]
  }
) =>
  Effect.gen(function*() {
    // Checked before the registry is opened (the id is a placeholder here; the real one comes from the read).
    yield* decodeApplyTags({ model_version_id: "-", tags: args.tags, force: args.force })
    const outcome = yield* withVersion(options, args.host, args.ref, (registry, { modelVersion }) =>
      Effect.gen(function*() {
        const before = modelVersion.tags
        const after = nextTags(action, before, args.tags)
        const outcome: Outcome = {
          fqn: modelVersion.fqn,
          added: after.filter((tag) => !has(before, tag)),
          removed: before.filter((tag) => !has(after, tag)),
          unchanged: before.filter((tag) => has(after, tag))
        }
        if (after.length !== before.length || after.some((tag, i) => tag !== before[i])) {
          const request = yield* decodeApplyTags({ model_version_id: modelVersion.id, tags: after, force: args.force })
          yield* registry.applyTags(request)
        }
        return outcome
      }))
    const line = describe(outcome)
    if (args.output !== "table") yield* Effect.flatMap(Output.Output, (out) => out.stderr(line))
    yield* printAs(args.output, () => ({}), () => line)
  })

const common = { ref: versionArg, output, host: Registry.host }

const force = Options.boolean("force").pipe(Options.withDescription("move tags that another version of the model holds to this one"))

const tagsArg = Args.text({ name: "TAG" }).pipe(
  Args.atLeast(1),
  Args.withDescription("tags: 1–128 letters, digits, \".\", \"_\" or \"-\", starting with a letter or digit")
)

const FQN = "model:default/nlp-team/sentiment-clf"

const child = (options: Registry.Layers, action: "add" | "set", description: Help.Description) =>
  Command.make(action, { ...common, force, tags: tagsArg }, (args) => run(options, action, args)).pipe(
    Command.withDescription(Help.describe(description))
  )

export const tag = (options: Registry.Layers) =>
  Command.make(
    "tag",
    {
      ...common,
      force,
      ref: versionArg.pipe(Args.optional),
      tags: Args.text({ name: "TAG" }).pipe(Args.repeated, Args.withDescription("older form: mreg tag ID|FQN TAG… is mreg tag set"))
    },
    (args) =>
      Effect.gen(function*() {
        if (Option.isNone(args.ref) || args.tags.length === 0) {
          return yield* Effect.fail(
            new Failure.UsageError({
              message: "say what to do: mreg tag add|remove|set ID|FQN TAG… (see mreg tag --help)"
            })
          )
        }
        yield* parse(args.ref.value) // a malformed FQN fails before the note
        yield* Effect.flatMap(Output.Output, (out) =>
          out.stderr("note: mreg tag ID TAG… replaces all tags of the version (as mreg tag set); mreg tag add keeps the others"))
        yield* run(options, "set", { ...args, ref: args.ref.value })
      })
  ).pipe(
    Command.withDescription(Help.describe({
      summary: "Add, remove or set the tags of a model version",
      details: "Each prints what changed: added, removed, unchanged. Tags are unique within a model, ignoring case: " +
        "a tag another version holds fails with exit 3 unless --force moves it. The older form mreg tag ID|FQN " +
        "TAG… replaces all tags, as mreg tag set does.",
      examples: [
        { what: "tag the latest version production, keeping its other tags", command: `mreg tag add ${FQN}:latest production` },
        { what: "remove a tag", command: `mreg tag remove ${FQN}:3 staging` }
      ]
    })),
    Command.withSubcommands([
      child(options, "add", {
        summary: "Add tags to a model version, keeping its other tags",
        details: "A tag the version holds already (ignoring case) is left as it is; a tag another version of the " +
          "model holds fails with exit 3 unless --force moves it here.",
        examples: [
          { what: "tag version 3 production", command: `mreg tag add ${FQN}:3 production` },
          { what: "move production from another version to the latest", command: `mreg tag add ${FQN}:latest production --force` }
        ]
      }),
      Command.make("remove", { ...common, tags: tagsArg }, (args) => run(options, "remove", { ...args, force: false })).pipe(
        Command.withDescription(Help.describe({
          summary: "Remove tags from a model version, keeping its other tags",
          details: "Tags compare ignoring case; a tag the version does not hold is not an error.",
          examples: [{ what: "remove the staging tag of version 3", command: `mreg tag remove ${FQN}:3 staging` }]
        }))
      ),
      child(options, "set", {
        summary: "Replace all tags of a model version with the ones given",
        details: "Tags the version holds and that are not given are removed; a tag another version of the model " +
          "holds fails with exit 3 unless --force moves it here.",
        examples: [{ what: "make production and stable the only tags of version 3", command: `mreg tag set ${FQN}:3 production stable` }]
      })
    ])
  )
