/**
 * `mreg get`.
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import { versionArg } from "../resolve.js"
import { print, printModelVersion, withVersion } from "./shared.js"

const GET_FORMATS = [...Output.FORMATS, "manifest"] as const

export const get = (options: Registry.Layers) =>
  Command.make(
    "get",
    {
      ref: versionArg,
      output: Options.choice("output", GET_FORMATS).pipe(
        Options.withAlias("o"),
        Options.withDefault("json" as (typeof GET_FORMATS)[number]),
        Options.withDescription(
          "json: the API's response body (default); yaml: the same body as YAML; table: readable lines; manifest: " +
            "the stored manifest as YAML, a file mreg upsert -f accepts unchanged"
        )
      ),
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const versioned = yield* withVersion(options, args.host, args.ref, (_, found) => Effect.succeed(found))
        if (args.output === "manifest") return yield* print(Output.manifestYaml(versioned.modelVersion))
        yield* printModelVersion(args.output, versioned)
      })
  ).pipe(
    Command.withDescription(
      "Show one model version, by id or by FQN (a version number, an alias or latest after the colon).\n" +
        "Example: mreg get model:default/nlp-team/sentiment-clf:latest -o manifest > sentiment-clf.yaml"
    )
  )
