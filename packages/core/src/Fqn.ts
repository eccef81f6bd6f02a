/**
 * Fully qualified names of model versions: `model:{tenant}/{ml_repo}/{name}:{version}`.
 *
 * After the colon comes either a version number (all digits: `…/sentiment-clf:3` is version 3) or a version alias
 * (which always starts with `v`: `…/sentiment-clf:v3` is the version holding alias `v3`). Because aliases must start
 * with `v`, the two can never be confused.
 *
 * @since 0.1.0
 */
import { Data, Either } from "effect"
import { received } from "./internal/text.js"
import { MAX_INTEGER, VERSION_ALIAS_PATTERN } from "./ModelManifest.js"

/**
 * A parsed FQN: the version part is either a number or an alias.
 * @since 0.1.0
 * @category models
 */
export type Fqn = {
  readonly tenant: string
  readonly mlRepo: string
  readonly name: string
} & ({ readonly version: number; readonly alias?: undefined } | { readonly alias: string; readonly version?: undefined })

/**
 * Why a string is not an FQN.
 * @since 0.1.0
 * @category errors
 */
export class FqnError extends Data.TaggedError("FqnError")<{ readonly input: string; readonly message: string }> {}

const FQN = /^model:([^/\s]+)\/([^/\s]+)\/([^/:\s]+):([^/:\s]+)$/

/**
 * Formats `model:{tenant}/{mlRepo}/{name}:{version}`.
 * @since 0.1.0
 * @category constructors
 */
export const format = (parts: { readonly tenant: string; readonly mlRepo: string; readonly name: string; readonly version: number | string }): string =>
  `model:${parts.tenant}/${parts.mlRepo}/${parts.name}:${parts.version}`

/**
 * Parses an FQN. Fails with {@link FqnError} naming the expected shape and the received value.
 * @since 0.1.0
 * @category parsing
 */
export const parse = (input: string): Either.Either<Fqn, FqnError> => {
  const match = FQN.exec(input)
  if (match === null) {
    return Either.left(
      new FqnError({ input, message: `must be model:{tenant}/{ml_repo}/{name}:{version or alias} (received ${received(input)})` })
    )
  }
  const [, tenant, mlRepo, name, tail] = match
  if (/^\d+$/.test(tail)) {
    const version = Number(tail)
    if (version < 1 || version > MAX_INTEGER) {
      return Either.left(new FqnError({ input, message: `has version ${tail}; versions are integers from 1 to ${MAX_INTEGER}` }))
    }
    return Either.right({ tenant, mlRepo, name, version })
  }
  if (VERSION_ALIAS_PATTERN.test(tail)) return Either.right({ tenant, mlRepo, name, alias: tail })
  return Either.left(
    new FqnError({ input, message: `has ${received(tail)} after the colon: give a version number or an alias starting with "v"` })
  )
}

/**
 * Whether a string looks like an FQN (starts with `model:`), as opposed to a model version id.
 * @since 0.1.0
 * @category guards
 */
export const isFqnLike = (input: string): boolean => input.startsWith("model:")
