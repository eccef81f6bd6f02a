/**
 * Test fixtures shared by mreg's packages (private, not published). The CASES.md `BASE` manifest lives once, in
 * `manifests/base.json` (a PUT body, `{"manifest": {…}}`), for tests that need it as a value ({@link base}) or as a
 * file ({@link BASE_FILE}), and a stored model version as a server sends it ({@link wireVersion}).
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/**
 * The absolute path of `manifests/base.json`: the BASE manifest as a PUT body `{"manifest": {…}}`.
 * @since 0.1.0
 * @category files
 */
export const BASE_FILE: string = fileURLToPath(new URL("../manifests/base.json", import.meta.url))

/**
 * The manifest of BASE (wire shape, snake_case fields).
 * @since 0.1.0
 * @category models
 */
export interface BaseManifest {
  readonly type: "model-version"
  readonly name: string
  readonly ml_repo: string
  readonly metadata: Record<string, unknown>
  readonly source: { readonly type: "truefoundry"; readonly uri: string }
  readonly framework: {
    readonly type: "transformers"
    readonly library_name: string
    readonly pipeline_tag: string
    readonly base_model: string
  }
  readonly environment: { readonly python_version: string; readonly pip_packages: ReadonlyArray<string> }
  readonly step: number
}

const text = readFileSync(BASE_FILE, "utf8")

/**
 * The BASE PUT body `{"manifest": BASE}`, a fresh copy on every call.
 * @since 0.1.0
 * @category constructors
 */
export const baseBody = (): { manifest: BaseManifest } => JSON.parse(text)

/**
 * The BASE manifest, a fresh copy on every call, with `fields` replacing its fields (a field set to `undefined` is
 * removed).
 * @since 0.1.0
 * @category constructors
 */
export const base = <F extends Record<string, unknown> = {}>(fields?: F): BaseManifest & F => {
  const out: Record<string, unknown> = { ...baseBody().manifest, ...fields }
  for (const [key, value] of Object.entries(fields ?? {})) if (value === undefined) delete out[key]
  return out as BaseManifest & F
}

/**
 * A stored model version as a control plane sends it (wire shape, TrueFoundry's fields in their order) holding
 * `manifest` (which carries its `version`): id `mv-<version>`, FQN in tenant `acme`, ids `repo-1`/`model-1`, both
 * timestamps 2024-06-01T12:00:00.000Z, no tags or metrics, deployable; `fields` replace or add fields.
 * @since 0.2.0
 * @category constructors
 */
export const wireVersion = <F extends Record<string, unknown> = {}>(
  manifest: { readonly ml_repo: string; readonly name: string; readonly version: number } & Record<string, unknown>,
  fields?: F
) => ({
  id: `mv-${manifest.version}`,
  fqn: `model:acme/${manifest.ml_repo}/${manifest.name}:${manifest.version}`,
  created_by_subject: { subjectId: "u1", subjectType: "user" } as Record<string, string>,
  manifest,
  ml_repo_id: "repo-1",
  model_id: "model-1",
  created_at: "2024-06-01T12:00:00.000Z",
  updated_at: "2024-06-01T12:00:00.000Z",
  tags: [] as Array<unknown>,
  metrics: [] as Array<unknown>,
  deployable: true,
  ...fields as F
})

/** @since 0.2.0 */
export { type Answer, type Received, type Receiver, startReceiver } from "./WebhookReceiver.js"
export * as Otlp from "./Otlp.js"
