// Part of `pnpm build` of @mreg/proxy (after `tsc -b tsconfig.build.json`): bundles the program the `mreg-proxy`
// executable runs (dist/internal/main.js) into dist/bundle/, which dist/bin.js loads. Why: a running proxy keeps the
// source text of every module it loaded (V8 needs it to compile functions lazily) — effect's and @effect/platform's
// modules are mostly doc comments — and a record per module. From dist, the idle proxy's live heap was 43 MB; from
// the bundle (comments and whitespace gone) 24 MB, and V8 lets the old generation grow to 1.5× what is live
// (docs/performance.md, "Memory, fifth pass"). The package's library entry (dist/index.js) is not bundled.
// - ES modules with `splitting`: `import()`s stay lazy, as their own files (the `/docs` page's Swagger module);
// - better-sqlite3 (a native addon) stays external, a dependency of this package; CommonJS packages in the bundle
//   get `require` from `createRequire` for Node's built-in modules;
// - the registry's webhook worker (`new URL("./worker.js", import.meta.url)` in workerHost.js) is bundled on its
//   own as dist/bundle/worker.js, beside main.js where that URL points; no other `import.meta.url` of the bundled
//   code changes meaning (dist/bundle is as deep as dist/internal: `../../package.json`, `../../dist/ui`).
import { build } from "esbuild"
import { rmSync } from "node:fs"
import { fileURLToPath } from "node:url"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const outdir = here("./dist/bundle")
const worker = fileURLToPath(import.meta.resolve("@mreg/registry/package.json")).replace(/package\.json$/, "dist/internal/webhooks/worker.js")

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  external: ["better-sqlite3"],
  banner: { js: `import { createRequire as __mregCreateRequire } from "node:module"; const require = __mregCreateRequire(import.meta.url);` },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning"
}

rmSync(outdir, { recursive: true, force: true })
await build({ ...common, entryPoints: { main: here("./dist/internal/main.js") }, outdir, splitting: true, chunkNames: "[name]-[hash]" })
await build({ ...common, entryPoints: { worker }, outdir })
