/**
 * `mreg delete`.
 * @internal
 */
import { Command } from "@effect/cli"
import { Effect } from "effect"
import * as Registry from "../../Registry.js"
import { modelVersionId, output, printAs, withRegistry } from "./shared.js"

export const delete_ = (options: Registry.Layers) =>
  Command.make(
    "delete",
    { id: modelVersionId("id"), output, host: Registry.host },
    (args) =>
      Effect.gen(function*() {
        yield* withRegistry(options, args.host, (registry) => registry.delete(args.id))
        yield* printAs(args.output, () => ({}), () => `deleted ${args.id}`)
      })
  ).pipe(Command.withDescription("Delete a model version. Its number is never reused; its alias and tags are freed."))
