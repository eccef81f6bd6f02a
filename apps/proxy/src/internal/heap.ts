/**
 * How far V8 lets the proxy's heap grow past its live data before the next full collection.
 *
 * Under load V8 grows the old generation by a factor of up to 4 of what survived the last full collection: the proxy's
 * live heap stays near 65 MB, but its resident set reached 3.5× a bare `node:http` server's (README, "Performance").
 * A growing factor of 1.5 (`--heap-growing-percent=50`) took peak RSS to 0.56× at 0.99× the requests per second in
 * an A/B run (`bench/ab.mjs`, 3 rounds); unlike a cap (`--max-old-space-size`) it still lets one request hold a
 * large page (a 1,000-version list with big metadata) in memory. An operator's own
 * `node --heap-growing-percent=N` wins.
 * @internal
 */
export const HEAP_GROWING_PERCENT = 50

/** The V8 flag `bin.ts` sets, or `undefined` when `execArgv` (node's own options) already sets it. @internal */
export const heapGrowingFlag = (execArgv: ReadonlyArray<string>): string | undefined =>
  execArgv.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg))
    ? undefined
    : `--heap-growing-percent=${HEAP_GROWING_PERCENT}`
