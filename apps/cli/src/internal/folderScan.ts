/**
 * Recognising a model folder (the scan behind `ModelFolder.inspect`; see the notes of `ModelFolder`).
 * @internal
 */
import { FileSystem } from "@effect/platform"
import { HubModelId, PipelineTag } from "@mreg/core"
import { Effect, Either, Option } from "effect"
import { join } from "node:path"
import { FileError } from "../Failure.js"
import { cardMetadata, frontMatter } from "./frontMatter.js"
import { parseRequirements } from "./requirements.js"

/**
 * What a model folder says about its manifest: the framework (wire shape), metadata, pip requirements, and one
 * note per line of explanation, in the order they were found.
 * @since 0.1.0
 * @category models
 */
export interface Inference {
  readonly framework: Readonly<Record<string, unknown>> | undefined
  readonly metadata: Readonly<Record<string, unknown>>
  readonly pipPackages: ReadonlyArray<string> | undefined
  readonly notes: ReadonlyArray<string>
}

/**
 * `inferred <field> = <value> from <where>`: strings as they are, anything else as JSON.
 * @since 0.1.0
 * @category formatting
 */
export const inferred = (field: string, value: unknown, where: string): string =>
  `inferred ${field} = ${typeof value === "string" ? value : JSON.stringify(value)} from ${where}`

const ARCHITECTURE_TASKS: ReadonlyArray<readonly [RegExp, string]> = [
  [/ForSequenceClassification$/, "text-classification"],
  [/ForTokenClassification$/, "token-classification"],
  [/ForQuestionAnswering$/, "question-answering"],
  [/ForCausalLM$/, "text-generation"],
  [/ForMaskedLM$/, "fill-mask"],
  [/ForImageClassification$/, "image-classification"],
  [/ForObjectDetection$/, "object-detection"],
  [/ForSemanticSegmentation$/, "image-segmentation"],
  [/ForAudioClassification$/, "audio-classification"],
  [/ForMultipleChoice$/, "multiple-choice"],
  [/For(CTC|SpeechSeq2Seq)$/, "automatic-speech-recognition"]
]

/**
 * The Hugging Face task of `config.json` `architectures` when every architecture names the same one
 * (`BertForSequenceClassification` → `text-classification`); `undefined` otherwise.
 * @since 0.1.0
 * @category inference
 */
export const taskOfArchitectures = (architectures: ReadonlyArray<string>): string | undefined => {
  const tasks = new Set(architectures.map((name) => ARCHITECTURE_TASKS.find(([pattern]) => pattern.test(name))?.[1]))
  if (tasks.size !== 1) return undefined
  const [task] = tasks
  return task !== undefined && PipelineTag.PIPELINE_TAGS.includes(task) ? task : undefined
}

const LIBRARY_NAMES: ReadonlyArray<string> = ["transformers", "sentence-transformers", "diffusers"]

/** Folders that never hold model files. */
const SKIPPED_FOLDERS = new Set(["node_modules", "__pycache__"])

interface Entry {
  /** Relative to the model folder, `/`-separated. */
  readonly path: string
  readonly name: string
  readonly depth: number
}

/** A framework candidate: what it sets and how it was recognised. */
interface Candidate {
  readonly framework: Record<string, unknown>
  readonly notes: ReadonlyArray<string>
  readonly label: string
}

const extension = (name: string): string => {
  const dot = name.lastIndexOf(".")
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase()
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const HEAD_BYTES = 1024 * 1024
const MAX_ENTRIES = 5000

/**
 * Whether a JSON file's first bytes are an XGBoost model: a top-level `learner` object. `complete` says the bytes are
 * the whole file (then they are parsed); the head of a larger file must start with the `learner` key, as XGBoost
 * writes it.
 */
const isXGBoostJson = (bytes: Uint8Array, complete: boolean): boolean => {
  const text = new TextDecoder().decode(bytes).replace(/^\ufeff/, "")
  if (!complete) return /^\s*\{\s*"learner"\s*:\s*\{/.test(text)
  try {
    const value: unknown = JSON.parse(text)
    return isRecord(value) && isRecord(value.learner)
  } catch {
    return false
  }
}

/**
 * Reads a model folder (see the module notes). Fails with `FileError` when the folder does not exist or is not a
 * folder; a file inside it that cannot be read is skipped with a note.
 * @since 0.1.0
 * @category inference
 */
export const inspect = (dir: string): Effect.Effect<Inference, FileError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(dir).pipe(
      Effect.mapError((error) =>
        new FileError({
          file: dir,
          message: `cannot read the model folder ${dir}: ${error._tag === "SystemError" && error.reason === "NotFound" ? "no such folder" : error.message}`
        })
      )
    )
    if (info.type !== "Directory") {
      return yield* Effect.fail(new FileError({ file: dir, message: `${dir} is not a folder: give the folder that holds the model files` }))
    }
    const notes: Array<string> = []
    const metadata: Record<string, unknown> = {}
    const at = (path: string) => join(dir, ...path.split("/"))

    const listing = (path: string) =>
      fs.readDirectory(path).pipe(Effect.map((names) => [...names].sort()), Effect.orElseSucceed(() => [] as Array<string>))
    const entries: Array<Entry> = []
    for (const name of yield* listing(dir)) {
      if (entries.length >= MAX_ENTRIES) break
      if (name.startsWith(".")) continue
      const stat = yield* Effect.option(fs.stat(at(name)))
      if (Option.isNone(stat)) continue
      if (stat.value.type === "File") entries.push({ path: name, name, depth: 0 })
      if (stat.value.type === "Directory" && !SKIPPED_FOLDERS.has(name)) {
        for (const child of yield* listing(at(name))) {
          if (entries.length >= MAX_ENTRIES || child.startsWith(".")) continue
          const childStat = yield* Effect.option(fs.stat(at(`${name}/${child}`)))
          if (Option.isSome(childStat) && childStat.value.type === "File") {
            entries.push({ path: `${name}/${child}`, name: child, depth: 1 })
          }
        }
      }
    }
    const topLevel = new Set(entries.filter((entry) => entry.depth === 0).map((entry) => entry.name))

    const readText = (path: string) =>
      fs.readFileString(at(path), "utf8").pipe(
        Effect.map(Option.some),
        Effect.catchAll(() => Effect.sync(() => notes.push(`skipped ${path}: cannot read it`)).pipe(Effect.as(Option.none<string>())))
      )
    const readJson = (path: string) =>
      Effect.map(readText(path), Option.flatMap((text): Option.Option<unknown> => {
        try {
          return Option.some(JSON.parse(text.replace(/^\ufeff/, "")))
        } catch {
          notes.push(`skipped ${path}: not valid JSON`)
          return Option.none()
        }
      }))
    const readHead = (path: string) =>
      Effect.scoped(Effect.gen(function*() {
        const file = yield* fs.open(at(path), { flag: "r" })
        const buffer = new Uint8Array(HEAD_BYTES)
        const size = yield* file.read(buffer)
        return buffer.subarray(0, Number(size))
      })).pipe(Effect.option)

    // --- the model card
    let card: Readonly<Record<string, unknown>> = {}
    if (topLevel.has("README.md")) {
      const text = yield* readText("README.md")
      if (Option.isSome(text)) {
        const parsed = frontMatter(text.value)
        if (Either.isLeft(parsed)) notes.push(`skipped README.md front matter: it ${parsed.left}`)
        else card = parsed.right ?? {}
      }
    }
    const FROM_CARD = "README.md front matter"
    const fromCard = cardMetadata(card, (field, value) => inferred(field, value, FROM_CARD), FROM_CARD)
    Object.assign(metadata, fromCard.metadata)
    notes.push(...fromCard.notes)

    // --- Hugging Face layouts
    const candidates: Array<Candidate> = []
    const hf = (library: string, where: string, notesOf: ReadonlyArray<string>): Candidate => {
      const framework: Record<string, unknown> = { type: "transformers" }
      const local: Array<string> = [...notesOf]
      const cardLibrary = card.library_name
      if (typeof cardLibrary === "string" && LIBRARY_NAMES.includes(cardLibrary)) {
        framework.library_name = cardLibrary
        local.push(inferred("framework.library_name", cardLibrary, FROM_CARD))
      } else {
        if (cardLibrary !== undefined) {
          local.push(`skipped ${FROM_CARD} library_name ${JSON.stringify(cardLibrary)}: not one of ${LIBRARY_NAMES.join(", ")}`)
        }
        framework.library_name = library
        local.push(inferred("framework.library_name", library, where))
      }
      return { framework, notes: local, label: "transformers" }
    }

    let transformers: Candidate | undefined
    let defaultTask: { readonly task: string; readonly where: string } | undefined
    if (topLevel.has("model_index.json")) {
      const index = yield* readJson("model_index.json")
      const pipeline = Option.isSome(index) && isRecord(index.value) && typeof index.value._class_name === "string"
        ? ` (${index.value._class_name})`
        : ""
      transformers = hf("diffusers", "model_index.json", [
        inferred("framework.type", "transformers", `model_index.json (diffusers layout${pipeline})`)
      ])
      defaultTask = { task: "text-to-image", where: "model_index.json (the diffusers default)" }
    } else if (topLevel.has("modules.json") || topLevel.has("config_sentence_transformers.json")) {
      const marker = topLevel.has("modules.json") ? "modules.json" : "config_sentence_transformers.json"
      transformers = hf("sentence-transformers", marker, [
        inferred("framework.type", "transformers", `${marker} (sentence-transformers layout)`)
      ])
      defaultTask = { task: "sentence-similarity", where: `${marker} (the sentence-transformers default)` }
    } else if (topLevel.has("config.json")) {
      const config = yield* readJson("config.json")
      if (Option.isSome(config) && isRecord(config.value)) {
        const architectures = Array.isArray(config.value.architectures)
          ? config.value.architectures.filter((item): item is string => typeof item === "string")
          : []
        const modelType = typeof config.value.model_type === "string" ? config.value.model_type : undefined
        if (architectures.length > 0 || modelType !== undefined) {
          const why = architectures.length > 0 ? `architectures ${architectures.join(", ")}` : `model_type ${modelType}`
          transformers = hf("transformers", "config.json", [
            inferred("framework.type", "transformers", `config.json (${why})`)
          ])
          const task = taskOfArchitectures(architectures)
          if (task !== undefined) defaultTask = { task, where: `config.json architectures (${architectures.join(", ")})` }
        }
      }
    }
    if (transformers !== undefined) {
      const framework = transformers.framework
      const local = [...transformers.notes]
      const cardTask = card.pipeline_tag
      if (typeof cardTask === "string" && PipelineTag.PIPELINE_TAGS.includes(cardTask)) {
        framework.pipeline_tag = cardTask
        local.push(inferred("framework.pipeline_tag", cardTask, FROM_CARD))
      } else {
        if (cardTask !== undefined) {
          local.push(`skipped ${FROM_CARD} pipeline_tag ${JSON.stringify(cardTask)}: not a Hugging Face task id`)
        }
        if (defaultTask !== undefined) {
          framework.pipeline_tag = defaultTask.task
          local.push(inferred("framework.pipeline_tag", defaultTask.task, defaultTask.where))
        }
      }
      const cardBase = Array.isArray(card.base_model) && card.base_model.length === 1 ? card.base_model[0] : card.base_model
      if (typeof cardBase === "string" && HubModelId.hubModelIdProblem(cardBase) === undefined) {
        framework.base_model = cardBase
        local.push(inferred("framework.base_model", cardBase, FROM_CARD))
      } else if (cardBase !== undefined) {
        local.push(
          `skipped ${FROM_CARD} base_model ${JSON.stringify(cardBase)}: ${
            Array.isArray(cardBase) ? "a manifest holds one base model" : "not a Hugging Face Hub repo id"
          }`
        )
      }
      candidates.push({ framework, notes: local, label: "transformers" })
    } else {
      for (const key of ["pipeline_tag", "library_name", "base_model"]) {
        if (card[key] !== undefined) notes.push(`skipped ${FROM_CARD} ${key}: only a transformers model carries it`)
      }
    }

    // --- model files, top level first
    const files = [...entries].sort((a, b) => a.depth - b.depth || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    const HF_FILES = new Set(["config.json", "model_index.json", "modules.json", "config_sentence_transformers.json"])
    const decoder = new TextDecoder("latin1")
    const xgboost: Array<Entry> = []
    const pickles: Array<{ readonly entry: Entry; readonly type: string; readonly format: string; readonly why: string }> = []
    const onnx: Array<Entry> = []
    for (const entry of files) {
      const ext = extension(entry.name)
      if ((ext === "json" && !HF_FILES.has(entry.path)) || ext === "ubj") {
        const head = yield* readHead(entry.path)
        if (Option.isNone(head)) continue
        const marker = ext === "json"
          ? isXGBoostJson(head.value, head.value.length < HEAD_BYTES)
          : decoder.decode(head.value.subarray(0, 4096)).startsWith("{") && decoder.decode(head.value).includes("learner")
        if (marker) xgboost.push(entry)
      } else if (ext === "joblib" || ext === "pkl" || ext === "pickle") {
        const head = yield* readHead(entry.path)
        const text = Option.isSome(head) ? decoder.decode(head.value) : ""
        const format = ext === "joblib" ? "joblib" : "pickle"
        if (/\bxgboost\b/.test(text)) pickles.push({ entry, type: "xgboost", format, why: "it pickles xgboost classes" })
        else if (/\blightgbm\b/.test(text)) pickles.push({ entry, type: "lightgbm", format, why: "it pickles lightgbm classes" })
        else pickles.push({ entry, type: "sklearn", format, why: `a ${format} file` })
      } else if (ext === "onnx") {
        onnx.push(entry)
      }
    }
    const others = (list: ReadonlyArray<Entry>) =>
      list.length > 1 ? ` (also found ${list.slice(1).map((e) => e.path).join(", ")}; edit model_filepath to use another)` : ""
    if (xgboost.length > 0) {
      const entry = xgboost[0]!
      const json = extension(entry.name) === "json"
      const framework: Record<string, unknown> = { type: "xgboost", model_filepath: entry.path }
      const local = [
        inferred("framework.type", "xgboost", `${entry.path} (an XGBoost model: top-level "learner")`),
        inferred("framework.model_filepath", entry.path, `the folder's files${others(xgboost)}`)
      ]
      if (json) {
        framework.serialization_format = "json"
        local.push(inferred("framework.serialization_format", "json", entry.path))
      } else {
        local.push(`skipped framework.serialization_format: UBJSON (${entry.path}) is not one of cloudpickle, joblib, pickle, json`)
      }
      candidates.push({ framework, notes: local, label: `xgboost (${entry.path})` })
    }
    if (pickles.length > 0) {
      const { entry, format, type, why } = pickles[0]!
      const framework: Record<string, unknown> = type === "lightgbm" ? { type } : { type, model_filepath: entry.path, serialization_format: format }
      const local = [inferred("framework.type", type, `${entry.path} (${why})`)]
      if (type !== "lightgbm") {
        local.push(
          inferred("framework.model_filepath", entry.path, `the folder's files${others(pickles.map((p) => p.entry))}`),
          inferred("framework.serialization_format", format, entry.path)
        )
      }
      candidates.push({ framework, notes: local, label: `${type} (${entry.path})` })
    }
    if (onnx.length > 0) {
      candidates.push({
        framework: { type: "onnx" },
        notes: [inferred("framework.type", "onnx", onnx[0]!.path)],
        label: `onnx (${onnx[0]!.path})`
      })
    }

    const [chosen, ...rest] = candidates
    if (chosen === undefined) {
      notes.push(
        "no framework detected: no config.json, modules.json, model_index.json, *.joblib, *.pkl, XGBoost *.json or *.ubj, " +
          "or *.onnx file; the manifest has no framework"
      )
    } else {
      notes.push(...chosen.notes)
      if (rest.length > 0) notes.push(`also found ${rest.map((c) => c.label).join(", ")}; used ${chosen.label.split(" ")[0]}`)
    }

    // --- requirements.txt
    let pipPackages: ReadonlyArray<string> | undefined
    if (topLevel.has("requirements.txt")) {
      const text = yield* readText("requirements.txt")
      if (Option.isSome(text)) {
        const requirements = parseRequirements(text.value)
        const byLine = [
          ...requirements.skipped.map(({ line, reason }) => ({ line, text: `skipped requirements.txt line ${line}: ${reason}` })),
          ...requirements.dropped.map(({ line, option }) => ({
            line,
            text: `dropped pip option ${option} from requirements.txt line ${line} (kept the requirement before it)`
          })),
          ...requirements.credentials.map(({ line, name }) => ({
            line,
            text: `removed the credentials from the URL of ${name} (requirements.txt line ${line}): a manifest is shared; ` +
              "give pip its credentials with ~/.netrc, a keyring or PIP_INDEX_URL"
          }))
        ].sort((a, b) => a.line - b.line)
        notes.push(...byLine.map((note) => note.text))
        if (requirements.packages.length > 0) {
          pipPackages = requirements.packages
          notes.push(inferred("environment.pip_packages", requirements.packages, "requirements.txt"))
        }
      }
    }

    return { framework: chosen?.framework, metadata, pipPackages, notes }
  })
