/**
 * Fully qualified names: `model:{tenant}/{ml_repo}/{name}` names a model, `model:{tenant}/{ml_repo}/{name}:{version}`
 * one of its versions.
 *
 * After the colon comes a version number (all digits: `…/sentiment-clf:3` is version 3), a version alias (which
 * always starts with `v`: `…/sentiment-clf:v3` is the version holding alias `v3`), or `latest` (the highest live,
 * not deleted, version of the model). Because aliases must start with `v`, the three can never be confused.
 *
 * @since 0.1.0
 */
import { Data, Either } from "effect"
import { received } from "./internal/text.js"
import { MAX_INTEGER, VERSION_ALIAS_PATTERN } from "./ModelManifest.js"

interface ModelParts {
  readonly tenant: string
  readonly mlRepo: string
  readonly name: string
}

/**
 * A parsed model FQN, `model:{tenant}/{ml_repo}/{name}`: no version part.
 * @since 0.2.0
 * @category models
 */
export interface ModelFqn extends ModelParts {
  readonly version?: undefined
  readonly alias?: undefined
  readonly latest?: undefined
}

/**
 * A parsed model version FQN: the part after the colon is a number (`version`), an alias (`alias`) or `latest`
 * (`latest: true`).
 * @since 0.2.0
 * @category models
 */
export type ModelVersionFqn = ModelParts & (
  | { readonly version: number; readonly alias?: undefined; readonly latest?: undefined }
  | { readonly alias: string; readonly version?: undefined; readonly latest?: undefined }
  | { readonly latest: true; readonly version?: undefined; readonly alias?: undefined }
)

/**
 * A parsed FQN: a model's ({@link ModelFqn}) or a model version's ({@link ModelVersionFqn}).
 * @since 0.1.0
 * @category models
 */
export type Fqn = ModelFqn | ModelVersionFqn

/** The word after the colon that names the highest live version. @since 0.2.0 @category constants */
export const LATEST = "latest"

/**
 * Why a string is not an FQN.
 * @since 0.1.0
 * @category errors
 */
export class FqnError extends Data.TaggedError("FqnError")<{ readonly input: string; readonly message: string }> {}

const FQN = /^model:([^/\s]+)\/([^/\s]+)\/([^/:\s]+)(?::([^/:\s]+))?$/

/**
 * Formats `model:{tenant}/{mlRepo}/{name}:{version}` (`version` a number, an alias or `"latest"`).
 * @since 0.1.0
 * @category constructors
 */
export const format = (parts: { readonly tenant: string; readonly mlRepo: string; readonly name: string; readonly version: number | string }): string =>
  `model:${parts.tenant}/${parts.mlRepo}/${parts.name}:${parts.version}`

/**
 * Formats the model FQN `model:{tenant}/{mlRepo}/{name}`.
 * @since 0.2.0
 * @category constructors
 */
export const formatModel = (parts: ModelParts): string => `model:${parts.tenant}/${parts.mlRepo}/${parts.name}`

/**
 * Parses a model FQN or a model version FQN. Fails with {@link FqnError} naming the expected shape and the
 * received value.
 * @since 0.1.0
 * @category parsing
 */
export const parse = (input: string): Either.Either<Fqn, FqnError> => {
  const match = FQN.exec(input)
  if (match === null) {
    return Either.left(
      new FqnError({
        input,
        message: `must be model:{tenant}/{ml_repo}/{name}, optionally followed by :{version, alias or latest} (received ${received(input)})`
      })
    )
  }
  const [, tenant, mlRepo, name, tail] = match
  if (tail === undefined) return Either.right({ tenant, mlRepo, name })
  if (tail === LATEST) return Either.right({ tenant, mlRepo, name, latest: true })
  if (/^\d+$/.test(tail)) {
    const version = Number(tail)
    if (version < 1 || version > MAX_INTEGER) {
      return Either.left(new FqnError({ input, message: `has version ${tail}; versions are integers from 1 to ${MAX_INTEGER}` }))
    }
    return Either.right({ tenant, mlRepo, name, version })
  }
  if (VERSION_ALIAS_PATTERN.test(tail)) return Either.right({ tenant, mlRepo, name, alias: tail })
  return Either.left(
    new FqnError({ input, message: `has ${received(tail)} after the colon: give a version number, an alias starting with "v", or latest` })
  )
}

/**
 * Whether a parsed FQN names a model (no version part) rather than one of its versions.
 * @since 0.2.0
 * @category guards
 */
export const isModel = (fqn: Fqn): fqn is ModelFqn => fqn.version === undefined && fqn.alias === undefined && fqn.latest === undefined

/**
 * Parses a model version FQN (`…:{version}`, `…:{alias}` or `…:latest`), as get-by-FQN needs: a model FQN fails
 * with {@link FqnError} saying what to add.
 * @since 0.2.0
 * @category parsing
 */
export const parseModelVersion = (input: string): Either.Either<ModelVersionFqn, FqnError> =>
  Either.flatMap(parse(input), (fqn) =>
    isModel(fqn)
      ? Either.left(new FqnError({ input, message: `names a model, not a model version: add :{version}, :{alias} or :latest (received ${received(input)})` }))
      : Either.right(fqn))

/**
 * Whether a string looks like an FQN (starts with `model:`), as opposed to a model version id.
 * @since 0.1.0
 * @category guards
 */
export const isFqnLike = (input: string): boolean => input.startsWith("model:")
