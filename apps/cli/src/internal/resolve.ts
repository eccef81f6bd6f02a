/**
 * The one way every `mreg` command finds the model version a user names: an id, or an FQN
 * `model:{tenant}/{ml_repo}/{name}:{version | alias | latest}`.
 *
 * - an id is read with `get`;
 * - an FQN with a number or an alias is looked up with `list?fqn=…&limit=1`, then read with `get` (for its ETag);
 * - `…:latest` (the highest live version) is asked of the registry the same way; a registry that does not know
 *   `latest` answers 422, and then the model's versions are listed (`ml_repo` and `name` filters, every page) and the
 *   highest number whose FQN starts `model:{tenant}/{ml_repo}/{name}:` is taken.
 *
 * @internal
 */
import { Args } from "@effect/cli"
import { Fqn, ModelVersion, ModelVersions, RegistryError } from "@mreg/core"
import { Effect, Either, Schema } from "effect"
import * as Failure from "../Failure.js"

/** What a user typed, checked: an id, or an FQN (`latest` true for `…:latest`). */
export type Ref =
  | { readonly _tag: "Id"; readonly id: ModelVersion.ModelVersionId }
  | { readonly _tag: "Fqn"; readonly fqn: string; readonly model: Fqn.ModelVersionFqn; readonly latest: boolean }

/** The `ID|FQN` argument of `get`, `update`, `tag` and `delete`. */
export const versionArg = Args.text({ name: "id-or-fqn" }).pipe(
  Args.withDescription(
    "a model version id, or an FQN model:{tenant}/{ml_repo}/{name}:{version, alias or latest}, " +
      "such as model:default/nlp-team/sentiment-clf:latest"
  )
)

const invalidFqn = (input: string, message: string) =>
  new Failure.UsageError({ message: `invalid FQN ${JSON.stringify(input)}: ${message}` })

/**
 * Checks an `ID|FQN` argument without calling the registry. Fails with `UsageError` (exit 2) for a malformed FQN
 * (naming the expected shape), a model FQN without a version part (which would name no single version), or an
 * empty id.
 */
export const parse = (input: string): Either.Either<Ref, Failure.UsageError> => {
  if (!Fqn.isFqnLike(input)) {
    return Either.mapBoth(Schema.decodeEither(ModelVersion.ModelVersionId)(input), {
      onLeft: () => new Failure.UsageError({ message: "give a model version id or an FQN (model:…), not an empty string" }),
      onRight: (id) => ({ _tag: "Id", id }) as const
    })
  }
  return Either.mapBoth(Fqn.parseModelVersion(input), {
    onLeft: (error) => invalidFqn(input, error.message),
    onRight: (model) => ({ _tag: "Fqn", fqn: input, model, latest: model.latest === true }) as const
  })
}

const notFound = (fqn: string) => new RegistryError.NotFound({ message: `no model version with FQN "${fqn}"` })

const PAGE = 1000

/** The highest live version of a model, by listing its versions (for a registry that does not know `latest`). */
const highest = (registry: ModelVersions.Service, ref: Extract<Ref, { _tag: "Fqn" }>) =>
  Effect.gen(function*() {
    const { model } = ref
    const prefix = Fqn.format({ ...model, version: "" })
    let best: ModelVersion.ModelVersion | undefined
    for (let offset = 0;; offset += PAGE) {
      const page = yield* registry.list(new ModelVersions.ListQuery({ ml_repo: model.mlRepo, name: model.name, limit: PAGE, offset }))
      for (const mv of page.data) {
        if (mv.fqn.startsWith(prefix) && (mv.manifest.version ?? 0) > (best?.manifest.version ?? 0)) best = mv
      }
      if (page.data.length < PAGE || offset + PAGE >= page.pagination.total) break
    }
    return best
  })

/** The version an FQN names (its list entry), or `NotFound`. */
const byFqn = (registry: ModelVersions.Service, ref: Extract<Ref, { _tag: "Fqn" }>) =>
  Effect.gen(function*() {
    const listed = registry.list(new ModelVersions.ListQuery({ fqn: ref.fqn, limit: 1 })).pipe(
      Effect.map((page) => page.data[0])
    )
    const found = ref.latest
      ? yield* Effect.catchTag(listed, "ValidationError", () => highest(registry, ref))
      : yield* listed
    return found === undefined ? yield* Effect.fail(notFound(ref.fqn)) : found
  })

/**
 * The model version `ref` names, with its ETag. Fails with `NotFound` (exit 4) and the registry's other errors.
 */
export const resolve = (
  registry: ModelVersions.Service,
  ref: Ref
): Effect.Effect<ModelVersions.Versioned, RegistryError.RegistryError> =>
  ref._tag === "Id" ? registry.get(ref.id) : Effect.flatMap(byFqn(registry, ref), (found) => registry.get(found.id))
