/**
 * Row schemas of the embedded registry and the conversions between rows and `ModelVersion`s.
 * @internal
 */
import { Fqn, ModelManifest, ModelVersion } from "@mreg/core"
import { Schema } from "effect"

const MANIFEST_KEYS = Object.keys(ModelManifest.ModelManifest.fields) as ReadonlyArray<keyof ModelManifest.ModelManifest>

/**
 * The wire form of a decoded manifest, keys in schema order and absent fields left out. A manifest's decoded and
 * encoded forms are the same data (no field is transformed), so this is `Schema.encode` without re-running every
 * rule on the way out.
 */
export const encodeManifest = (manifest: ModelManifest.ModelManifest): typeof ModelManifest.ModelManifest.Encoded => {
  const out: Record<string, unknown> = {}
  for (const key of MANIFEST_KEYS) if (manifest[key] !== undefined) out[key] = manifest[key]
  return out as typeof ModelManifest.ModelManifest.Encoded
}

/** A manifest stored as JSON text (it was written by `encodeManifest`, so it decodes by the same rules). */
export const ManifestJson = Schema.parseJson(ModelManifest.ModelManifest)

/** A subject stored as JSON text. */
export const SubjectJson = Schema.parseJson(ModelVersion.Subject)

/** `COUNT(*)` and `MAX(…) + 1`: a number on SQLite, a bigint sent as text by PostgreSQL. */
export const Count = Schema.Union(Schema.Number, Schema.NumberFromString)

/** A model version joined with its model and ML repo (`SELECT_VERSION`). */
export const VersionRow = Schema.Struct({
  id: Schema.String,
  model_id: Schema.String,
  version: Schema.Number,
  manifest: ManifestJson,
  alias: Schema.NullOr(Schema.String),
  step: Schema.Number,
  run_id: Schema.NullOr(Schema.String),
  created_by: SubjectJson,
  created_at: Schema.String,
  updated_at: Schema.String,
  revision: Schema.Number,
  deleted_at: Schema.NullOr(Schema.String),
  ml_repo_id: Schema.String,
  ml_repo_name: Schema.String,
  model_name: Schema.String
})
export interface VersionRow extends Schema.Schema.Type<typeof VersionRow> {}

export const SELECT_VERSION = `SELECT v.id, v.model_id, v.version, v.manifest, v.alias, v.step, v.run_id, v.created_by, v.created_at,
  v.updated_at, v.revision, v.deleted_at, m.ml_repo_id, r.name AS ml_repo_name, m.name AS model_name
  FROM model_versions v JOIN models m ON m.id = v.model_id JOIN ml_repos r ON r.id = m.ml_repo_id`

export const etagOf = (id: string, revision: number) => `"${id}.${revision}"`

/** JSON with object keys sorted, for comparing values and hashing requests independently of key order. */
export const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v)

const usageSnippet = (fqn: string) =>
  [
    "from truefoundry.ml import get_client",
    "",
    "client = get_client()",
    `model_version = client.get_model_version_by_fqn("${fqn}")`,
    "download_info = model_version.download(path=\"./model\")"
  ].join("\n")

/** A `ModelVersion` from its row and its tags. */
export const toModelVersion = (tenant: string, row: VersionRow, tags: ReadonlyArray<string>): ModelVersion.ModelVersion => {
  const fqn = Fqn.format({ tenant, mlRepo: row.ml_repo_name, name: row.model_name, version: row.version })
  return new ModelVersion.ModelVersion({
    id: ModelVersion.ModelVersionId.make(row.id),
    fqn,
    created_by_subject: row.created_by,
    manifest: row.manifest,
    ml_repo_id: row.ml_repo_id,
    model_id: row.model_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    usage_code_snippet: usageSnippet(fqn),
    tags,
    metrics: [],
    deployable: row.manifest.framework !== undefined && row.manifest.source.type !== "local"
  }, true)
}
