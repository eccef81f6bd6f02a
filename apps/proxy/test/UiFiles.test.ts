/**
 * The web page's files as mreg-proxy serves them at `/ui/` (a proxy with a tokens file: the files need no token), and
 * the build's budget: at most 200 KB of gzipped JavaScript, no URL of another host in what the page loads.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { call, layerServer, TestServer } from "./utils.js"

const dist = fileURLToPath(new URL("../dist/ui", import.meta.url))
const assets = readdirSync(join(dist, "assets"))
const script = assets.find((file) => file.endsWith(".js"))!

/** The JavaScript budget of the page (issue 10): 200 KB gzipped, all scripts together. */
const JS_BUDGET_BYTES = 200 * 1024

describe("the built page", () => {
  it("ships at most 200 KB of gzipped JavaScript", () => {
    const gzipped = assets.filter((file) => file.endsWith(".js")).reduce((sum, file) => sum + gzipSync(readFileSync(join(dist, "assets", file)), { level: 9 }).length, 0)
    assert.isAbove(gzipped, 0)
    assert.isAtMost(gzipped, JS_BUDGET_BYTES, `gzipped JavaScript: ${gzipped} bytes`)
  })

  it("loads nothing from another host (no CDN, no web fonts): every URL in it is a path under /ui/", () => {
    const html = readFileSync(join(dist, "index.html"), "utf8")
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1])
    assert.deepStrictEqual(urls.filter((url) => !url.startsWith("/ui/assets/") && url !== "data:,"), [])
    for (const file of assets) {
      const text = readFileSync(join(dist, "assets", file), "utf8")
      // XML namespace names (Preact's SVG/MathML support) are identifiers, never fetched.
      const foreign = [...text.matchAll(/https?:\/\/[^\s"'`)]+/g)].map((m) => m[0]).filter((url) => !url.startsWith("http://www.w3.org/"))
      assert.deepStrictEqual(foreign, [], file)
    }
  })
})

describe("GET /ui/", () => {
  it.layer(layerServer())((it) => {
    it.effect("serves index.html without a token, revalidated, with a same-origin content security policy", () =>
      Effect.gen(function*() {
        const { url } = yield* TestServer
        const answer = yield* call(`${url}/ui/`)
        assert.strictEqual(answer.status, 200)
        assert.strictEqual(answer.headers.get("content-type"), "text/html")
        assert.strictEqual(answer.headers.get("cache-control"), "no-cache")
        assert.strictEqual(answer.headers.get("x-content-type-options"), "nosniff")
        assert.match(answer.headers.get("content-security-policy") ?? "", /^default-src 'self';/)
        assert.match(answer.headers.get("etag") ?? "", /^"/)
        assert.strictEqual(answer.text, readFileSync(join(dist, "index.html"), "utf8"))
      }))

    it.effect("serves index.html for deep links, and hashed assets with their type, cached for a year", () =>
      Effect.gen(function*() {
        const { url } = yield* TestServer
        for (const path of ["/ui/versions/0b7e5c3a-3f1d-4c55-9a7e-2f4f1c2d8e91", "/ui/repos/nlp-team?filter=tag%20%3D%20%22prod%22", "/ui/models/x"]) {
          const answer = yield* call(`${url}${path}`)
          assert.deepStrictEqual([answer.status, answer.headers.get("content-type")], [200, "text/html"], path)
        }
        const js = yield* call(`${url}/ui/assets/${script}`)
        assert.deepStrictEqual([js.status, js.headers.get("content-type"), js.headers.get("cache-control")], [200, "application/javascript", "public, max-age=31536000, immutable"])
        const css = yield* call(`${url}/ui/assets/${assets.find((file) => file.endsWith(".css"))}`)
        assert.deepStrictEqual([css.status, css.headers.get("content-type")], [200, "text/css"])
      }))

    it.effect("redirects /ui to /ui/ (query kept); a missing asset is the contract's 404, not the page", () =>
      Effect.gen(function*() {
        const { url } = yield* TestServer
        const bare = yield* call(`${url}/ui?filter=x`, { redirect: "manual" })
        assert.deepStrictEqual([bare.status, bare.headers.get("location")], [308, "/ui/?filter=x"])
        const missing = yield* call(`${url}/ui/assets/missing-0000.js`)
        assert.deepStrictEqual(missing.json, { statusCode: 404, code: "NOT_FOUND", message: "no file /ui/assets/missing-0000.js in the web page" })
        const api = yield* call(`${url}/api/ml/v1/models`)
        assert.strictEqual(api.status, 401)
      }))
  })
})
