/**
 * The JSON Schema of manifest files, for editors and other tools: generated from {@link ModelManifest} by Effect's
 * `JSONSchema.make` (JSON Schema draft-07, which ajv and yaml-language-server both read), never written by hand.
 *
 * A manifest file holds the wire body `{"manifest": {…}}` or a bare manifest `{"type": "model-version", …}`; the
 * schema accepts both. It checks types, required fields, unknown fields, lengths, patterns and the allowed values
 * (framework `type`, `pipeline_tag`, `library_name`, …). Rules it cannot express are checked by `mreg validate`
 * and the registry: the PEP 508 grammar and PEP 440 versions of `pip_packages`, `metadata`'s 64 KiB limit and the
 * Hub repo-id details of `base_model` (no `--` or `..`). It also reads `python_version: 3.10` unquoted in YAML as a
 * number (as YAML does), where the CLI keeps the text `"3.10"`.
 *
 * Where to find it: `mreg schema` prints it, `@mreg/core` ships it as `schemas/model-manifest.json`, and
 * `mreg-proxy` serves it at {@link PATH}.
 *
 * @since 0.2.0
 */
import { JSONSchema, Schema } from "effect"
import { ModelManifest, UpsertRequest } from "./ModelManifest.js"

/**
 * The path `mreg-proxy` serves the schema at (`application/schema+json`, no authentication).
 * @since 0.2.0
 * @category constants
 */
export const PATH = "/schemas/model-manifest.json"

/**
 * A manifest file: `{"manifest": ModelManifest}` or a bare `ModelManifest`.
 * @since 0.2.0
 * @category schemas
 */
export const ManifestFile = Schema.Union(UpsertRequest, ModelManifest).annotations({
  title: "mreg model-version manifest file",
  description:
    "A model-version manifest for mreg and TrueFoundry's model-version API: {\"manifest\": {…}} or a bare manifest. " +
    "Rules outside JSON Schema (PEP 508 requirements, metadata at most 64 KiB) are checked by `mreg validate`."
})

/**
 * The JSON Schema (draft-07) of {@link ManifestFile}: `{$schema, $defs, anyOf, title, description}`.
 * @since 0.2.0
 * @category constructors
 */
export const make = (): JSONSchema.JsonSchema7Root => JSONSchema.make(ManifestFile)
