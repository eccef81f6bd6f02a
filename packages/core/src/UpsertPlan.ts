/**
 * What an upsert would do, computed without writing (`mreg diff`, `mreg upsert --dry-run`, the dry run of
 * `PUT /api/svc/v1/apply`): create the next version, or update a stored one field by field, and every reason the
 * registry would reject it.
 *
 * PUT semantics (DESIGN.md): `version_alias`, `description`, `metadata`, `framework` and `environment` are replaced
 * (an omitted one is cleared); `source`, `step` and `run_id` are fixed at creation (omitted = unchanged, a different
 * value = `IMMUTABLE_FIELD`). The stored version is read with `list` (`{ml_repo, name}` for the newest version and
 * the tenant of its FQN, then `{fqn}` for the version and for the holder of the alias) and `get` (its ETag, only
 * with `--if-match`).
 *
 * Deleted versions are not visible through the API: the next number comes from the model's `next_version` (mreg's
 * registry and proxy), which counts them. A registry without it (TrueFoundry) leaves the prediction to the live
 * versions: when the newest versions of a model were deleted, it gives the next version a higher number than the
 * one shown here, and a deleted number is predicted as a create (numbers are never reused).
 *
 * @since 0.2.0
 */
import { Effect, Schema } from "effect"
import * as Fqn from "./Fqn.js"
import * as Model from "./Model.js"
import * as ModelManifest from "./ModelManifest.js"
import type { ModelVersion } from "./ModelVersion.js"
import * as ModelVersions from "./ModelVersions.js"
import type { RegistryError } from "./RegistryError.js"

/**
 * One field that would change: added (`+`), removed (`-`, PUT clears it) or changed (`~`). `path` names it
 * inside the request body: `manifest.description`, `manifest.metadata.license`.
 * @since 0.2.0
 * @category models
 */
export type Change =
  | { readonly op: "add"; readonly path: string; readonly to: unknown }
  | { readonly op: "remove"; readonly path: string; readonly from: unknown }
  | { readonly op: "change"; readonly path: string; readonly from: unknown; readonly to: unknown }

/**
 * Why the registry would reject the upsert, with the error code it would answer.
 * `VERSION_NOT_NEXT` is a 422 (exit 2); every other code a 409/412 (exit 3).
 * @since 0.2.0
 * @category models
 */
export interface Problem {
  readonly path: string
  readonly code: "IMMUTABLE_FIELD" | "ALIAS_IN_USE" | "VERSION_DELETED" | "VERSION_NOT_NEXT" | "PRECONDITION_FAILED"
  readonly message: string
}

/**
 * The outcome of an upsert, predicted: `create` a new version, `update` a stored one (no changes when `changes` is
 * empty), or `none` when the version number can be neither (deleted, or beyond the next one). `fqn` is known once
 * the model has a version (the tenant comes from its FQN).
 * @since 0.2.0
 * @category models
 */
export interface Plan {
  readonly action: "create" | "update" | "none"
  readonly ml_repo: string
  readonly name: string
  readonly version: number
  readonly fqn?: string | undefined
  readonly changes: ReadonlyArray<Change>
  readonly problems: ReadonlyArray<Problem>
}

/**
 * Preconditions of the upsert being predicted (`--if-match`, `--create-only`).
 * @since 0.2.0
 * @category models
 */
export interface Preconditions {
  readonly ifMatch?: string | undefined
  readonly createOnly?: boolean | undefined
}

const encodeManifest = Schema.encodeSync(ModelManifest.ModelManifest)

/** The fields of a stored manifest, in wire order; `type`, `name` and `ml_repo` identify the model. */
const FIELDS = ["version", "version_alias", "description", "metadata", "source", "framework", "environment", "step", "run_id"] as const
const MUTABLE: ReadonlySet<string> = new Set(["version_alias", "description", "metadata", "framework", "environment"])

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** JSON with object keys sorted: equal values give equal text. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.keys(v).sort().map((key) => [key, v[key]])) : v)

/**
 * A value as shown in a diff line: compact JSON (strings quoted).
 * @since 0.2.0
 * @category rendering
 */
export const show = (value: unknown): string => JSON.stringify(value)

const child = (path: string, key: string): string =>
  /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`

/**
 * The changes that turn `from` into `to`, field by field: objects are compared key by key (a framework whose `type`
 * changes is one change), anything else (lists included) as a whole. Key order does not matter.
 * @since 0.2.0
 * @category diffing
 */
export const changes = (path: string, from: unknown, to: unknown): Array<Change> => {
  if (from === undefined && to === undefined) return []
  if (from === undefined) return [{ op: "add", path, to }]
  if (to === undefined) return [{ op: "remove", path, from }]
  if (canonical(from) === canonical(to)) return []
  if (isRecord(from) && isRecord(to) && from.type === to.type) {
    const keys = [...Object.keys(from), ...Object.keys(to).filter((key) => !Object.hasOwn(from, key))]
    return keys.flatMap((key) => changes(child(path, key), from[key], to[key]))
  }
  return [{ op: "change", path, from, to }]
}

const sameEtag = (given: string, current: string | undefined): boolean => {
  const weak = (tag: string) => tag.trim().replace(/^W\//, "")
  return given.split(",").some((tag) => tag.trim() === "*" || (current !== undefined && weak(tag) === weak(current)))
}

/**
 * Predicts the upsert of `manifest` on `registry` (see the module notes). Reads only; fails with the registry's
 * errors (an unreachable control plane, …), never with the predicted problems, which are in the plan.
 * @since 0.2.0
 * @category diffing
 */
export const plan = (
  registry: ModelVersions.Service,
  manifest: ModelManifest.ModelManifest,
  preconditions: Preconditions = {}
): Effect.Effect<Plan, RegistryError> => Effect.map(predict(registry, manifest, preconditions), ({ plan }) => plan)

/**
 * The live version a manifest's `version` names (`ml_repo`, `name`, `version`), or `undefined` when the manifest has
 * no version or no such live version exists. Checked on the answer too: an upstream may ignore the `ml_repo` filter.
 * @since 0.2.0
 * @category diffing
 */
export const storedVersion = (
  registry: ModelVersions.Service,
  manifest: ModelManifest.ModelManifest
): Effect.Effect<ModelVersion | undefined, RegistryError> =>
  manifest.version === undefined
    ? Effect.succeed(undefined)
    : Effect.map(
      registry.list(new ModelVersions.ListQuery({ ml_repo: manifest.ml_repo, name: manifest.name, version: manifest.version, limit: 100 })),
      (page) =>
        page.data.find((mv) =>
          mv.manifest.ml_repo === manifest.ml_repo && mv.manifest.name === manifest.name && mv.manifest.version === manifest.version
        )
    )

/**
 * {@link plan}, with the stored version an `update` targets (`target`, as read by the prediction).
 * @since 0.2.0
 * @category diffing
 */
export const predict = (
  registry: ModelVersions.Service,
  manifest: ModelManifest.ModelManifest,
  preconditions: Preconditions = {}
): Effect.Effect<{ readonly plan: Plan; readonly target?: ModelVersion | undefined }, RegistryError> =>
  Effect.gen(function*() {
    const model = `${manifest.ml_repo}/${manifest.name}`
    const page = yield* registry.list(new ModelVersions.ListQuery({ ml_repo: manifest.ml_repo, name: manifest.name, limit: 1 }))
    const latest = page.data.find((mv) => mv.manifest.ml_repo === manifest.ml_repo && mv.manifest.name === manifest.name)
    const latestVersion = latest?.manifest.version ?? 0
    // The model's `next_version` (mreg) counts deleted versions too; a registry without it (TrueFoundry) leaves the
    // prediction to the live versions.
    const storedModel = yield* registry.listModels(new Model.ListQuery({ ml_repo: manifest.ml_repo, name: manifest.name, limit: 1 })).pipe(
      Effect.map((models) => models.data.find((m) => m.name === manifest.name)),
      Effect.catchAll(() => Effect.succeed(undefined))
    )
    const next = storedModel?.next_version ?? latestVersion + 1
    const parsed = Fqn.parse(latest?.fqn ?? storedModel?.fqn ?? "")
    const tenant = parsed._tag === "Right" ? parsed.right.tenant : undefined
    const fqnOf = (version: number | string) =>
      tenant === undefined ? undefined : Fqn.format({ tenant, mlRepo: manifest.ml_repo, name: manifest.name, version })
    const byFqn = (version: number | string) => {
      const fqn = fqnOf(version)
      return fqn === undefined
        ? Effect.succeed(undefined)
        : Effect.map(registry.list(new ModelVersions.ListQuery({ fqn, limit: 1 })), (found) => found.data[0])
    }

    const requested = manifest.version ?? next
    const problems: Array<Problem> = []
    const base = { ml_repo: manifest.ml_repo, name: manifest.name, version: requested }

    if (requested > next) {
      return {
        plan: {
          ...base,
          action: "none",
          changes: [],
          problems: [{
            path: "manifest.version",
            code: "VERSION_NOT_NEXT",
            message: `must be an existing version or the next one: the next version of ${model} is ${next} (received ${requested})`
          }]
        }
      }
    }
    const target = requested === latestVersion ? latest : requested < latestVersion ? yield* byFqn(requested) : undefined
    if (requested < next && target === undefined) {
      return {
        plan: {
          ...base,
          action: "none",
          fqn: fqnOf(requested),
          changes: [],
          problems: [{
            path: "manifest.version",
            code: "VERSION_DELETED",
            message: `version ${requested} of ${model} was deleted and version numbers are never reused; omit "version" to create version ${next}`
          }]
        }
      }
    }

    if (manifest.version_alias !== undefined) {
      const holder = yield* byFqn(manifest.version_alias)
      if (holder !== undefined && holder.id !== target?.id) {
        problems.push({
          path: "manifest.version_alias",
          code: "ALIAS_IN_USE",
          message: `${show(manifest.version_alias)} is held by version ${holder.manifest.version} of this model (as ` +
            `${show(holder.manifest.version_alias)}); aliases are unique within a model, ignoring case`
        })
      }
    }

    const given = encodeManifest(manifest) as Record<string, unknown>
    if (target === undefined) {
      if (preconditions.ifMatch !== undefined) {
        problems.push({
          path: "--if-match",
          code: "PRECONDITION_FAILED",
          message: `${preconditions.ifMatch} names no stored version: version ${requested} does not exist yet`
        })
      }
      const created: Record<string, unknown> = { ...given, version: requested, step: manifest.step ?? 0 }
      return {
        plan: {
          ...base,
          action: "create",
          fqn: fqnOf(requested),
          changes: FIELDS.flatMap((field) => changes(`manifest.${field}`, undefined, created[field])),
          problems
        }
      }
    }

    const stored = encodeManifest(target.manifest) as Record<string, unknown>
    const found: Array<Change> = []
    for (const field of FIELDS) {
      if (field === "version") continue
      const path = `manifest.${field}`
      if (MUTABLE.has(field)) {
        found.push(...changes(path, stored[field], given[field]))
      } else if (given[field] !== undefined && canonical(given[field]) !== canonical(stored[field])) {
        problems.push({
          path,
          code: "IMMUTABLE_FIELD",
          message: `cannot change once the version exists (${show(stored[field] ?? null)} → ${show(given[field])})`
        })
      }
    }
    if (preconditions.createOnly === true) {
      problems.push({
        path: "--create-only",
        code: "PRECONDITION_FAILED",
        message: `version ${requested} already exists and --create-only allows only creating it`
      })
    }
    if (preconditions.ifMatch !== undefined) {
      const { etag } = yield* registry.get(target.id)
      if (!sameEtag(preconditions.ifMatch, etag)) {
        problems.push({
          path: "--if-match",
          code: "PRECONDITION_FAILED",
          message: `version ${requested} has changed since ${preconditions.ifMatch}: its current ETag is ${etag ?? "unknown"}`
        })
      }
    }
    return { plan: { ...base, action: "update", fqn: target.fqn, changes: found, problems }, target }
  })

