// Row 1 of `pnpm bench`: manifests/s decoded by @mreg/core's `Validation.decodeManifest` (what the proxy, CLI and
// client use: `ModelManifest` with `{ errors: "all", onExcessProperty: "error" }`, valid input on the fast path
// compiled from the schema's AST) vs ajv compiled from the JSON Schema
// that effect's `JSONSchema.make` derives from the same schema. Inputs: examples/*.json and *.yaml (the
// `manifest` of each body), and one manifest with ~60 KiB of metadata.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { importFrom, median, requireFrom, root } from "./lib.mjs"

/**
 * The example manifests: the `manifest` of every `examples/*.json` and `*.yaml` that is a PUT body (other files
 * there, such as a proxy tokens file, are left out).
 */
export const loadExamples = () => {
  const YAML = requireFrom("yaml", ["apps/cli", "apps/proxy"])
  const dir = join(root, "examples")
  return readdirSync(dir)
    .filter((file) => /\.(json|ya?ml)$/.test(file))
    .sort()
    .flatMap((file) => {
      const text = readFileSync(join(dir, file), "utf8")
      const body = file.endsWith(".json") ? JSON.parse(text) : YAML.parse(text)
      return body?.manifest?.type === "model-version" ? [{ file, manifest: body.manifest }] : []
    })
}

/**
 * A realistic manifest whose metadata serializes to about `bytes` of JSON (default 60 KiB, under the 64 KiB
 * limit): per-epoch training curves, per-class evaluation numbers, hyperparameters and a data card.
 */
export const largeMetadataManifest = (base, bytes = 60 * 1024) => {
  const metadata = {
    hyperparameters: { learning_rate: 2e-5, batch_size: 32, epochs: 3, warmup_ratio: 0.06, weight_decay: 0.01, seed: 42 },
    dataset: { name: "glue/sst2", split: "validation", rows: 872, license: "unknown", sha256: "9f2b".repeat(16) },
    hardware: { gpu: "A100-SXM4-80GB", count: 8, driver: "535.104.05", cuda: "12.1" },
    curve: [],
    classes: {}
  }
  for (let label = 0; label < 20; label++) {
    metadata.classes[`label_${label}`] = { precision: 0.9 + label / 1000, recall: 0.88 + label / 997, f1: 0.89, support: 100 + label }
  }
  for (let step = 0; JSON.stringify(metadata).length < bytes - 160; step += 50) {
    metadata.curve.push({
      step,
      epoch: Math.round((step / 2000) * 1000) / 1000,
      loss: Math.round(1e6 * (0.7 / (1 + step / 500))) / 1e6,
      eval_accuracy: Math.round(1e6 * (0.5 + 0.41 * (1 - Math.exp(-step / 900)))) / 1e6,
      lr: 2e-5,
      tags: ["train", step % 500 === 0 ? "checkpoint" : "log"]
    })
  }
  return { ...base, metadata }
}

/** Runs `fn` over `inputs` round-robin for at least `ms`; returns calls per second. */
const rate = (fn, inputs, ms) => {
  let calls = 0
  const start = process.hrtime.bigint()
  const until = start + BigInt(ms) * 1_000_000n
  let now = start
  while (now < until) {
    for (let i = 0; i < 64; i++) fn(inputs[(calls + i) % inputs.length])
    calls += 64
    now = process.hrtime.bigint()
  }
  return calls / (Number(now - start) / 1e9)
}

/**
 * Measures both decoders on each input set in alternating rounds (median of `rounds`, each at least `roundMs`, after
 * a warm-up). Returns `{ jsonSchema, sets: [{ name, inputs, mreg, ajv, ratio, ok }] }`.
 */
export const benchSchema = async ({ rounds = 5, roundMs = 400 } = {}) => {
  const core = await import(pathToFileURL(join(root, "packages/core/dist/index.js")).href)
  const { JSONSchema, Schema } = await importFrom("effect")
  const { default: Ajv } = await import("ajv")
  const { ModelManifest } = core.ModelManifest

  // JSON Schema of the manifest. `JSONSchema.make` throws on a schema it cannot express (a declaration without a
  // `jsonSchema` annotation, a transformation it does not know): try the default target, then 2019-09.
  const jsonSchema = { target: "jsonSchema7", attempts: [] }
  let schema
  for (const target of ["jsonSchema7", "jsonSchema2019-09"]) {
    try {
      schema = JSONSchema.make(ModelManifest, { target })
      jsonSchema.target = target
      break
    } catch (error) {
      jsonSchema.attempts.push({ target, error: String(error.message ?? error).split("\n").slice(0, 4).join(" ") })
    }
  }
  if (schema === undefined) throw new Error(`JSONSchema.make(ModelManifest) failed: ${JSON.stringify(jsonSchema.attempts)}`)
  jsonSchema.bytes = JSON.stringify(schema).length
  const ajv = new Ajv({ allErrors: true, strict: false })
  const validate = ajv.compile(schema)

  const decodeManifest = core.Validation.decodeManifest
  const decode = (input) => {
    const result = decodeManifest(input)
    if (result._tag === "Left") throw new Error(result.left.detail.map((d) => `${d.loc.join(".")}: ${d.msg}`).join("; "))
    return result.right
  }
  // Context: the schema's own decoder with the same options, without the fast path.
  const schemaDecode = Schema.decodeUnknownSync(ModelManifest, { errors: "all", onExcessProperty: "error" })
  const examples = loadExamples()
  const base = examples.find((e) => e.file === "distilbert-sst2.json")?.manifest ?? examples[0].manifest
  const large = largeMetadataManifest(base)
  const sets = [
    { name: "examples", inputs: examples.map((e) => e.manifest), files: examples.map((e) => e.file) },
    { name: "60 KiB metadata", inputs: [large], bytes: JSON.stringify(large.metadata).length }
  ]

  const out = []
  for (const set of sets) {
    // Both must accept every input; a decoder that rejects one would be measured on its failure path.
    const rejected = []
    set.inputs.forEach((input, i) => {
      try {
        decode(input)
      } catch (error) {
        rejected.push(`mreg rejects ${set.files?.[i] ?? set.name}: ${String(error.message).split("\n").slice(0, 3).join(" ")}`)
      }
      if (!validate(input)) rejected.push(`ajv rejects ${set.files?.[i] ?? set.name}: ${ajv.errorsText(validate.errors)}`)
    })
    const mregFn = (input) => decode(input)
    const ajvFn = (input) => validate(input)
    rate(mregFn, set.inputs, roundMs)
    rate(ajvFn, set.inputs, roundMs)
    const mreg = []
    const base = []
    const schemaOnly = []
    rate(schemaDecode, set.inputs, roundMs)
    for (let round = 0; round < rounds; round++) {
      mreg.push(rate(mregFn, set.inputs, roundMs))
      base.push(rate(ajvFn, set.inputs, roundMs))
      schemaOnly.push(rate(schemaDecode, set.inputs, roundMs))
    }
    const m = median(mreg)
    const a = median(base)
    // The JSON Schema cannot state metadata's 64 KiB limit (nor PEP 508, nor "JSON values only"): for the
    // large-metadata set the baseline is ajv plus the size check a hand-written validator needs, so both sides do
    // the same work (the row of the issue: ajv + `JSON.stringify(metadata).length`).
    let sized
    if (set.bytes) {
      const limit = core.Metadata.MAX_METADATA_BYTES
      const sizedFn = (input) => validate(input) && JSON.stringify(input.metadata).length <= limit
      rate(sizedFn, set.inputs, roundMs)
      const runs = []
      for (let round = 0; round < rounds; round++) runs.push(rate(sizedFn, set.inputs, roundMs))
      sized = median(runs)
    }
    out.push({
      name: set.name,
      inputs: set.inputs.length,
      ...(set.files ? { files: set.files } : {}),
      ...(set.bytes ? { metadataBytes: set.bytes } : {}),
      mreg: m,
      ajv: a,
      ratio: m / a,
      schemaDecoder: median(schemaOnly),
      schemaDecoderRatio: median(schemaOnly) / a,
      ...(sized ? { ajvWithSizeCheck: sized, ratioToAjvWithSizeCheck: m / sized } : {}),
      rounds: { mreg, ajv: base, schemaDecoder: schemaOnly },
      ok: rejected.length === 0,
      rejected
    })
  }
  return { jsonSchema, sets: out }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(JSON.stringify(await benchSchema(), null, 2))
}
