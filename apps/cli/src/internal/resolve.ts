/**
 * The one way every `mreg` command finds the model version a user names: an id, or an FQN
 * `model:{tenant}/{ml_repo}/{name}:{version | alias | latest}`; and the model `models get|delete` name: an id, or
 * a model FQN `model:{tenant}/{ml_repo}/{name}` (a version FQN names its model), looked up with `listModels?fqn=…`.
 * FQNs are checked with core's `Fqn` parsers, whose messages name the rule and reach the user unchanged.
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
import { Fqn, Model, ModelVersion, ModelVersions, RegistryError } from "@mreg/core"
import { Effect, Either, Schema } from "effect"
import * as Failure from "../Failure.js"

/** What a user typed, checked: an id, or a model version FQN (`latest` true for `…:latest`). */
export type Ref =
  | { readonly _tag: "Id"; readonly id: ModelVersion.ModelVersionId }
  | { readonly _tag: "Fqn"; readonly fqn: string; readonly model: Fqn.ModelVersionFqn; readonly latest: boolean }

/** The `ID|FQN` argument of `get`, `update`, `tag` and `delete`. */
export const versionArg = Args.text({ name: "ID|FQN" }).pipe(
  Args.withDescription(
    "a model version id, or an FQN model:{tenant}/{ml_repo}/{name}:{version, alias or latest}, " +
      "such as model:default/nlp-team/sentiment-clf:latest"
  )
)

/** `invalid FQN "…": ` and core's `Fqn.parse` message, which names the rule and the received value. */
const invalidFqn = (input: string, error: Fqn.FqnError) =>
  new Failure.UsageError({ message: `invalid FQN ${JSON.stringify(input)}: ${error.message}` })

/** An id: any non-empty text (a UUID in the embedded registry, any string from an upstream). */
const parseId = <A, I>(schema: Schema.Schema<A, I>, what: string, input: I) =>
  Either.mapLeft(
    Schema.decodeEither(schema)(input),
    () => new Failure.UsageError({ message: `give ${what} id or an FQN (model:…), not an empty string` })
  )

/**
 * Checks an `ID|FQN` argument without calling the registry. Fails with `UsageError` (exit 2) for a malformed FQN or
 * a model FQN without a version (with core's `Fqn.parseModelVersion` message, naming the rule), or an empty id.
 */
export const parse = (input: string): Either.Either<Ref, Failure.UsageError> =>
  !Fqn.isFqnLike(input)
    ? Either.map(parseId(ModelVersion.ModelVersionId, "a model version", input), (id) => ({ _tag: "Id", id }) as const)
    : Either.mapBoth(Fqn.parseModelVersion(input), {
      onLeft: (error) => invalidFqn(input, error),
      onRight: (model) => ({ _tag: "Fqn", fqn: input, model, latest: model.latest === true }) as const
    })

const notFound = (fqn: string) => new RegistryError.NotFound({ message: `no model version with FQN "${fqn}"` })

const PAGE = 1000

/** The highest live version of a model, by listing its versions (for a registry that does not know `latest`). */
const highest = (registry: ModelVersions.Service, ref: Extract<Ref, { _tag: "Fqn" }>) =>
  Effect.gen(function*() {
    const { model } = ref
    const prefix = `${Fqn.formatModel(model)}:`
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
  ref._tag === "Id"
    ? Effect.mapError(registry.get(ref.id), (error) => looksLikeName(ref.id, error))
    : Effect.flatMap(byFqn(registry, ref), (found) => registry.get(found.id))

/**
 * A `NotFound` for an "id" that reads like a name (`nlp-team/sentiment-clf:1`, as `hf` and MLflow write them) says
 * how to write the FQN.
 */
const looksLikeName = (id: string, error: RegistryError.RegistryError): RegistryError.RegistryError =>
  error._tag === "NotFound" && /[/:]/.test(id)
    ? new RegistryError.NotFound({
      message: `${error.message}; to name a version by its FQN, write model:{tenant}/{ml_repo}/{name}:{version, alias or latest}`
    })
    : error

/** What a user typed for a model, checked: a model id, or the model FQN `model:{tenant}/{ml_repo}/{name}`. */
export type ModelRef =
  | { readonly _tag: "Id"; readonly id: Model.ModelId }
  | { readonly _tag: "Fqn"; readonly fqn: string }

/** The `ID|FQN` argument of `models get` and `models delete`. */
export const modelArg = Args.text({ name: "ID|FQN" }).pipe(
  Args.withDescription(
    "a model id, or its FQN model:{tenant}/{ml_repo}/{name}; a version FQN (…:3, …:latest) names its model"
  )
)

/**
 * Checks a model `ID|FQN` argument without calling the registry: an FQN is parsed with core's `Fqn.parse` (a model
 * FQN, or a model version FQN, whose model it names); a malformed one fails with `UsageError` naming the rule.
 */
export const parseModel = (input: string): Either.Either<ModelRef, Failure.UsageError> =>
  !Fqn.isFqnLike(input)
    ? Either.map(parseId(Model.ModelId, "a model", input), (id) => ({ _tag: "Id", id }) as const)
    : Either.mapBoth(Fqn.parse(input), {
      onLeft: (error) => invalidFqn(input, error),
      onRight: (fqn) => ({ _tag: "Fqn", fqn: Fqn.formatModel(fqn) }) as const
    })

/**
 * The model `ref` names: by id with `getModel`, by FQN with `listModels?fqn=…&limit=1`. Fails with `NotFound`
 * (exit 4) and the registry's other errors.
 */
export const resolveModel = (registry: ModelVersions.Service, ref: ModelRef): Effect.Effect<Model.Model, RegistryError.RegistryError> =>
  ref._tag === "Id"
    ? registry.getModel(ref.id)
    : Effect.flatMap(
      registry.listModels(new Model.ListQuery({ fqn: ref.fqn, limit: 1 })),
      (page) =>
        page.data[0] === undefined
          ? Effect.fail(new RegistryError.NotFound({ message: `no model with FQN ${JSON.stringify(ref.fqn)}` }))
          : Effect.succeed(page.data[0])
    )
