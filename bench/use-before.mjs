// Loads earlier builds of workspace packages in place of their current `dist`: with
// `NODE_OPTIONS=--import=./bench/use-before.mjs` and `MREG_BEFORE=registry,core`, every import of
// `packages/<name>/dist/…` resolves to `packages/<name>/dist-before/…` (copies made with
// `cp -r packages/<name>/dist packages/<name>/dist-before` before a change). So bench/ab.mjs can compare a change
// to `@mreg/registry` or `@mreg/core` through the proxy (README "A/B runs").
import { register } from "node:module"

register("data:text/javascript," + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  for (const name of (process.env.MREG_BEFORE ?? "").split(",").filter(Boolean)) {
    const from = "/packages/" + name + "/dist/"
    if (resolved.url.includes(from)) return { ...resolved, url: resolved.url.replace(from, "/packages/" + name + "/dist-before/") }
  }
  return resolved
}`))
