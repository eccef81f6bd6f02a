// Part of `pnpm build` of @mreg/proxy: copies the web page's build (apps/ui/dist, built first: turbo's ^build through
// the @mreg/ui dev dependency) to dist/ui, which the package ships and mreg-proxy serves at /ui/.
import { cpSync, existsSync, rmSync } from "node:fs"
import { fileURLToPath } from "node:url"

const from = fileURLToPath(new URL("../../ui/dist", import.meta.url))
const to = fileURLToPath(new URL("../dist/ui", import.meta.url))
if (!existsSync(`${from}/index.html`)) {
  console.error(`copy-ui: ${from}/index.html is missing: build the web page first (pnpm build at the root builds it before the proxy)`)
  process.exit(1)
}
rmSync(to, { recursive: true, force: true })
cpSync(from, to, { recursive: true })
