// Bundles the CLI into one executable file, dist/mreg.mjs (run after `tsc -b tsconfig.build.json`).
// - ESM for Node 20; a createRequire banner so bundled CommonJS dependencies (yaml, …) can call require;
// - better-sqlite3 stays external: a native addon cannot be bundled, it is a runtime dependency of this package;
// - the package version is put in at build time (`mreg --version`);
// - `@huggingface/tasks` resolves to its self-contained `pipelines.js`: @mreg/core only needs the pipeline tag
//   list, and the package's index (not marked side-effect free) costs ~125 ms of start-up to evaluate. If core
//   ever imports something else from it, esbuild fails with "No matching export" instead of bundling wrongly.
import { build } from "esbuild"
import { chmod, readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const pkg = JSON.parse(await readFile(here("./package.json"), "utf8"))
const outfile = here("./dist/mreg.mjs")

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

const result = await build({
  entryPoints: [here("./src/bin.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  external: ["better-sqlite3"],
  plugins: [huggingfacePipelinesOnly],
  define: { __MREG_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: [
      "#!/usr/bin/env node",
      "import { createRequire as __mregCreateRequire } from \"node:module\";",
      "const require = __mregCreateRequire(import.meta.url);"
    ].join("\n")
  },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: "none",
  metafile: true,
  logLevel: "warning"
})

await chmod(outfile, 0o755)
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes
console.log(`built ${outfile} (${(bytes / 1024).toFixed(0)} KiB)`)
