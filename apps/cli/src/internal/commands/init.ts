/**
 * `mreg init`.
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { ModelManifest, Validation } from "@mreg/core"
import { Effect, Either, Option, Schema } from "effect"
import * as Failure from "../../Failure.js"
import * as ManifestFile from "../../ManifestFile.js"
import * as ModelFolder from "../../ModelFolder.js"
import * as Output from "../../Output.js"
import { describe } from "../help.js"

const encodeManifest = Schema.encodeSync(ModelManifest.ModelManifest)

const INIT_FORMATS = ["yaml", "json"] as const

const optionalText = (name: string, placeholder: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName(placeholder), Options.optional, Options.withDescription(description))

export const init = Command.make(
  "init",
  {
    from: Options.text("from").pipe(
      Options.withPseudoName("FOLDER"),
      Options.withDescription("the model folder to read (Hugging Face, scikit-learn, XGBoost, ONNX)")
    ),
    outFile: Options.text("out-file").pipe(
      Options.withPseudoName("PATH"),
      Options.optional,
      Options.withDescription("write the manifest to this file instead of stdout (JSON for a .json name, else YAML)")
    ),
    output: Options.choice("output", INIT_FORMATS).pipe(
      Options.withAlias("o"),
      Options.withPseudoName("FORMAT"),
      Options.optional,
      Options.withDescription("output format of the manifest: yaml (default) or json (default for a --out-file *.json)")
    ),
    force: Options.boolean("force").pipe(Options.withDescription("overwrite the --out-file when it exists")),
    name: optionalText("name", "NAME", "model name (default: the folder name, with other characters than letters, digits, _ and - made -)"),
    mlRepo: optionalText("ml-repo", "REPO", `ML repo (default: ${ModelFolder.DEFAULT_ML_REPO})`),
    description: optionalText("description", "TEXT", "description of the model version"),
    sourceUri: optionalText(
      "source-uri",
      "URI",
      "where the model files are stored, such as s3://bucket/path/ (an external source; default: a local source, the folder)"
    ),
    pythonVersion: optionalText("python-version", "X.Y", "environment.python_version, MAJOR.MINOR[.PATCH] such as 3.10 (default: none)")
  },
  (args) =>
    Effect.gen(function*() {
      const out = yield* Output.Output
      const fs = yield* FileSystem.FileSystem
      const target = Option.getOrUndefined(args.outFile)
      if (target !== undefined && !args.force && (yield* fs.exists(target).pipe(Effect.orElseSucceed(() => false)))) {
        return yield* Effect.fail(new Failure.FileError({ file: target, message: `${target} exists: choose another file, or overwrite it with --force` }))
      }
      const inference = yield* ModelFolder.inspect(args.from)
      const built = ModelFolder.manifest(inference, {
        from: args.from,
        name: args.name,
        mlRepo: args.mlRepo,
        sourceUri: args.sourceUri,
        pythonVersion: args.pythonVersion,
        description: args.description
      })
      for (const note of [...built.notes, ...inference.notes]) yield* out.stderr(note)
      const manifest = yield* Either.mapLeft(
        Validation.decodeManifest(built.manifest),
        (error) => new Failure.InvalidInput({ what: `manifest made from ${args.from}`, error })
      )
      const syntax = Option.getOrElse(args.output, () => (target !== undefined && ManifestFile.syntaxOf(target) === "json" ? "json" : "yaml"))
      const text = Output.data(syntax, { manifest: encodeManifest(manifest) })
      if (target === undefined) return yield* out.stdout(text)
      yield* fs.writeFileString(target, `${text}\n`).pipe(
        Effect.mapError((error) => new Failure.FileError({ file: target, message: `cannot write ${target}: ${error.message}` }))
      )
      yield* out.stderr(`wrote ${target}`)
    })
).pipe(
  Command.withDescription(describe({
    summary: "Write a manifest for a model folder",
    details: "Reads the framework files, the model card (README.md front matter) and requirements.txt, explains " +
      "each inferred field on stderr, and validates the manifest before it prints or writes it. Credentials in " +
      "requirement URLs are never copied.",
    examples: [
      { what: "print a manifest for a Hugging Face model folder", command: "mreg init --from ./distilbert-sst2" },
      {
        what: "write it to a file, with the model's name and where its files are stored",
        command: "mreg init --from ./churn --name churn --source-uri s3://models/churn/ --out-file churn.yaml"
      },
      { what: "as JSON on stdout, straight into the registry", command: "mreg init --from ./churn -o json | mreg upsert -f -" }
    ]
  }))
)
