// Bundles the CLI (run after `tsc -b tsconfig.build.json`) into two files:
// - dist/mreg.cjs: everything, one CommonJS bundle for Node 20, minified (identifiers too: a third less to parse);
// - dist/mreg.mjs: the executable (launcher.mjs with the version put in), which runs dist/mreg.cjs through V8's
//   code cache (see launcher.mjs): start-up time is mostly parsing and compiling the bundle, which the cache saves.
// Why CommonJS: Node 20 can only give a code cache to a `vm.Script`, not to an ES module; a CommonJS bundle also
// keeps `require` of an external module (better-sqlite3) inside the module that needs it, so it is only loaded when
// that module is evaluated (an ESM bundle hoists it to a top-level import).
// Also:
// - better-sqlite3 stays external: a native addon cannot be bundled, it is a runtime dependency of this package;
// - the SQL drivers (`pg`, better-sqlite3) and the PEP 508 grammar are loaded on first use (`lazyDrivers`):
//   `mreg validate` and `mreg --help` never build a registry layer, so never load a driver;
// - imports of a package index (`import { Effect } from "effect"`, `from "@mreg/core"`) become imports of its
//   modules (`barrelImports`): a start evaluates only the modules the commands' definitions use;
// - the package version is put in at build time (`mreg --version`);
// - no `import()` is left in the bundle (`supported`), as a `vm.Script` cannot run one;
// - the OpenTelemetry SDK is a file of its own, dist/otel.cjs, required only when OTEL_* asks for traces (`otelApart`);
// - `@huggingface/tasks` resolves to its self-contained `pipelines.js`: @mreg/core only needs the pipeline tag
//   list, and the package's index (not marked side-effect free) costs ~125 ms of start-up to evaluate. If core
//   ever imports something else from it, esbuild fails with "No matching export" instead of bundling wrongly.
// `MREG_BUNDLE_ANALYZE=1 node build.mjs` prints esbuild's analysis of what the bundle holds.
import { analyzeMetafile, build } from "esbuild"
import { createHash } from "node:crypto"
import { chmod, readFile, writeFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const pkg = JSON.parse(await readFile(here("./package.json"), "utf8"))
const outfile = here("./dist/mreg.cjs")
const launcher = here("./dist/mreg.mjs")

/** Resolves `@huggingface/tasks` to `dist/esm/pipelines.js` of the same package. */
const huggingfacePipelinesOnly = {
  name: "huggingface-pipelines-only",
  setup(b) {
    b.onResolve({ filter: /^@huggingface\/tasks$/ }, async (args) => {
      if (args.pluginData === "resolving") return undefined
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "resolving"
      })
      if (resolved.errors.length > 0) return { errors: resolved.errors }
      if (!/[\\/]dist[\\/]esm[\\/]index\.js$/.test(resolved.path)) {
        return { errors: [{ text: `unexpected entry of @huggingface/tasks: ${resolved.path}` }] }
      }
      return { path: resolved.path.replace(/index\.js$/, "pipelines.js") }
    })
  }
}

/**
 * The SQL drivers, loaded on first use: an import of `pg`, `pg-cursor` or `better-sqlite3` (from @effect/sql-pg and
 * @effect/sql-sqlite-node), or of `pip-requirements-js` (core's Environment), gets a module whose exports are proxies that `require` the real package the first time
 * one is constructed, called or read. esbuild wraps a CommonJS package in a function run on its first `require`, so
 * `pg` (whose evaluation also loads Node's fetch implementation, undici, to detect Cloudflare) and the
 * better-sqlite3 addon (external) are not loaded before a registry layer connects: `mreg validate` and `--help`
 * never load them. Each entry lists the members its importers use; a member not listed fails the build
 * ("import-is-undefined" is an error below). The packages stay whole: CommonJS is never tree-shaken.
 */
const LAZY = {
  pg: { named: ["Client", "Pool", "escapeIdentifier"] },
  "pg-cursor": { default: true, named: [] },
  "better-sqlite3": { default: true, named: [] },
  // The PEP 508 grammar (ohm-js): core's Environment parses a pip requirement with it only when the requirement is
  // not of the common `name[extras] op version` form; compiling the grammar cost ~20 ms of every start.
  "pip-requirements-js": { named: ["parsePipRequirementsLine"] }
}

/**
 * A plugin that gives each import of one of `paths` (from an importer `applies` accepts) a module of its own, whose
 * exports read the real module on first use: `exports(build, args)` writes them, after `load()` (which `require`s the
 * real module once). esbuild bundles that `require` as a lazy initializer of the real module.
 */
const onFirstUse = (name, paths, applies, exports) => ({
  name,
  setup(b) {
    const filter = new RegExp(`^(${paths.map((path) => path.replace("/", "\\/")).join("|")})$`)
    b.onResolve({ filter }, (args) =>
      args.namespace === name || !applies(args.importer)
        ? undefined
        : { path: args.path, namespace: name, pluginData: { resolveDir: args.resolveDir } })
    b.onLoad({ filter: /.*/, namespace: name }, async (args) => ({
      resolveDir: args.pluginData.resolveDir,
      loader: "js",
      contents: [
        "let real",
        `const load = () => (real ??= require(${JSON.stringify(args.path)}))`,
        ...(await exports(b, args))
      ].join("\n")
    }))
  }
})

const lazyDrivers = onFirstUse("lazy-drivers", Object.keys(LAZY), () => true, (_, args) => [
  "const member = (get) => new Proxy(function () {}, {",
  "  construct: (_, args) => Reflect.construct(get(), args),",
  "  apply: (_, self, args) => Reflect.apply(get(), self, args),",
  "  get: (_, key) => get()[key],",
  "  has: (_, key) => key in get()",
  "})",
  ...LAZY[args.path].named.map((name) => `export const ${name} = member(() => load()[${JSON.stringify(name)}])`),
  ...(LAZY[args.path].default ? ["export default member(() => (load()?.__esModule ? load().default : load()))"] : [])
])

/**
 * Imports of a package's index ("barrel") become imports of the modules it re-exports: `import { Effect, Schema }
 * from "effect"` → `import * as Effect from "effect/Effect"` and `import * as Schema from "effect/Schema"`. The
 * registry and the HTTP client are `import()`ed (bin.ts), so esbuild wraps every module in a lazy initializer run
 * on first import; an index's initializer runs every module it re-exports, so one `import { Effect } from "effect"`
 * evaluated all of `effect` (Arbitrary and fast-check, Stream, STM…) and one `import { ModelManifest } from
 * "@mreg/core"` all of core (the HTTP contract, page tokens, the filter grammar…) at every start. With the imports
 * rewritten, a start evaluates only the modules the commands' definitions use. Applied to the CLI's sources and to
 * the workspace packages' `dist` (what the bundle is made of); the names an index re-exports are read from it
 * (`export * as Name from "./Name.js"`, `export { a, b } from "./Module.js"`), and a name it does not re-export
 * fails the build.
 */
const BARRELS = ["effect", "@effect/cli", "@effect/platform", "@effect/sql", "@mreg/core", "@mreg/registry"]
const barrelImports = {
  name: "barrel-imports",
  setup(b) {
    const indexes = new Map()
    /** name → module specifier (`effect/Effect`), from the package's ESM index. */
    const exportsOf = async (pkg, resolveDir) => {
      if (!indexes.has(pkg)) {
        indexes.set(pkg, (async () => {
          const resolved = await b.resolve(pkg, { kind: "import-statement", resolveDir })
          if (resolved.errors.length > 0) throw new Error(resolved.errors[0].text)
          const source = await readFile(resolved.path, "utf8")
          const names = new Map()
          for (const m of source.matchAll(/export \* as (\w+) from "\.\/([\w/]+)\.js"/g)) names.set(m[1], `${pkg}/${m[2]}`)
          for (const m of source.matchAll(/export \{([^}]*)\} from "\.\/([\w/]+)\.js"/g)) {
            for (const name of m[1].replace(/\/\*[\s\S]*?\*\//g, "").split(",").map((n) => n.trim()).filter(Boolean)) {
              names.set(name, { from: `${pkg}/${m[2]}` })
            }
          }
          return names
        })())
      }
      return indexes.get(pkg)
    }
    const pattern = new RegExp(`import\\s*(type\\s+)?\\{([^}]*)\\}\\s*from\\s*"(${BARRELS.map((n) => n.replace("/", "\\/")).join("|")})"`, "g")
    b.onLoad({ filter: /([\\/]apps[\\/]cli[\\/]src[\\/].*\.ts|[\\/]packages[\\/]\w+[\\/]dist[\\/].*\.js)$/ }, async (args) => {
      const source = await readFile(args.path, "utf8")
      const resolveDir = args.path.replace(/[\\/][^\\/]*$/, "")
      let contents = ""
      let last = 0
      for (const match of source.matchAll(pattern)) {
        contents += source.slice(last, match.index)
        last = match.index + match[0].length
        if (match[1]) {
          contents += match[0]
          continue
        }
        const names = await exportsOf(match[3], resolveDir)
        const lines = []
        for (const specifier of match[2].split(",").map((s) => s.trim()).filter(Boolean)) {
          if (specifier.startsWith("type ")) continue
          const [name, local = name] = specifier.split(/\s+as\s+/)
          const target = names.get(name)
          if (target === undefined) throw new Error(`${args.path}: ${match[3]} does not re-export ${name}`)
          lines.push(typeof target === "string" ? `import * as ${local} from "${target}"` : `import { ${name} as ${local} } from "${target.from}"`)
        }
        contents += lines.join("; ")
      }
      return { contents: contents + source.slice(last), loader: args.path.endsWith(".ts") ? "ts" : "js", resolveDir }
    })
  }
}

/**
 * Core modules the CLI's commands use only when they run, evaluated on first use: `ModelVersion`, `Model` and
 * `UpsertPlan` (≈ 20 ms of every start: their `Schema.Class`es) are needed by `get`, `list`, `diff`… once they have
 * a registry's answer, never by `validate` or the help. An import of one of them from the CLI's sources gets a
 * CommonJS module of getters, one per export of the real module (read from its `dist` file), each requiring the real
 * module on first read: the same module instance the registry imports, so classes stay the same. The CLI's sources
 * must not read these modules at their top level (`Output.ts`, `Diff.ts` and `models.ts` make their encoders on
 * first use); a name the real module does not export fails the build ("import-is-undefined").
 */
const LAZY_MODULES = ["@mreg/core/ModelVersion", "@mreg/core/Model", "@mreg/core/UpsertPlan"]
const lazyModules = onFirstUse("lazy-modules", LAZY_MODULES, (importer) => /[\\/]apps[\\/]cli[\\/]src[\\/]/.test(importer), async (b, args) => {
  const real = await b.resolve(args.path, { kind: "import-statement", resolveDir: args.pluginData.resolveDir })
  if (real.errors.length > 0) throw new Error(real.errors[0].text)
  const names = [...(await readFile(real.path, "utf8")).matchAll(/^export (?:const|class|function|let) (\w+)/gm)].map((m) => m[1])
  return [
    "Object.defineProperty(exports, \"__esModule\", { value: true })",
    ...names.map((name) => `Object.defineProperty(exports, ${JSON.stringify(name)}, { enumerable: true, get: () => load()[${JSON.stringify(name)}] })`)
  ]
})

/**
 * The OpenTelemetry SDK (`@mreg/core`'s `internal/otel.js`, imported by `Telemetry.layerTracing` only when OTEL_*
 * asks for traces) goes in its own file, dist/otel.cjs, required on demand: in the main bundle it added ~20 ms of
 * start-up CPU to every run. It carries its own copy of the `effect` modules it uses; Effect shares its runtime
 * state between copies of one version (global values keyed by version, `Symbol.for` type ids, string tag keys).
 */
const otelApart = {
  name: "otel-apart",
  setup(b) {
    b.onResolve({ filter: /[\\/]internal[\\/]otel\.js$|^\.\/internal\/otel\.js$/ }, (args) =>
      args.importer.includes("core") ? { path: "./otel.cjs", external: true } : undefined)
  }
}

await build({
  entryPoints: [fileURLToPath(import.meta.resolve("@mreg/core/package.json")).replace(/package\.json$/, "dist/internal/otel.js")],
  outfile: here("./dist/otel.cjs"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  supported: { "dynamic-import": false },
  minify: true,
  legalComments: "none",
  logLevel: "warning"
})

const result = await build({
  entryPoints: [here("./src/bin.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  external: ["better-sqlite3"],
  plugins: [huggingfacePipelinesOnly, lazyDrivers, lazyModules, otelApart, barrelImports],
  logOverride: { "import-is-undefined": "error" },
  // `import()` of a module left outside (Node's `http` in the OpenTelemetry exporter, loaded only when OTEL_* asks
  // for traces) becomes `require`: the launcher runs the bundle as a `vm.Script`, which has no dynamic import.
  supported: { "dynamic-import": false },
  define: { __MREG_VERSION__: JSON.stringify(pkg.version) },
  minify: true,
  legalComments: "none",
  metafile: true,
  logLevel: "warning"
})

// The build id names the code cache: a cache is only ever used with the exact bundle it was made from (V8 checks
// only the source's length, so two builds of one version must never share a cache file).
const buildId = createHash("sha256").update(await readFile(outfile)).digest("hex").slice(0, 16)
const launcherSource = (await readFile(here("./launcher.mjs"), "utf8"))
  .replace("__MREG_VERSION__", JSON.stringify(pkg.version))
  .replace("= __MREG_BUILD__", `= ${JSON.stringify(buildId)}`)
await writeFile(launcher, `#!/usr/bin/env node\n${launcherSource}`)
await chmod(launcher, 0o755)
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes
console.log(`built ${launcher} and ${outfile} (${(bytes / 1024).toFixed(0)} KiB)`)
if (process.env.MREG_BUNDLE_ANALYZE === "1") console.log(await analyzeMetafile(result.metafile))
