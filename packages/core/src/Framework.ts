/**
 * `manifest.framework`: the ML framework of a model version, discriminated on `type`.
 *
 * Rule source: TrueFoundry's ModelManifest `framework` union (14 members). Members with fields:
 * - `transformers`: `library_name?` ∈ {transformers, sentence-transformers, diffusers}; `pipeline_tag?` a Hugging
 *   Face task id; `base_model?` a Hub repo id.
 * - `sklearn`: `model_filepath?`, `serialization_format?` ∈ {cloudpickle, joblib, pickle}, `model_schema?`
 *   `{infer_method_name: predict|predict_proba, inputs: object[], outputs: object[]}`.
 * - `xgboost`: as sklearn; `serialization_format` also allows `json`, `infer_method_name` only `predict`.
 * Every other member carries only `type`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { HubModelId } from "./HubModelId.js"
import { JsonObject } from "./Metadata.js"
import { PipelineTag } from "./PipelineTag.js"

/** `library_name` of a transformers model. @since 0.1.0 @category schemas */
export const LibraryName = Schema.Literal("transformers", "sentence-transformers", "diffusers").annotations({
  title: "Library name",
  description: "The Hugging Face library that loads the model."
})

/** @since 0.1.0 @category schemas */
export const TransformersFramework = Schema.Struct({
  type: Schema.Literal("transformers"),
  library_name: Schema.optional(LibraryName),
  pipeline_tag: Schema.optional(PipelineTag),
  base_model: Schema.optional(HubModelId)
}).annotations({
  identifier: "TransformersFramework",
  title: "transformers",
  description: "A Hugging Face transformers, sentence-transformers or diffusers model.",
  examples: [{ type: "transformers", library_name: "transformers", pipeline_tag: "text-classification" }]
})

const ModelFilepath = Schema.String.pipe(
  Schema.minLength(1, { message: () => "must not be empty: give the model file's path inside the source" }),
  Schema.annotations({ title: "Model file path", description: "Path of the model file inside the source.", examples: ["model.joblib"] })
)

/** `model_schema` of a file-based member: which method serves, and the input and output columns. */
const modelSchema = <const Methods extends ReadonlyArray<string>>(identifier: string, ...methods: Methods) =>
  Schema.Struct({
    infer_method_name: Schema.Literal(...methods),
    inputs: Schema.Array(JsonObject),
    outputs: Schema.Array(JsonObject)
  }).annotations({
    identifier,
    title: "Model schema",
    description: "Which method serves predictions, and the model's input and output columns."
  })

/** A file-based member (sklearn, xgboost): its file, how it was serialized, and its `model_schema`. */
const fileFramework = <const Type extends string, const Formats extends ReadonlyArray<string>, S extends Schema.Schema.Any>(
  type: Type,
  identifier: string,
  formats: Formats,
  model_schema: S
) =>
  Schema.Struct({
    type: Schema.Literal(type),
    model_filepath: Schema.optional(ModelFilepath),
    serialization_format: Schema.optional(Schema.Literal(...formats).annotations({ title: "Serialization format" })),
    model_schema: Schema.optional(model_schema)
  }).annotations({ identifier, title: type, description: `${type}: a model saved as a file.` })

/** @since 0.1.0 @category schemas */
export const SklearnModelSchema = modelSchema("SklearnModelSchema", "predict", "predict_proba")

/** @since 0.1.0 @category schemas */
export const SklearnFramework = fileFramework("sklearn", "SklearnFramework", ["cloudpickle", "joblib", "pickle"], SklearnModelSchema)

/** @since 0.1.0 @category schemas */
export const XGBoostModelSchema = modelSchema("XGBoostModelSchema", "predict")

/** @since 0.1.0 @category schemas */
export const XGBoostFramework = fileFramework(
  "xgboost",
  "XGBoostFramework",
  ["cloudpickle", "joblib", "pickle", "json"],
  XGBoostModelSchema
)

const typeOnly = <T extends string>(type: T) =>
  Schema.Struct({ type: Schema.Literal(type) }).annotations({
    identifier: `${type}Framework`,
    title: type,
    description: `${type}: a model with no other fields.`
  })

/** @since 0.1.0 @category schemas */
export const TensorFlowFramework = typeOnly("tensorflow")
/** @since 0.1.0 @category schemas */
export const PyTorchFramework = typeOnly("pytorch")
/** @since 0.1.0 @category schemas */
export const KerasFramework = typeOnly("keras")
/** @since 0.1.0 @category schemas */
export const LightGBMFramework = typeOnly("lightgbm")
/** @since 0.1.0 @category schemas */
export const FastAIFramework = typeOnly("fastai")
/** @since 0.1.0 @category schemas */
export const H2OFramework = typeOnly("h2o")
/** @since 0.1.0 @category schemas */
export const ONNXFramework = typeOnly("onnx")
/** @since 0.1.0 @category schemas */
export const SpaCyFramework = typeOnly("spacy")
/** @since 0.1.0 @category schemas */
export const StatsModelsFramework = typeOnly("statsmodels")
/** @since 0.1.0 @category schemas */
export const GluonFramework = typeOnly("gluon")
/** @since 0.1.0 @category schemas */
export const PaddleFramework = typeOnly("paddle")

/**
 * `framework`: one of 14 members, chosen by `type`.
 * @since 0.1.0
 * @category schemas
 */
export const Framework = Schema.Union(
  TransformersFramework,
  TensorFlowFramework,
  SklearnFramework,
  PyTorchFramework,
  KerasFramework,
  XGBoostFramework,
  LightGBMFramework,
  FastAIFramework,
  H2OFramework,
  ONNXFramework,
  SpaCyFramework,
  StatsModelsFramework,
  GluonFramework,
  PaddleFramework
).annotations({
  identifier: "Framework",
  title: "Framework",
  description: "The ML framework of the model version, chosen by `type` (14 members)."
})

/** @since 0.1.0 @category models */
export type Framework = typeof Framework.Type

/**
 * The 14 framework `type` values.
 * @since 0.1.0
 * @category constants
 */
export const FRAMEWORK_TYPES = [
  "transformers",
  "tensorflow",
  "sklearn",
  "pytorch",
  "keras",
  "xgboost",
  "lightgbm",
  "fastai",
  "h2o",
  "onnx",
  "spacy",
  "statsmodels",
  "gluon",
  "paddle"
] as const satisfies ReadonlyArray<Framework["type"]>
