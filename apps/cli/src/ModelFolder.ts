/**
 * Reading a model folder to write its manifest (`mreg init --from DIR`): which framework saved the model, what its
 * model card says, and which Python packages it needs. Every inferred field comes with a note saying where it came
 * from (`inferred framework.pipeline_tag = text-classification from README.md front matter`), and everything
 * looked at but not used with a note saying why.
 *
 * What is recognised, first match wins:
 *
 * | folder holds | framework |
 * | --- | --- |
 * | `model_index.json` (diffusers layout) | `transformers`, `library_name: diffusers`, `pipeline_tag` default `text-to-image` |
 * | `modules.json` or `config_sentence_transformers.json` | `transformers`, `library_name: sentence-transformers`, `pipeline_tag` default `sentence-similarity` |
 * | `config.json` with `architectures` or `model_type` | `transformers`, `library_name: transformers`, `pipeline_tag` from the architecture (`…ForSequenceClassification` → `text-classification`) |
 * | `*.json` with a top-level `learner` object, `*.ubj` naming a `learner` | `xgboost` (`serialization_format: json` for JSON), `model_filepath` |
 * | `*.joblib`, `*.pkl`, `*.pickle` | `sklearn` (`xgboost` or `lightgbm` when the pickle names their classes), `serialization_format`, `model_filepath` |
 * | `*.onnx` | `onnx` |
 *
 * The model card (`README.md`) YAML front matter gives `pipeline_tag`, `library_name` and `base_model` of a
 * transformers model (overriding the defaults above), and `license`, `tags` and `datasets` (→ `metadata`, any
 * framework; tags and datasets as lists). `requirements.txt` gives `environment.pip_packages`: each requirement as
 * written, without comments, blank lines, pip options (`--extra-index-url`, `-r`, `-e`, …; their values are never
 * echoed, they may hold credentials) or lines that are not PEP 508 requirements (paths, bare URLs), and without
 * the user info of URLs (`https://user:secret@` → `https://`): credentials are never copied into a manifest, and
 * the note names the package, never the secret.
 *
 * Model files are looked for in the folder and one level of sub-folders (hidden folders skipped); `model_filepath`
 * is relative to the folder, with `/` separators.
 *
 * @since 0.1.0
 */
import { Option } from "effect"
import { basename, resolve } from "node:path"
import { inferred, type Inference } from "./internal/folderScan.js"

export { inferred, type Inference, inspect, taskOfArchitectures } from "./internal/folderScan.js"
export { cardMetadata, frontMatter } from "./internal/frontMatter.js"
export { parseRequirements, type Requirements, withoutCredentials } from "./internal/requirements.js"

/**
 * The user's choices for `mreg init`: the folder as given on the command line and the flags.
 * @since 0.1.0
 * @category models
 */
export interface ManifestOptions {
  readonly from: string
  readonly name: Option.Option<string>
  readonly mlRepo: Option.Option<string>
  readonly sourceUri: Option.Option<string>
  readonly pythonVersion: Option.Option<string>
  readonly description: Option.Option<string>
}

/**
 * The ML repo a manifest from `mreg init` names when `--ml-repo` is not given.
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_ML_REPO = "default"

/**
 * A model name made from a folder name: runs of characters outside `[A-Za-z0-9_-]` become one `-`, leading and
 * trailing `-` are dropped, at most 256 characters; `model` when nothing is left.
 * @since 0.1.0
 * @category naming
 */
export const nameFromFolder = (folder: string): string => {
  const cleaned = folder.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "").slice(0, 256)
  return cleaned.length > 0 ? cleaned : "model"
}

/**
 * The manifest (wire shape, keys in the usual order) of an inspected folder and the user's flags, and the notes
 * about the fields the flags did not set. Not validated: decode it with `Validation` before using it.
 *
 * - `name`: `--name`, else the folder's name made valid ({@link nameFromFolder}; the folder as resolved, so `.`
 *   gives the current folder's name);
 * - `ml_repo`: `--ml-repo`, else {@link DEFAULT_ML_REPO};
 * - `source`: `{type: "external", uri}` with `--source-uri`, else `{type: "local", file_or_folder: <DIR as given>}`;
 * - `environment`: `python_version` from `--python-version` only, `pip_packages` from `requirements.txt`.
 * @since 0.1.0
 * @category constructors
 */
export const manifest = (
  inference: Inference,
  options: ManifestOptions
): { readonly manifest: Record<string, unknown>; readonly notes: ReadonlyArray<string> } => {
  const notes: Array<string> = []
  const name = Option.getOrElse(options.name, () => {
    const folder = basename(resolve(options.from))
    const made = nameFromFolder(folder)
    notes.push(inferred("name", made, made === folder ? "the folder name" : `the folder name ${JSON.stringify(folder)}`))
    return made
  })
  const mlRepo = Option.getOrElse(options.mlRepo, () => {
    notes.push(`inferred ml_repo = ${DEFAULT_ML_REPO} (the default; choose one with --ml-repo)`)
    return DEFAULT_ML_REPO
  })
  const source = Option.match(options.sourceUri, {
    onNone: () => ({ type: "local", file_or_folder: options.from }),
    onSome: (uri) => ({ type: "external", uri })
  })
  const environment: Record<string, unknown> = {}
  if (Option.isSome(options.pythonVersion)) environment.python_version = options.pythonVersion.value
  if (inference.pipPackages !== undefined) environment.pip_packages = inference.pipPackages
  const result: Record<string, unknown> = { type: "model-version", name, ml_repo: mlRepo }
  if (Option.isSome(options.description)) result.description = options.description.value
  result.metadata = inference.metadata
  result.source = source
  if (inference.framework !== undefined) result.framework = inference.framework
  if (Object.keys(environment).length > 0) result.environment = environment
  return { manifest: result, notes }
}
