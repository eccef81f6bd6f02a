#!/usr/bin/env node
/**
 * The `mreg-proxy` executable: sets V8's heap growing factor (`internal/heap.ts`), then loads and runs the program
 * (`internal/main.ts`: the command on `process.argv`, JSON logs on stdout; exit 1 with one line on stderr for a
 * configuration the proxy refuses or a failed start, exit 0 after SIGTERM/SIGINT).
 *
 * The program is imported only after the flag is set: a static import would load and evaluate every module first,
 * and the collections of those ≈ 2 s would run with V8's default factor (up to 4×), leaving an old-generation limit
 * of ≈ 110 MB in place until the first full collection under load. It is the bundle `build.mjs` makes of
 * `internal/main.js` (`dist/bundle/main.js`: a third less live heap), or that module itself when only `tsc` built.
 * @since 0.1.0
 */
import { existsSync } from "node:fs"
import { setFlagsFromString } from "node:v8"
import { heapGrowingFlag } from "./internal/heap.js"

const heapFlag = heapGrowingFlag(process.execArgv)
if (heapFlag !== undefined) setFlagsFromString(heapFlag)
const bundle = new URL("./bundle/main.js", import.meta.url)
await import(existsSync(bundle) ? bundle.href : "./internal/main.js")
