/**
 * `mreg get`.
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import { describe } from "../help.js"
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
        Options.withPseudoName("FORMAT"),
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
    Command.withDescription(describe({
      summary: "Show one model version, by id or FQN",
      details: "An FQN names the version by number, by alias or as latest (the highest live version) after the " +
        "colon: model:default/nlp-team/sentiment-clf:3, …:v3, …:latest. An unknown version exits 4. -o manifest " +
        "prints a manifest file to edit and give back to mreg upsert -f.",
      examples: [
        { what: "the latest version of a model, for people", command: "mreg get model:default/nlp-team/sentiment-clf:latest -o table" },
        { what: "its manifest, to edit and upsert again", command: "mreg get model:default/nlp-team/sentiment-clf:3 -o manifest > model.yaml" },
        { what: "a version by id (the first column of mreg list -o table)", command: "mreg get 3d0c5a4e-1111-4222-8333-944455556666" }
      ]
    }))
  )
