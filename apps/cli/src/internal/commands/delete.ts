/**
 * `mreg delete`: on a terminal, asks first, naming the version (FQN) and its tags; `--yes` skips the question, and
 * without a terminal (scripts, CI) `--yes` is required.
 *
 * "A terminal" is the `Terminal` service's `isTTY` (stdout is a terminal, in `NodeTerminal`); the answer is read with
 * `@effect/cli`'s confirm prompt (y/N, default no).
 * @internal
 */
import { Command, Options, Prompt } from "@effect/cli"
import { Terminal } from "@effect/platform"
import { Effect } from "effect"
import * as Failure from "../../Failure.js"
import * as Registry from "../../Registry.js"
import { describe } from "../help.js"
import { versionArg } from "../resolve.js"
import { output, printAs, withVersion } from "./shared.js"

export const delete_ = (options: Registry.Layers) =>
  Command.make(
    "delete",
    {
      ref: versionArg,
      yes: Options.boolean("yes").pipe(
        Options.withAlias("y"),
        Options.withDescription("delete without asking (required when not on a terminal, as in scripts and CI)")
      ),
      output,
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const terminal = yield* Terminal.Terminal
        if (!args.yes && !(yield* terminal.isTTY)) {
          return yield* Effect.fail(
            new Failure.UsageError({ message: "not on a terminal, so mreg delete cannot ask for confirmation: pass --yes (-y) to delete" })
          )
        }
        const deleted = yield* withVersion(options, args.host, args.ref, (registry, { modelVersion }) =>
          Effect.gen(function*() {
            if (!args.yes) {
              const tags = modelVersion.tags.length === 0 ? "no tags" : `tags: ${modelVersion.tags.join(", ")}`
              const confirmed = yield* Prompt.confirm({ message: `Delete ${modelVersion.fqn} (${tags})?`, initial: false }).pipe(
                Effect.provideService(Terminal.Terminal, terminal),
                Effect.catchTag("QuitException", () => Effect.succeed(false))
              )
              if (!confirmed) return yield* Effect.fail(new Failure.Cancelled({ message: `not deleted: ${modelVersion.fqn}` }))
            }
            yield* registry.delete(modelVersion.id)
            return modelVersion
          }))
        yield* printAs(args.output, () => ({}), () => `deleted ${deleted.fqn} (${deleted.id})`)
      })
  ).pipe(
    Command.withDescription(describe({
      summary: "Delete a model version",
      details: "On a terminal it asks first, naming the version's FQN and its tags; --yes skips the question and is " +
        "required without a terminal (scripts, CI: exit 2 otherwise). The version's number is never reused; its " +
        "alias and tags are freed. mreg models delete deletes a whole model.",
      examples: [
        { what: "delete a version, after a confirmation", command: "mreg delete model:default/nlp-team/sentiment-clf:3" },
        { what: "in a script", command: "mreg delete model:default/nlp-team/sentiment-clf:3 --yes" }
      ]
    }))
  )
