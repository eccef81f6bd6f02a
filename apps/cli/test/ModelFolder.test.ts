/**
 * `ModelFolder`: reading model folders for `mreg init` (in process, on real temporary folders), then `mreg init`
 * itself through the bundle: its manifests validate and upsert.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as ModelFolder from "../src/ModelFolder.js"
import { json, MODEL_FOLDERS, mreg, tempDir, tempHome, writeModelFolders, writeTree } from "./utils.js"

const inspect = (dir: string) => ModelFolder.inspect(dir).pipe(Effect.provide(NodeFileSystem.layer))

/** What inspecting the distilbert-sst2 folder explains, in order (`mreg init` prints it on stderr). */
const DISTILBERT_NOTES = [
  "inferred metadata.license = apache-2.0 from README.md front matter",
  "inferred metadata.datasets = [\"stanfordnlp/sst2\"] from README.md front matter",
  "inferred framework.type = transformers from config.json (architectures DistilBertForSequenceClassification)",
  "inferred framework.library_name = transformers from README.md front matter",
  "inferred framework.pipeline_tag = text-classification from README.md front matter",
  "inferred framework.base_model = distilbert/distilbert-base-uncased from README.md front matter",
  "skipped requirements.txt line 2: pip option --extra-index-url",
  "skipped requirements.txt line 6: pip option -r",
  "skipped requirements.txt line 7: not a PEP 508 requirement (a path, a URL without \"name @\", or a variable?)",
  "dropped pip option --hash from requirements.txt line 8 (kept the requirement before it)",
  "inferred environment.pip_packages = [\"torch==2.4.0+cu121\",\"transformers[torch]>=4.44,<5\",\"numpy<2 ; python_version < \\\"3.13\\\"\"] from requirements.txt"
]

const noOptions: Omit<ModelFolder.ManifestOptions, "from"> = {
  name: Option.none(),
  mlRepo: Option.none(),
  sourceUri: Option.none(),
  pythonVersion: Option.none(),
  description: Option.none()
}

describe("ModelFolder.parseRequirements", () => {
  it("keeps requirements exactly, skips comments, blank lines, pip options and non-requirements", () => {
    assert.deepStrictEqual(ModelFolder.parseRequirements(MODEL_FOLDERS["distilbert-sst2"]["requirements.txt"]), {
      packages: ["torch==2.4.0+cu121", "transformers[torch]>=4.44,<5", "numpy<2 ; python_version < \"3.13\""],
      skipped: [
        { line: 2, reason: "pip option --extra-index-url" },
        { line: 6, reason: "pip option -r" },
        { line: 7, reason: "not a PEP 508 requirement (a path, a URL without \"name @\", or a variable?)" }
      ],
      dropped: [{ line: 8, option: "--hash" }],
      credentials: []
    })
  })

  it("joins continued lines, reads CRLF and a BOM, and keeps URL requirements and markers", () => {
    const text = "\ufeffpkg @ https://example.com/pkg-1.0.whl\r\n-e git+https://github.com/org/repo#egg=repo\r\n" +
      "requests[security] \\\r\n  >=2.31\r\n#only a comment\r\n--index-url=https://token@example.com/simple\r\n"
    assert.deepStrictEqual(ModelFolder.parseRequirements(text), {
      packages: ["pkg @ https://example.com/pkg-1.0.whl", "requests[security]   >=2.31"],
      skipped: [
        { line: 2, reason: "pip option -e (editable install)" },
        { line: 6, reason: "pip option --index-url" }
      ],
      dropped: [],
      credentials: []
    })
  })
})

describe("ModelFolder.frontMatter", () => {
  it("reads the YAML between the --- lines, and nothing else", () => {
    assert.deepStrictEqual(
      ModelFolder.frontMatter("---\nlicense: mit\nbase_model: [a/b]\n---\n# Title\n---\nx: 1\n"),
      Either.right({ license: "mit", base_model: ["a/b"] })
    )
    assert.deepStrictEqual(ModelFolder.frontMatter("---\n---\n# empty"), Either.right({}))
    assert.deepStrictEqual(ModelFolder.frontMatter("# Title\n---\nlicense: mit\n---\n"), Either.right(undefined))
    assert.deepStrictEqual(ModelFolder.frontMatter("---\n- a\n---\n"), Either.left("is not a YAML mapping"))
    assert.isTrue(Either.isLeft(ModelFolder.frontMatter("---\nlicense: [mit\n---\n")))
  })
})

describe("ModelFolder.nameFromFolder and taskOfArchitectures", () => {
  it("makes folder names valid model names", () => {
    assert.strictEqual(ModelFolder.nameFromFolder("distilbert-sst2"), "distilbert-sst2")
    assert.strictEqual(ModelFolder.nameFromFolder("DistilBERT SST-2 (v1.0)"), "DistilBERT-SST-2-v1-0")
    assert.strictEqual(ModelFolder.nameFromFolder("..."), "model")
    assert.strictEqual(ModelFolder.nameFromFolder("x".repeat(300)).length, 256)
  })

  it("maps unambiguous architectures to a Hugging Face task", () => {
    assert.strictEqual(ModelFolder.taskOfArchitectures(["BertForSequenceClassification"]), "text-classification")
    assert.strictEqual(ModelFolder.taskOfArchitectures(["LlamaForCausalLM"]), "text-generation")
    assert.strictEqual(ModelFolder.taskOfArchitectures(["Wav2Vec2ForCTC"]), "automatic-speech-recognition")
    assert.strictEqual(ModelFolder.taskOfArchitectures(["BertModel"]), undefined)
    assert.strictEqual(ModelFolder.taskOfArchitectures(["T5ForConditionalGeneration"]), undefined)
    assert.strictEqual(ModelFolder.taskOfArchitectures(["BertForMaskedLM", "BertForCausalLM"]), undefined)
    assert.strictEqual(ModelFolder.taskOfArchitectures([]), undefined)
  })
})

describe("ModelFolder.inspect", () => {
  it.scoped("a transformers folder: config.json, model card front matter, requirements.txt", () =>
    Effect.gen(function*() {
      const root = writeModelFolders(yield* tempDir)
      const dir = join(root, "distilbert-sst2")
      const found = yield* inspect(dir)
      assert.deepStrictEqual(found.framework, {
        type: "transformers",
        library_name: "transformers",
        pipeline_tag: "text-classification",
        base_model: "distilbert/distilbert-base-uncased"
      })
      assert.deepStrictEqual(found.metadata, { license: "apache-2.0", datasets: ["stanfordnlp/sst2"] })
      assert.deepStrictEqual(found.pipPackages, ["torch==2.4.0+cu121", "transformers[torch]>=4.44,<5", "numpy<2 ; python_version < \"3.13\""])
      assert.deepStrictEqual(found.notes, DISTILBERT_NOTES)
      assert.notInclude(found.notes.join("\n"), "s3cret", "pip option values are never echoed")
    }))

  it.scoped("config.json alone: library transformers, pipeline_tag from the architecture", () =>
    Effect.gen(function*() {
      const dir = writeTree(join(yield* tempDir, "llama"), {
        "config.json": JSON.stringify({ architectures: ["LlamaForCausalLM"], model_type: "llama" })
      })
      const found = yield* inspect(dir)
      assert.deepStrictEqual(found.framework, { type: "transformers", library_name: "transformers", pipeline_tag: "text-generation" })
      assert.deepStrictEqual(found.notes, [
        "inferred framework.type = transformers from config.json (architectures LlamaForCausalLM)",
        "inferred framework.library_name = transformers from config.json",
        "inferred framework.pipeline_tag = text-generation from config.json architectures (LlamaForCausalLM)"
      ])
    }))

  for (
    const { name, folder, framework, metadata, notes } of [
      {
        name: "sentence-transformers layout: library and the sentence-similarity default",
        folder: "all-MiniLM-L6-v2",
        framework: { type: "transformers", library_name: "sentence-transformers", pipeline_tag: "sentence-similarity" },
        metadata: { license: "apache-2.0", tags: ["feature-extraction"] },
        notes: [
          "inferred metadata.license = apache-2.0 from README.md front matter",
          "inferred metadata.tags = [\"feature-extraction\"] from README.md front matter",
          "inferred framework.type = transformers from modules.json (sentence-transformers layout)",
          "inferred framework.library_name = sentence-transformers from README.md front matter",
          "inferred framework.pipeline_tag = sentence-similarity from modules.json (the sentence-transformers default)"
        ]
      },
      {
        name: "diffusers layout: library and the text-to-image default",
        folder: "sdxl-base",
        framework: { type: "transformers", library_name: "diffusers", pipeline_tag: "text-to-image" },
        metadata: { license: "openrail++", tags: ["text-to-image", "stable-diffusion"] },
        notes: [
          "inferred metadata.license = openrail++ from README.md front matter",
          "inferred metadata.tags = [\"text-to-image\",\"stable-diffusion\"] from README.md front matter",
          "inferred framework.type = transformers from model_index.json (diffusers layout (StableDiffusionXLPipeline))",
          "inferred framework.library_name = diffusers from model_index.json",
          "inferred framework.pipeline_tag = text-to-image from model_index.json (the diffusers default)"
        ]
      }
    ]
  ) {
    it.scoped(name, () =>
      Effect.gen(function*() {
        const found = yield* inspect(join(writeModelFolders(yield* tempDir), folder))
        assert.deepStrictEqual(found.framework, framework)
        assert.deepStrictEqual(found.metadata, metadata)
        assert.deepStrictEqual(found.notes, notes)
      }))
  }

  it.scoped("front matter values that break the rules are skipped, with the reason", () =>
    Effect.gen(function*() {
      const dir = writeTree(join(yield* tempDir, "odd-card"), {
        "config.json": "{\"model_type\": \"gpt2\"}",
        "README.md": "---\nlicense: [mit]\nlibrary_name: peft\npipeline_tag: text-generaton\nbase_model: [a/b, c/d]\n---\n"
      })
      const found = yield* inspect(dir)
      assert.deepStrictEqual(found.framework, { type: "transformers", library_name: "transformers" })
      assert.deepStrictEqual(found.metadata, {})
      assert.deepStrictEqual(found.notes, [
        "skipped README.md front matter license: not a text",
        "inferred framework.type = transformers from config.json (model_type gpt2)",
        "skipped README.md front matter library_name \"peft\": not one of transformers, sentence-transformers, diffusers",
        "inferred framework.library_name = transformers from config.json",
        "skipped README.md front matter pipeline_tag \"text-generaton\": not a Hugging Face task id",
        "skipped README.md front matter base_model [\"a/b\",\"c/d\"]: a manifest holds one base model"
      ])
    }))

  it.scoped("sklearn: a joblib file at the top, a pickle in a sub-folder", () =>
    Effect.gen(function*() {
      const root = writeModelFolders(yield* tempDir)
      const joblib = yield* inspect(join(root, "iris-classifier"))
      assert.deepStrictEqual(joblib.framework, { type: "sklearn", model_filepath: "model.joblib", serialization_format: "joblib" })
      assert.deepStrictEqual(joblib.pipPackages, ["scikit-learn==1.5.1", "joblib==1.4.2"])
      assert.deepStrictEqual(joblib.notes, [
        "inferred framework.type = sklearn from model.joblib (a joblib file)",
        "inferred framework.model_filepath = model.joblib from the folder's files",
        "inferred framework.serialization_format = joblib from model.joblib",
        "inferred environment.pip_packages = [\"scikit-learn==1.5.1\",\"joblib==1.4.2\"] from requirements.txt"
      ])
      const pickle = yield* inspect(join(root, "fraud-pickle"))
      assert.deepStrictEqual(pickle.framework, { type: "sklearn", model_filepath: "artifacts/model.pkl", serialization_format: "pickle" })
    }))

  it.scoped("xgboost: a JSON model with a top-level learner, a UBJSON model, and a pickled XGBClassifier", () =>
    Effect.gen(function*() {
      const root = writeModelFolders(yield* tempDir)
      const found = yield* inspect(join(root, "churn-xgb"))
      assert.deepStrictEqual(found.framework, { type: "xgboost", model_filepath: "model.json", serialization_format: "json" })
      assert.deepStrictEqual(found.notes, [
        "inferred framework.type = xgboost from model.json (an XGBoost model: top-level \"learner\")",
        "inferred framework.model_filepath = model.json from the folder's files",
        "inferred framework.serialization_format = json from model.json",
        "inferred environment.pip_packages = [\"xgboost==2.1.1\",\"pandas>=2\"] from requirements.txt"
      ])
      const ubj = yield* inspect(writeTree(join(root, "ubj"), { "booster.ubj": "{L\x00\x00\x00\x00\x00\x00\x00\x07learner{" }))
      assert.deepStrictEqual(ubj.framework, { type: "xgboost", model_filepath: "booster.ubj" })
      assert.include(ubj.notes, "skipped framework.serialization_format: UBJSON (booster.ubj) is not one of cloudpickle, joblib, pickle, json")
      const pickled = yield* inspect(writeTree(join(root, "xgb-joblib"), { "clf.joblib": "\x80\x04xgboost.sklearn\x94XGBClassifier" }))
      assert.deepStrictEqual(pickled.framework, { type: "xgboost", model_filepath: "clf.joblib", serialization_format: "joblib" })
      const other = yield* inspect(writeTree(join(root, "not-xgb"), {
        "metrics.json": "{\"auc\": 0.9, \"learner\": \"ana\", \"nested\": {\"learner\": {}}}"
      }))
      assert.strictEqual(other.framework, undefined, "learner must be a top-level object")
      const second = yield* inspect(writeTree(join(root, "xgb-version-first"), {
        "booster.json": "{\"version\": [1, 7, 6], \"learner\": {\"objective\": {\"name\": \"reg:squarederror\"}}}"
      }))
      assert.deepStrictEqual(second.framework, { type: "xgboost", model_filepath: "booster.json", serialization_format: "json" })
    }))

  it.scoped("onnx; several candidates: the first kind wins and the others are named", () =>
    Effect.gen(function*() {
      const root = writeModelFolders(yield* tempDir)
      const onnx = yield* inspect(join(root, "resnet50-onnx"))
      assert.deepStrictEqual(onnx.framework, { type: "onnx" })
      assert.deepStrictEqual(onnx.notes, ["inferred framework.type = onnx from model.onnx"])
      const mixed = yield* inspect(writeTree(join(root, "mixed"), {
        "config.json": "{\"model_type\": \"bert\"}",
        "onnx/model.onnx": "x",
        "a.joblib": "x",
        "b.joblib": "x"
      }))
      assert.strictEqual((mixed.framework as { type: string }).type, "transformers")
      assert.strictEqual(mixed.notes[mixed.notes.length - 1], "also found sklearn (a.joblib), onnx (onnx/model.onnx); used transformers")
    }))

  it.scoped("an empty folder has no framework; a missing folder or a file fails", () =>
    Effect.gen(function*() {
      const root = yield* tempDir
      const empty = yield* inspect(writeTree(join(root, "empty"), {}))
      assert.deepStrictEqual(empty, {
        framework: undefined,
        metadata: {},
        pipPackages: undefined,
        notes: [
          "no framework detected: no config.json, modules.json, model_index.json, *.joblib, *.pkl, XGBoost *.json or *.ubj, or *.onnx file; the manifest has no framework"
        ]
      })
      const missing = yield* Effect.flip(inspect(join(root, "nope")))
      assert.strictEqual(missing.message, `cannot read the model folder ${join(root, "nope")}: no such folder`)
      writeFileSync(join(root, "file.onnx"), "x")
      const file = yield* Effect.flip(inspect(join(root, "file.onnx")))
      assert.strictEqual(file.message, `${join(root, "file.onnx")} is not a folder: give the folder that holds the model files`)
    }))
})

describe("ModelFolder.manifest", () => {
  const inference: ModelFolder.Inference = {
    framework: { type: "onnx" },
    metadata: { license: "mit" },
    pipPackages: ["onnxruntime==1.18.0"],
    notes: []
  }
  /** A manifest made from `inference`: its metadata and framework, and `fields` (what the options decide). */
  const fromInference = (fields: Record<string, unknown>) => ({
    type: "model-version",
    ...fields,
    metadata: { license: "mit" },
    framework: { type: "onnx" }
  })

  it("defaults: name from the folder, ml_repo default, a local source with the folder as given", () => {
    assert.deepStrictEqual(ModelFolder.manifest(inference, { from: "./models/ResNet 50/", ...noOptions }), {
      manifest: fromInference({
        name: "ResNet-50",
        ml_repo: "default",
        source: { type: "local", file_or_folder: "./models/ResNet 50/" },
        environment: { pip_packages: ["onnxruntime==1.18.0"] }
      }),
      notes: [
        "inferred name = ResNet-50 from the folder name \"ResNet 50\"",
        "inferred ml_repo = default (the default; choose one with --ml-repo)"
      ]
    })
  })

  it("flags: name, ml_repo, description, an external source, python_version", () => {
    const made = ModelFolder.manifest({ ...inference, pipPackages: undefined }, {
      from: "resnet",
      name: Option.some("resnet50"),
      mlRepo: Option.some("vision"),
      sourceUri: Option.some("s3://models/resnet50/"),
      pythonVersion: Option.some("3.10"),
      description: Option.some("ResNet-50 in ONNX")
    })
    assert.deepStrictEqual(made, {
      manifest: fromInference({
        name: "resnet50",
        ml_repo: "vision",
        description: "ResNet-50 in ONNX",
        source: { type: "external", uri: "s3://models/resnet50/" },
        environment: { python_version: "3.10" }
      }),
      notes: []
    })
  })
})

const DISTILBERT_YAML = [
  "manifest:",
  "  type: model-version",
  "  name: distilbert-sst2",
  "  ml_repo: nlp-sentiment",
  "  metadata:",
  "    license: apache-2.0",
  "    datasets:",
  "      - stanfordnlp/sst2",
  "  source:",
  "    type: local",
  "    file_or_folder: distilbert-sst2",
  "  framework:",
  "    type: transformers",
  "    library_name: transformers",
  "    pipeline_tag: text-classification",
  "    base_model: distilbert/distilbert-base-uncased",
  "  environment:",
  "    python_version: \"3.10\"",
  "    pip_packages:",
  "      - torch==2.4.0+cu121",
  "      - transformers[torch]>=4.44,<5",
  "      - numpy<2 ; python_version < \"3.13\"",
  ""
].join("\n")

describe.concurrent("mreg init", () => {
  it.scoped("prints a YAML manifest on stdout and explains every inferred field on stderr", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const root = writeModelFolders(yield* tempDir)
      const run = yield* mreg(home, ["init", "--from", "distilbert-sst2", "--ml-repo", "nlp-sentiment", "--python-version", "3.10"], { cwd: root })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(run.stdout, DISTILBERT_YAML)
      assert.strictEqual(
        run.stderr,
        [
          "inferred name = distilbert-sst2 from the folder name",
          ...DISTILBERT_NOTES,
          ""
        ].join("\n")
      )
      assert.isFalse(existsSync(join(home, "registry.db")), "init never opens the registry")
    }))

  for (const folder of Object.keys(MODEL_FOLDERS)) {
    it.scoped(`the manifest of ${folder} validates and upserts`, () =>
      Effect.gen(function*() {
        const home = yield* tempHome
        const root = writeModelFolders(yield* tempDir)
        const file = join(root, `${folder}.yaml`)
        const init = yield* mreg(home, ["init", "--from", join(root, folder), "--out-file", file])
        assert.strictEqual(init.code, 0, init.stderr)
        assert.strictEqual(init.stdout, "")
        assert.isTrue(init.stderr.endsWith(`wrote ${file}\n`))
        const validate = yield* mreg(home, ["validate", "-f", file])
        assert.strictEqual(validate.code, 0, validate.stderr)
        assert.strictEqual(validate.stdout, `ok: ${file} is a valid manifest of default/${folder}\n`)
        const upsert = yield* mreg(home, ["upsert", "-f", file])
        assert.strictEqual(upsert.code, 0, upsert.stderr)
        const data = json(upsert).data
        assert.strictEqual(data.fqn, `model:default/default/${folder}:1`)
        assert.deepStrictEqual(data.manifest.source, { type: "local", file_or_folder: join(root, folder) })
        assert.strictEqual(data.deployable, false)
      }))
  }

  it.scoped("-o json, a .json output file, --source-uri: the PUT body, deployable once stored", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const root = writeModelFolders(yield* tempDir)
      const stdout = yield* mreg(home, ["init", "--from", join(root, "churn-xgb"), "-o", "json", "--name", "churn", "--ml-repo", "tabular", "--source-uri", "s3://models/churn/"])
      assert.strictEqual(stdout.code, 0, stdout.stderr)
      const expected = {
        manifest: {
          type: "model-version",
          name: "churn",
          ml_repo: "tabular",
          metadata: {},
          source: { type: "external", uri: "s3://models/churn/" },
          framework: { type: "xgboost", model_filepath: "model.json", serialization_format: "json" },
          environment: { pip_packages: ["xgboost==2.1.1", "pandas>=2"] }
        }
      }
      assert.strictEqual(stdout.stdout, `${JSON.stringify(expected, null, 2)}\n`)
      assert.notInclude(stdout.stderr, "inferred name")
      const file = join(root, "churn.json")
      const written = yield* mreg(home, ["init", "--from", join(root, "churn-xgb"), "--out-file", file, "--name", "churn", "--ml-repo", "tabular", "--source-uri", "s3://models/churn/"])
      assert.strictEqual(written.code, 0, written.stderr)
      assert.strictEqual(readFileSync(file, "utf8"), stdout.stdout)
      const upsert = json(yield* mreg(home, ["upsert", "-f", file]))
      assert.strictEqual(upsert.data.deployable, true)
      assert.deepStrictEqual(upsert.data.manifest, { ...expected.manifest, version: 1, step: 0 })
    }))

  it.scoped("a manifest that breaks the rules is not written: the problems, exit 2", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const root = writeModelFolders(yield* tempDir)
      const file = join(root, "out.yaml")
      const run = yield* mreg(home, ["init", "--from", join(root, "resnet50-onnx"), "--out-file", file, "--name", "resnet 50", "--ml-repo", "-vision", "--python-version", "3"])
      assert.strictEqual(run.code, 2)
      assert.strictEqual(run.stdout, "")
      assert.isTrue(
        run.stderr.endsWith(
          `error: invalid manifest made from ${join(root, "resnet50-onnx")} (3 problems)\n` +
            "  manifest.name: must contain only letters, digits, \"_\" and \"-\" (received \"resnet 50\")\n" +
            "  manifest.ml_repo: must start and end with a letter or digit and contain only letters, digits and \"-\" (received \"-vision\")\n" +
            "  manifest.environment.python_version: must match MAJOR.MINOR[.PATCH], such as \"3.10\" or \"3.10.12\" (received \"3\")\n"
        ),
        run.stderr
      )
      assert.isFalse(existsSync(file))
    }))

  it.scoped("a missing folder, and an existing output file without --force, exit 2", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const root = writeModelFolders(yield* tempDir)
      const missing = yield* mreg(home, ["init", "--from", join(root, "nope")])
      assert.strictEqual(missing.code, 2)
      assert.strictEqual(missing.stderr, `error: cannot read the model folder ${join(root, "nope")}: no such folder\n`)
      const file = join(root, "taken.yaml")
      writeFileSync(file, "keep me\n")
      const taken = yield* mreg(home, ["init", "--from", join(root, "resnet50-onnx"), "--out-file", file])
      assert.strictEqual(taken.code, 2)
      assert.strictEqual(taken.stderr, `error: ${file} exists: choose another file, or overwrite it with --force\n`)
      assert.strictEqual(readFileSync(file, "utf8"), "keep me\n")
      const forced = yield* mreg(home, ["init", "--from", join(root, "resnet50-onnx"), "--out-file", file, "--force"])
      assert.strictEqual(forced.code, 0, forced.stderr)
      assert.include(readFileSync(file, "utf8"), "framework:\n    type: onnx\n")
    }))
})
