// The `mreg` executable (build.mjs writes it to dist/mreg.mjs with the version put in): runs the CommonJS bundle
// dist/mreg.cjs through V8's code cache, so a start-up does not parse and compile 1.2 MB of JavaScript again.
// Node 20 has no `module.enableCompileCache`: the bundle is compiled with `vm.Script` and the `cachedData` of an
// earlier run, and the cache is (re)written at exit when there was none or V8 rejected it.
//
// The cache: `$XDG_CACHE_HOME/mreg` (default `~/.cache/mreg`), one file per build of the bundle (`BUILD`,
// a SHA-256 prefix of dist/mreg.cjs written in by build.mjs: V8 checks only the source's length, so a cache made
// from another build of the same size would run that build's code), Node version, architecture and Node flags
// (`execArgv`, `NODE_OPTIONS`: V8 rejects a cache made under other V8 flags, so runs with and without a flag must
// not overwrite each other's).
// `MREG_NO_COMPILE_CACHE=1` turns it off. Failures to read or write it are ignored: the cache only saves time.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Script } from "node:vm"

const VERSION = __MREG_VERSION__
const BUILD = __MREG_BUILD__
const bundle = fileURLToPath(new URL("./mreg.cjs", import.meta.url))
const source = readFileSync(bundle, "utf8")

let cacheFile
if (!process.env.MREG_NO_COMPILE_CACHE) {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache")
  // FNV-1a of the flags: a short stable name without loading node:crypto.
  let flags = 0x811c9dc5
  for (const char of `${process.execArgv.join(" ")}\0${process.env.NODE_OPTIONS ?? ""}`) {
    flags = Math.imul(flags ^ char.charCodeAt(0), 0x01000193) >>> 0
  }
  cacheFile = join(base, "mreg", `v8-${VERSION}-${BUILD}-${process.version}-${process.arch}-${flags.toString(16)}.cache`)
}
let cachedData
if (cacheFile) {
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    // no cache yet
  }
}

// The CommonJS module wrapper, as Node's loader writes it.
const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`
const script = new Script(wrapped, { filename: bundle, cachedData })
if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
  // At exit the cache also holds the functions this run compiled lazily, not only the top level.
  process.once("exit", () => {
    try {
      const data = script.createCachedData()
      mkdirSync(dirname(cacheFile), { recursive: true })
      const temporary = `${cacheFile}.${process.pid}.tmp`
      writeFileSync(temporary, data)
      renameSync(temporary, cacheFile)
    } catch {
      // read-only or full cache folder: run without a cache
    }
  })
}
const module = { exports: {} }
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle))
