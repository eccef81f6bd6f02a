/**
 * Row schemas of the embedded registry and the conversions between rows and `ModelVersion`s.
 * @internal
 */
import { Fqn, ModelManifest, ModelVersion } from "@mreg/core"
import { ParseResult, Predicate, Schema } from "effect"

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

/**
 * A manifest stored as JSON text, read back without running the manifest's rules again. Safe because the registry
 * is the only writer of the column: every stored manifest was decoded by `ModelManifest` (PEP 508, Hub ids,
 * metadata limits, …) before `encodeManifest` wrote it, and migrations never rewrite manifests. Re-running those rules
 * on every read cost about 20 µs per row (up to 1,000 rows per `list`); this checks the JSON and the shape that the
 * registry's own code relies on (`type`, `name`, `ml_repo`, `source`, `metadata`) and builds the class without
 * validation. A row that fails the check is a `StoreError`, as before.
 */
export const ManifestJson = Schema.transformOrFail(Schema.String, Schema.instanceOf(ModelManifest.ModelManifest), {
  strict: true,
  decode: (text, _options, ast) => {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return ParseResult.fail(new ParseResult.Type(ast, text, "the stored manifest is not JSON"))
    }
    return isStoredManifest(json)
      ? ParseResult.succeed(new ModelManifest.ModelManifest(json as unknown as ModelManifest.ModelManifest, true))
      : ParseResult.fail(new ParseResult.Type(ast, text, "the stored manifest does not have the manifest's shape"))
  },
  encode: (manifest) => ParseResult.succeed(JSON.stringify(encodeManifest(manifest)))
})

const isStoredManifest = (json: unknown): boolean =>
  Predicate.isRecord(json) && json.type === "model-version" && typeof json.name === "string" &&
  typeof json.ml_repo === "string" && Predicate.isRecord(json.source) && typeof json.source.type === "string" &&
  Predicate.isRecord(json.metadata)

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
