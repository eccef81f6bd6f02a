/**
 * Decoding of caller input (before anything is sent) and encoding of results to their plain wire shape.
 * @internal
 */
import { Fqn, ModelManifest, ModelVersion, ModelVersions, RegistryError, Validation } from "@mreg/core"
import { Either, Schema } from "effect"
import type { ValidationError } from "../Errors.js"
import { fromRegistryError } from "./errors.js"


const invalid = (loc: ReadonlyArray<string | number>, msg: string, type = "value_error") =>
  fromRegistryError(
    new RegistryError.ValidationError({ detail: [new RegistryError.ValidationIssue({ loc, msg, type })] })
  ) as ValidationError

const toClient = <A>(either: Either.Either<A, RegistryError.ValidationError>): Either.Either<A, ValidationError> =>
  Either.mapLeft(either, (error) => fromRegistryError(error) as ValidationError)

/** A manifest, with every problem at `["body", "manifest", …]`. */
export const manifest = (input: unknown): Either.Either<ModelManifest.ModelManifest, ValidationError> =>
  toClient(Validation.decodeManifest(input))

const decodeListQuery = Validation.decodeAt(ModelVersions.ListQuery, ["query"])

/** A list query, with every problem at `["query", …]`; `undefined` is the empty query. */
export const listQuery = (input: unknown): Either.Either<ModelVersions.ListQuery, ValidationError> =>
  toClient(decodeListQuery(input ?? {}))

const decodeId = Validation.decodeAt(ModelVersion.ModelVersionId, ["path", "id"])

/** A model version id (a non-empty string), problems at `["path", "id"]`. */
export const id = (input: unknown): Either.Either<ModelVersion.ModelVersionId, ValidationError> =>
  toClient(decodeId(input))

const decodeApplyTags = Validation.decodeAt(ModelVersions.ApplyTagsRequest, ["body"])

/** A tags request `{model_version_id, tags, force?}`, problems at `["body", …]`. */
export const applyTags = (input: unknown): Either.Either<ModelVersions.ApplyTagsRequest, ValidationError> =>
  toClient(decodeApplyTags(input))

/** The one-item list query of a lookup by model version FQN (`…:latest` included); problems at `["query", "fqn"]`. */
export const fqnQuery = (input: unknown): Either.Either<ModelVersions.ListQuery, ValidationError> => {
  if (typeof input !== "string") return Either.left(invalid(["query", "fqn"], "must be a string such as model:default/nlp-team/sentiment-clf:1", "type_error"))
  const parsed = Fqn.parseModelVersion(input)
  if (Either.isLeft(parsed)) return Either.left(invalid(["query", "fqn"], parsed.left.message))
  return Either.right(new ModelVersions.ListQuery({ fqn: input, limit: 1 }))
}

/** No live version has that FQN. */
export const notFoundFqn = (fqn: string) => new RegistryError.NotFound({ message: `no model version with FQN "${fqn}"` })

/** Upsert options checked at `["header", …]`: the keys must be non-empty strings, `ifNoneMatch` only `"*"`. */
export const upsertOptions = (input: unknown): Either.Either<{
  readonly idempotencyKey: string | undefined
  readonly ifMatch: string | undefined
  readonly ifNoneMatch: "*" | undefined
}, ValidationError> => {
  if (input === undefined || input === null) {
    return Either.right({ idempotencyKey: undefined, ifMatch: undefined, ifNoneMatch: undefined })
  }
  if (typeof input !== "object") return Either.left(invalid(["options"], "must be an object", "type_error"))
  const { idempotencyKey, ifMatch, ifNoneMatch } = input as Record<string, unknown>
  const text = (value: unknown) => value === undefined || (typeof value === "string" && value.length > 0 && !/[\r\n]/.test(value))
  const issues: Array<RegistryError.ValidationIssue> = []
  const add = (header: string, msg: string) =>
    issues.push(new RegistryError.ValidationIssue({ loc: ["header", header], msg, type: "value_error" }))
  if (!text(idempotencyKey)) add("idempotency-key", "must be a non-empty string on one line")
  if (!text(ifMatch)) add("if-match", "must be a non-empty string on one line (an ETag)")
  if (ifNoneMatch !== undefined && ifNoneMatch !== "*") add("if-none-match", "must be \"*\"")
  if (issues.length > 0) return Either.left(fromRegistryError(new RegistryError.ValidationError({ detail: issues })) as ValidationError)
  return Either.right({
    idempotencyKey: idempotencyKey as string | undefined,
    ifMatch: ifMatch as string | undefined,
    ifNoneMatch: ifNoneMatch as "*" | undefined
  })
}

/** A decoded manifest back to its plain wire shape. */
export const encodeManifest = Schema.encodeSync(ModelManifest.ModelManifest)

/** A model version as a plain wire object (snake_case JSON). */
export const encodeModelVersion = Schema.encodeSync(ModelVersion.ModelVersion)

/** A page `{data, pagination}` as a plain wire object. */
export const encodePage = Schema.encodeSync(ModelVersion.ModelVersionPage)
