/**
 * TrueFoundry's generic apply and delete, for `model-version` manifests:
 *
 * | endpoint | request | 2xx body |
 * | --- | --- | --- |
 * | `PUT /api/svc/v1/apply` | `{"manifest", "dryRun"?}` | `{"existingManifest"?, "action": "CREATE" \| "UPDATE", "data"?: ModelVersion, "manifest"?}` |
 * | `POST /api/svc/v1/delete` | `{"manifest"}` | `{}` |
 *
 * - apply is an upsert (the same rules, errors and version allocation); `existingManifest` is the stored manifest
 *   an `UPDATE` replaced (absent for a `CREATE`), `data` the stored version;
 * - `dryRun: true` validates and predicts without writing (`UpsertPlan.predict`, as `mreg diff`): the answer has
 *   the predicted `action`, `existingManifest`, and `manifest`, the manifest the version would hold (version
 *   number filled in), and no `data`; a write the registry would reject fails with the same error (422
 *   `VALIDATION_ERROR` for a version beyond the next one, 409 `VERSION_DELETED`, `ALIAS_IN_USE`, `IMMUTABLE_FIELD`).
 *   Deleted numbers come from the model's `next_version` (see `UpsertPlan`: a registry without it, TrueFoundry,
 *   leaves the prediction to the live versions);
 * - delete removes the version the manifest names (`ml_repo`, `name`, `version`; `version` is required);
 * - any manifest `type` but `"model-version"` is a 422 at `body.manifest.type` naming the supported type.
 *
 * Source: TrueFoundry's TypeScript SDK (`client.apply`: `TrueFoundryApplyRequest`, `TrueFoundryApplyResponse`;
 * `client.delete`: `TrueFoundryDeleteRequest`, an empty response). `manifest` in a dry-run answer is mreg's own.
 *
 * @since 0.2.0
 */
import { Effect, Predicate, Schema } from "effect"
import { MANIFEST_EXAMPLE, ModelManifest } from "./ModelManifest.js"
import { ModelVersion } from "./ModelVersion.js"
import * as ModelVersions from "./ModelVersions.js"
import * as RegistryError from "./RegistryError.js"
import * as UpsertPlan from "./UpsertPlan.js"

/**
 * `PUT /api/svc/v1/apply` body: `{"manifest", "dryRun"?}`.
 * @since 0.2.0
 * @category schemas
 */
export class ApplyRequest extends Schema.Class<ApplyRequest>("ApplyRequest")<{
  manifest: typeof ModelManifest
  dryRun: Schema.optional<typeof Schema.Boolean>
}>({
  manifest: ModelManifest,
  dryRun: Schema.optional(Schema.Boolean)
}, [{
  title: "Apply request",
  description: "A model-version manifest to create or update; dryRun: true predicts the action without writing."
}, undefined, {
  examples: [{ manifest: ModelManifest.make(MANIFEST_EXAMPLE), dryRun: true } as never] // cast: see ModelManifest
}]) {}

/**
 * `POST /api/svc/v1/delete` body: `{"manifest"}`.
 * @since 0.2.0
 * @category schemas
 */
export class DeleteRequest extends Schema.Class<DeleteRequest>("DeleteRequest")<{ manifest: typeof ModelManifest }>({
  manifest: ModelManifest
}, [{
  title: "Delete request",
  description: "The manifest of the model version to delete (ml_repo, name and version name it)."
}, undefined, {
  examples: [{ manifest: ModelManifest.make({ ...MANIFEST_EXAMPLE, version: 1 }) } as never] // cast: see ModelManifest
}]) {}

/**
 * `CREATE` or `UPDATE` (TrueFoundry's `TrueFoundryApplyResponseAction`).
 * @since 0.2.0
 * @category schemas
 */
export const Action = Schema.Literal("CREATE", "UPDATE").annotations({
  description: "CREATE: a new version; UPDATE: the version the manifest names is replaced."
})

/**
 * The answer of apply (see the module notes): `data` when written, `manifest` when only predicted (`dryRun`).
 * @since 0.2.0
 * @category schemas
 */
export class ApplyResponse extends Schema.Class<ApplyResponse>("ApplyResponse")({
  existingManifest: Schema.optional(ModelManifest),
  action: Action,
  data: Schema.optional(ModelVersion),
  manifest: Schema.optional(ModelManifest)
}, [{
  title: "Apply response",
  description: "What apply did (data: the stored version) or, for dryRun, would do (manifest: what the version would hold)."
}, undefined, {
  examples: [{ action: "CREATE", manifest: ModelManifest.make({ ...MANIFEST_EXAMPLE, version: 1 }) } as never] // cast: see ModelManifest
}]) {}

/** The manifest type apply and delete support. @since 0.2.0 @category constants */
export const SUPPORTED_TYPE = "model-version"

/**
 * A `ValidationError` at `body.manifest.type` when a request body's manifest names a type other than
 * `"model-version"` (checked before the manifest's other rules, so the answer names the one that matters).
 * @since 0.2.0
 * @category validation
 */
export const unsupportedType = (body: unknown): RegistryError.ValidationError | undefined => {
  const type = Predicate.isRecord(body) && Predicate.isRecord(body.manifest) ? body.manifest.type : undefined
  if (typeof type !== "string" || type === SUPPORTED_TYPE) return undefined
  return new RegistryError.ValidationError({
    detail: [new RegistryError.ValidationIssue({
      loc: ["body", "manifest", "type"],
      msg: `mreg applies only "${SUPPORTED_TYPE}" manifests (received ${JSON.stringify(type.slice(0, 64))})`,
      type: "value_error.unsupported_type"
    })]
  })
}

/**
 * Options of {@link apply}: `dryRun` predicts without writing; the others are `upsert`'s (who writes, the
 * idempotency key, `If-Match`, `If-None-Match: *`), honoured by a dry run's prediction too.
 * @since 0.2.0
 * @category models
 */
export interface ApplyOptions extends ModelVersions.UpsertOptions {
  readonly dryRun?: boolean | undefined
}

/** The error the registry would answer for the first predicted problem. */
const rejection = (problem: UpsertPlan.Problem): RegistryError.RegistryError => {
  switch (problem.code) {
    case "VERSION_NOT_NEXT":
      return new RegistryError.ValidationError({
        detail: [new RegistryError.ValidationIssue({
          loc: ["body", "manifest", "version"],
          msg: problem.message,
          type: "value_error.version_not_next"
        })]
      })
    case "PRECONDITION_FAILED":
      return new RegistryError.PreconditionFailed({ message: problem.message })
    default:
      return new RegistryError.Conflict({ reason: problem.code, message: `${problem.path}: ${problem.message}`, details: { field: problem.path } })
  }
}

const dryRun = (registry: ModelVersions.Service, manifest: ModelManifest, options: ApplyOptions) =>
  Effect.gen(function*() {
    const preconditions = { ifMatch: options.ifMatch, createOnly: options.ifNoneMatch === "*" }
    const { plan, target } = yield* UpsertPlan.predict(registry, manifest, preconditions)
    const problem = plan.problems[0]
    if (problem !== undefined) return yield* Effect.fail(rejection(problem))
    const stored = target?.manifest
    const runId = stored === undefined ? manifest.run_id : stored.run_id
    const resulting = new ModelManifest({
      ...manifest,
      version: plan.version,
      step: stored?.step ?? manifest.step ?? 0,
      ...(runId === undefined ? {} : { run_id: runId })
    }, true)
    return new ApplyResponse({
      ...(stored === undefined ? {} : { existingManifest: stored }),
      action: plan.action === "update" ? "UPDATE" : "CREATE",
      manifest: resulting
    }, true)
  })

/**
 * Applies a model-version manifest (see the module notes). Fails with the errors of `upsert`.
 * @since 0.2.0
 * @category operations
 */
export const apply = (
  registry: ModelVersions.Service,
  manifest: ModelManifest,
  options: ApplyOptions = {}
): Effect.Effect<ApplyResponse, RegistryError.RegistryError> =>
  options.dryRun === true ? dryRun(registry, manifest, options) : Effect.gen(function*() {
    const existing = yield* UpsertPlan.storedVersion(registry, manifest)
    const { dryRun: _dryRun, ...upsertOptions } = options
    const result = yield* registry.upsert(manifest, upsertOptions)
    const replaced = result.created ? undefined : existing?.manifest
    return new ApplyResponse({
      ...(replaced === undefined ? {} : { existingManifest: replaced }),
      action: result.created ? "CREATE" : "UPDATE",
      data: result.modelVersion
    }, true)
  }).pipe(Effect.withSpan("Apply.apply"))

/**
 * Deletes the version a manifest names (`ml_repo`, `name`, `version`). Fails with `ValidationError` at
 * `body.manifest.version` when the manifest has no version, `NotFound` when no such live version exists.
 * @since 0.2.0
 * @category operations
 */
export const deleteManifest = (
  registry: ModelVersions.Service,
  manifest: ModelManifest
): Effect.Effect<void, RegistryError.RegistryError> =>
  Effect.gen(function*() {
    const version = manifest.version
    if (version === undefined) {
      return yield* Effect.fail(new RegistryError.ValidationError({
        detail: [new RegistryError.ValidationIssue({
          loc: ["body", "manifest", "version"],
          msg: "is required: give the number of the version to delete",
          type: "value_error.missing"
        })]
      }))
    }
    const found = yield* UpsertPlan.storedVersion(registry, manifest)
    if (found === undefined) {
      return yield* Effect.fail(new RegistryError.NotFound({ message: `no version ${version} of model ${manifest.ml_repo}/${manifest.name}` }))
    }
    yield* registry.delete(found.id)
  }).pipe(Effect.withSpan("Apply.deleteManifest"))
