/**
 * Manifests: the TypeScript type of what callers send, and {@link validateManifest}, which checks a manifest with
 * exactly the rules the registry applies, without sending or storing anything.
 *
 * @since 0.1.0
 */
import type { ModelManifest as CoreManifest } from "@mreg/core"
import { Either } from "effect"
import type { ValidationIssue } from "./Errors.js"
import * as Wire from "./internal/wire.js"

/**
 * A model-version manifest in its wire shape (snake_case, plain JSON), as sent in `PUT /api/ml/v1/model-versions`
 * `{"manifest": …}`. Derived from the `@mreg/core` schema (`ModelManifest.Encoded`), so it never drifts from the rules:
 *
 * - `type`: `"model-version"`; `name`: `^[A-Za-z0-9_-]+$`, 1–256 characters; `ml_repo`: 1–512 characters;
 * - `version?`: integer ≥ 1 (omit it to create the next version); `version_alias?`: `v1.0.0`, `v1-prod`, … (a `v`,
 *   then letters or digits in groups joined by `.` or `-`);
 * - `description?`: ≤ 1024 characters; `metadata`: a JSON object of at most 64 KiB serialized (no `NaN`,
 *   `Infinity`, `undefined` values, dates or class instances);
 * - `source`: `{type: "truefoundry", uri?}` | `{type: "external", uri}` | `{type: "local", file_or_folder}`;
 * - `framework?`: `{type: "transformers", library_name?, pipeline_tag?, base_model?}`, `{type: "sklearn", …}`, … (14
 *   types); `environment?`: `{python_version?: "3.10", pip_packages?: string[]}`; `step?`: integer ≥ 0; `run_id?`.
 *
 * @since 0.1.0
 * @category models
 */
export type ModelManifest = typeof CoreManifest.ModelManifest.Encoded

/**
 * The result of {@link validateManifest}: the manifest as the registry reads it, or every problem.
 * @since 0.1.0
 * @category models
 */
export type ValidationResult =
  | { readonly ok: true; readonly value: ModelManifest }
  | { readonly ok: false; readonly issues: ReadonlyArray<ValidationIssue> }

/**
 * Checks a manifest against every rule of the registry, locally (nothing is sent or stored), and reports every
 * problem at once. Never throws; needs no client.
 *
 * Returns `{ ok: true, value }` with the manifest as the registry reads it (a fresh plain object), or
 * `{ ok: false, issues }` whose issues have the same `loc`/`msg`/`type` as the `detail` of a 422 response body, e.g.
 * `{ loc: ["body", "manifest", "metadata", "loss"], msg: "must be a finite number: JSON has no NaN or Infinity (received NaN)", type: "value_error" }`.
 *
 * @example
 * ```ts
 * const result = validateManifest({ type: "model-version", name: "clf", ml_repo: "team", metadata: {}, source: { type: "truefoundry" } })
 * if (!result.ok) for (const issue of result.issues) console.error(issue.loc.join("."), issue.msg)
 * ```
 * @since 0.1.0
 * @category validation
 */
export const validateManifest = (input: unknown): ValidationResult => {
  const decoded = Wire.manifest(input)
  return Either.isRight(decoded)
    ? { ok: true, value: Wire.encodeManifest(decoded.right) }
    : { ok: false, issues: decoded.left.issues }
}
