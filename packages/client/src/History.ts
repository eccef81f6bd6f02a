/**
 * The history of a model version in the Promise client: `client.history(idOrFqn, { limit, offset })`, one page of
 * events, oldest first (wire shapes derived from `@mreg/core`'s `ModelVersionEvent`).
 *
 * @since 0.2.0
 */
import { Fqn, ModelVersionEvent, ModelVersions, Validation } from "@mreg/core"
import { Effect, Either, Schema } from "effect"
import type { ValidationError } from "./Errors.js"
import { fromRegistryError } from "./internal/errors.js"
import * as Wire from "./internal/wire.js"
import type { Run } from "./Models.js"

/**
 * One write to a model version: `{ id, model_version_id, revision, type: "created" | "updated" | "tags_applied" |
 * "deleted", subject: {subjectId, subjectType, …}, at, changes: [{ path, before?, after? }] }`. `revision` is the
 * version's revision after the write (one event per revision, 1..N); `path` is a dotted field path
 * (`metadata.accuracy`), a key that is not a plain name written as a JSON string (`metadata."top.k"`).
 * @since 0.2.0
 * @category models
 */
export type ModelVersionEvent = typeof ModelVersionEvent.ModelVersionEvent.Encoded

/**
 * One page of `history`: `{ data: ModelVersionEvent[], pagination: {total, offset, limit} }`, oldest first.
 * @since 0.2.0
 * @category models
 */
export type HistoryPage = typeof ModelVersionEvent.HistoryPage.Encoded

/**
 * Paging of `history`: `limit` (1–1000, default 100), `offset` (≥ 0, default 0). Unknown keys are a
 * `ValidationError`.
 * @since 0.2.0
 * @category models
 */
export interface HistoryOptions {
  readonly limit?: number | undefined
  readonly offset?: number | undefined
}

const decodeOptions = Schema.decodeUnknownEither(
  Schema.Struct({ limit: ModelVersions.ListQuery.fields.limit, offset: ModelVersions.ListQuery.fields.offset }),
  { errors: "all", onExcessProperty: "error" }
)
const encodePage = Schema.encodeSync(ModelVersionEvent.HistoryPage)

const checked = <A>(either: Either.Either<A, ValidationError>): A => {
  if (Either.isLeft(either)) throw either.left
  return either.right
}

/**
 * `client.history` on a runner: an id is asked as it is (a deleted version keeps its history), an FQN
 * (`model:{tenant}/{ml_repo}/{name}:{version | alias | latest}`) is looked up first among live versions. @internal
 */
export const makeHistory = (run: Run) => async (idOrFqn: string, options?: HistoryOptions): Promise<HistoryPage> => {
  const query = checked(Either.mapLeft(
    decodeOptions(options ?? {}),
    (error) => fromRegistryError(Validation.fromParseError(error, ["query"])) as ValidationError
  ))
  const byFqn = typeof idOrFqn === "string" && Fqn.isFqnLike(idOrFqn)
  const lookup = byFqn ? checked(Wire.fqnQuery(idOrFqn)) : undefined
  const id = byFqn ? undefined : checked(Wire.id(idOrFqn))
  return run((service) =>
    Effect.gen(function*() {
      const versionId = lookup === undefined ? id! : (yield* service.list(lookup)).data[0]?.id
      if (versionId === undefined) return yield* Effect.fail(Wire.notFoundFqn(idOrFqn))
      return encodePage(yield* service.history(versionId, query))
    })
  )
}
