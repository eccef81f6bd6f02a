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

const encodeManifest = Schema.encodeSync(ModelManifest.ModelManifest)

const optionalText = (name: string, description: string) =>
  Options.text(name).pipe(Options.optional, Options.withDescription(description))

export const init = Command.make(
  "init",
  {
    from: Options.text("from").pipe(Options.withDescription("the model folder to read (Hugging Face, scikit-learn, XGBoost, ONNX)")),
    outputFile: Options.text("output-file").pipe(
      Options.withAlias("o"),
      Options.optional,
      Options.withDescription("write the manifest to this file instead of stdout (YAML, or JSON for a .json name)")
    ),
    format: Options.choice("format", ["yaml", "json"]).pipe(
      Options.optional,
      Options.withDescription("yaml (default) or json; default json when --output-file ends with .json")
    ),
    force: Options.boolean("force").pipe(Options.withDescription("overwrite --output-file when it exists")),
    name: optionalText("name", "model name (default: the folder name, with other characters than letters, digits, _ and - made -)"),
    mlRepo: optionalText("ml-repo", `ML repo (default: ${ModelFolder.DEFAULT_ML_REPO})`),
    description: optionalText("description", "description of the model version"),
    sourceUri: optionalText(
      "source-uri",
      "where the model files are stored, such as s3://bucket/path/ (an external source; default: a local source, the folder)"
    ),
    pythonVersion: optionalText("python-version", "environment.python_version, MAJOR.MINOR[.PATCH] such as 3.10 (default: none)")
  },
  (args) =>
    Effect.gen(function*() {
      const out = yield* Output.Output
      const fs = yield* FileSystem.FileSystem
      const target = Option.getOrUndefined(args.outputFile)
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
      const syntax = Option.getOrElse(args.format, () => (target !== undefined && ManifestFile.syntaxOf(target) === "json" ? "json" : "yaml"))
      const text = Output.data(syntax, { manifest: encodeManifest(manifest) })
      if (target === undefined) return yield* out.stdout(text)
      yield* fs.writeFileString(target, `${text}\n`).pipe(
        Effect.mapError((error) => new Failure.FileError({ file: target, message: `cannot write ${target}: ${error.message}` }))
      )
      yield* out.stderr(`wrote ${target}`)
    })
).pipe(
  Command.withDescription(
    "Write a manifest for a model folder: framework, model card (README.md front matter) and requirements.txt are " +
      "read, each inferred field is explained on stderr, and the manifest is validated before it is written " +
      "(stdout, or --output-file)."
  )
)
