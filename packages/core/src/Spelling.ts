/**
 * "Did you mean": the name a mistyped word most likely meant, for every message of mreg that names a near miss —
 * an unknown manifest field or pipeline tag, a `--filter` field, an unknown command, flag or choice of `mreg` and
 * `mreg-proxy`. One rule for all of them ({@link didYouMean}).
 *
 * @since 0.2.0
 */

/**
 * The edit distance of two strings, ignoring case: each insertion, deletion, substitution, and transposition of two
 * neighbouring characters counts 1 (optimal string alignment: `tabel` → `table` and `--prot` → `--port` are 1).
 *
 * ```ts
 * Spelling.distance("nmae", "name") // 1
 * ```
 * @since 0.2.0
 * @category spelling
 */
export const distance = (a: string, b: string): number => {
  const s = a.toLowerCase()
  const t = b.toLowerCase()
  let before: Array<number> = [] // row i - 2
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j) // row i - 1
  for (let i = 1; i <= s.length; i++) {
    const current = [i]
    for (let j = 1; j <= t.length; j++) {
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, before[j - 2]! + 1)
      current.push(d)
    }
    before = previous
    previous = current
  }
  return previous[t.length]!
}

/** A word without the dashes a flag starts with (`--port` → `port`). */
const wordOf = (text: string): string => text.replace(/^-+/, "")

/**
 * The candidate `input` most likely meant, or `undefined` when none is close enough to be a typo. The dashes a
 * flag starts with are not part of its word (`--o` is `-o`). A candidate is close when the {@link distance} of its
 * word to the input's is at most a third of the input word's length (at least 1, at most 3; 0 for a word of one
 * letter or none, which is too little to go by: `-x` is no typo of `-h`), or when `input` (3 characters or more) is
 * the start of it (`manifes` → `manifest`, `--l` → `--limit`); of the close ones, the one at the smallest distance
 * wins, the first given on a tie.
 *
 * ```ts
 * Spelling.didYouMean("--prot", ["--host", "--port"]) // "--port"
 * Spelling.didYouMean("-V", ["-h", "-v"]) // "-v"
 * Spelling.didYouMean("-x", ["-h", "-v"]) // undefined
 * Spelling.didYouMean("x", ["json", "yaml"]) // undefined
 * ```
 * @since 0.2.0
 * @category spelling
 */
export const didYouMean = (input: string, candidates: Iterable<string>): string | undefined => {
  const typed = wordOf(input)
  const limit = typed.length < 2 ? 0 : Math.min(3, Math.max(1, Math.floor(typed.length / 3)))
  const start = input.length >= 3 ? input.toLowerCase() : undefined
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const d = distance(typed, wordOf(candidate))
    if (d < bestDistance && (d <= limit || (start !== undefined && candidate.toLowerCase().startsWith(start)))) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}
