/**
 * Small text helpers shared by the schema messages: received-value rendering and did-you-mean.
 * @internal
 */

/** Renders a received value for an error message: JSON where possible, long strings cut at 80 characters. */
export const received = (value: unknown): string => {
  if (value === undefined) return "undefined"
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value)
  if (typeof value === "bigint") return `${value}n`
  if (typeof value === "string") {
    return value.length > 80 ? `${JSON.stringify(value.slice(0, 80))}… (${value.length} characters)` : JSON.stringify(value)
  }
  try {
    const json = JSON.stringify(value)
    if (json === undefined) return typeof value
    return json.length > 80 ? `${json.slice(0, 80)}…` : json
  } catch {
    return typeof value
  }
}

const levenshtein = (a: string, b: string): number => {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!
    previous[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return previous[b.length]!
}

/**
 * The closest candidate to `input` (case-insensitive edit distance), when it is close enough to be a likely typo:
 * at most a third of the input's length, and at most 3 edits (or at most `maxDistance` edits when given).
 */
export const didYouMean = (input: string, candidates: Iterable<string>, maxDistance?: number): string | undefined => {
  const needle = input.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const distance = levenshtein(needle, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  const limit = maxDistance ?? Math.min(3, Math.max(1, Math.floor(needle.length / 3)))
  return bestDistance <= limit ? best : undefined
}
