/**
 * `mreg tag`.
 * @internal
 */
import { Args, Command, Options } from "@effect/cli"
import { ModelVersions, Validation } from "@mreg/core"
import { Effect, Either, Schema } from "effect"
import * as Failure from "../../Failure.js"
import * as Registry from "../../Registry.js"
import { modelVersionId, output, printAs, withRegistry } from "./shared.js"

const decodeApplyTags = Schema.decodeUnknownEither(ModelVersions.ApplyTagsRequest, { errors: "all", onExcessProperty: "error" })

export const tag = (options: Registry.Layers) =>
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
