/**
 * The integer flags of `mreg`, with their ranges: one table for the options, their help and their usage errors. A
 * value that is not a decimal integer and one out of range get the same message, naming the flag, the rule and the
 * value received, before anything runs (`--limit must be an integer from 1 to 1000 (received "0")`), as
 * `mreg-proxy`'s integer settings do.
 * @internal
 */
import { Options } from "@effect/cli"
import type * as MregConfig from "@mreg/core/MregConfig"

/**
 * The ranges by long name (a flag means the same in every command). `--limit` and `--offset` are the API's
 * (`ModelVersions.ListQuery` and the history query: a page of 1 to 1000, an offset of 0 or more).
 */
export const RANGES = {
  limit: { min: 1, max: 1000 },
  offset: { min: 0 }
} as const satisfies Record<string, MregConfig.IntegerRange>

/** The range of the integer flag `--name`, if the table has one (`CommandTree.read`'s `integers`). */
export const rangeOf = (name: string): MregConfig.IntegerRange | undefined => (RANGES as Readonly<Record<string, MregConfig.IntegerRange>>)[name]

/** The integer option `--name N` (an optional one: `Options.optional` is the caller's). */
export const option = (name: string): Options.Options<number> => Options.integer(name).pipe(Options.withPseudoName("N"))
