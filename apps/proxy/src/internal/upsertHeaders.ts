/**
 * What `upsert` and `apply` share: the write headers — `Idempotency-Key`, `If-Match`, `If-None-Match` — checked into
 * `ModelVersions.UpsertOptions`, idempotency keys scoped to the caller when the upstream sees one token, and the
 * check of the version a registry answered.
 * @internal
 */
import type { ModelManifest, ModelVersion, ModelVersions, RegistryApi } from "@mreg/core"
import { RegistryError } from "@mreg/core"
import { Context, Effect } from "effect"
import { createHash } from "node:crypto"

const headerIssue = (name: string, msg: string) => new RegistryError.ValidationIssue({ loc: ["header", name], msg, type: "value_error" })

/** The upsert options of the `Idempotency-Key`, `If-Match` and `If-None-Match` headers, or every problem with them. */
export const upsertHeaders = (headers: typeof RegistryApi.UpsertHeaders.Type) => {
  const issues: Array<RegistryError.ValidationIssue> = []
  const key = headers["idempotency-key"]
  if (key !== undefined && !/^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/.test(key)) {
    issues.push(headerIssue("idempotency-key", "must be 1–255 printable ASCII characters"))
  }
  const ifMatch = headers["if-match"]?.trim()
  if (ifMatch !== undefined && (ifMatch.length === 0 || ifMatch.length > 1024)) {
    issues.push(headerIssue("if-match", "must be an ETag from an earlier response (or *)"))
  }
  const ifNoneMatch = headers["if-none-match"]?.trim()
  if (ifNoneMatch !== undefined && ifNoneMatch !== "*") {
    issues.push(headerIssue("if-none-match", `must be * (create only) (received ${JSON.stringify(ifNoneMatch.slice(0, 64))})`))
  }
  const options: ModelVersions.UpsertOptions = { idempotencyKey: key, ifMatch, ifNoneMatch: ifNoneMatch === "*" ? "*" : undefined }
  return { issues, options }
}

/**
 * Whether the upstream sees one token for every caller (`--upstream-token`): an `Idempotency-Key` is then forwarded
 * as the hex SHA-256 of `subjectId + "\n" + key`, so two callers' keys never meet at the upstream.
 */
export class SharedUpstreamToken extends Context.Reference<SharedUpstreamToken>()("@mreg/proxy/Server/SharedUpstreamToken", {
  defaultValue: () => false
}) {}

const scopedKey = (subjectId: string, key: string) => createHash("sha256").update(`${subjectId}\n${key}`).digest("hex")

/**
 * The options of a write by `subject`: with an injected upstream token ({@link SharedUpstreamToken}) the idempotency
 * key is scoped to the caller.
 */
export const scopedOptions = (options: ModelVersions.UpsertOptions, subject: ModelVersion.Subject) =>
  Effect.map(SharedUpstreamToken, (shared): ModelVersions.UpsertOptions => {
    const key = options.idempotencyKey
    return { ...options, subject, ...(shared && key !== undefined ? { idempotencyKey: scopedKey(subject.subjectId, key) } : {}) }
  })

/**
 * The version written, checked against the manifest the caller may write: an upstream that answers with a version of
 * another model (so maybe of an ML repo outside the caller's scope) is a 502, never passed on.
 */
export const requireSameModel = (
  manifest: ModelManifest.ModelManifest,
  answered: ModelManifest.ModelManifest | undefined
): Effect.Effect<void, RegistryError.UpstreamError> =>
  answered === undefined || (answered.ml_repo === manifest.ml_repo && answered.name === manifest.name)
    ? Effect.void
    : Effect.fail(new RegistryError.UpstreamError({ status: 502, message: "the upstream answered with a model version of another ML repo" }))
