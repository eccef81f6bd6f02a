/**
 * The integer flags of `mreg`, with their ranges: one table for the options, their help and their usage errors. A
 * value that is not a decimal integer and one out of range get the same message, naming the flag, the rule and the
 * value received, before anything runs (`--limit must be an integer from 1 to 1000 (received "0")`), as
 * `mreg-proxy`'s integer settings do.
 * @internal
 */
import { Options } from "@effect/cli"

/** An inclusive range of integers; without `max`, no upper bound. */
export interface Range {
  readonly min: number
  readonly max?: number | undefined
}

/**
 * The ranges by long name (a flag means the same in every command). `--limit` and `--offset` are the API's
 * (`ModelVersions.ListQuery` and the history query: a page of 1 to 1000, an offset of 0 or more).
 */
export const RANGES = {
  limit: { min: 1, max: 1000 },
  offset: { min: 0 }
} as const satisfies Record<string, Range>

/** The range of the integer flag `--name`, if it has one. */
export const rangeOf = (name: string): Range | undefined => (RANGES as Readonly<Record<string, Range>>)[name]

/** What an integer flag takes: `an integer from 1 to 1000`, `an integer, 0 or more`, or `an integer`. */
export const rule = (name: string): string => {
  const range = rangeOf(name)
  return range === undefined ? "an integer" : range.max === undefined ? `an integer, ${range.min} or more` : `an integer from ${range.min} to ${range.max}`
}

/** The usage error of `text` given to the integer flag `--name`, or `undefined` when it is a decimal integer in range. */
export const problem = (name: string, text: string): string | undefined => {
  const range = rangeOf(name)
  const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN
  const fits = Number.isSafeInteger(value) && (range === undefined || (value >= range.min && (range.max === undefined || value <= range.max)))
  return fits ? undefined : `--${name} must be ${rule(name)} (received ${JSON.stringify(text)})`
}

/** The integer option `--name N` (an optional one: `Options.optional` is the caller's). */
export const option = (name: string): Options.Options<number> => Options.integer(name).pipe(Options.withPseudoName("N"))
