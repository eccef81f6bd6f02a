/**
 * The web page at `/ui/` (README, "Web page"; `docs/ui.md`): the static build of `apps/ui`, shipped in this package
 * as `dist/ui`, served by `HttpServerResponse.file` (content type from the file name, `ETag`, `Last-Modified`).
 *
 * - Only the files of the build are served (listed once at start-up: no path from a request reaches the file system);
 *   hashed `assets/*` are cached for a year (`immutable`), everything else is revalidated (`no-cache`);
 * - any other path under `/ui/` is a deep link of the page: `index.html` (a missing `assets/` file is a 404);
 * - `/ui` redirects to `/ui/`; no token is needed (the page asks for one when the API answers 401);
 * - every answer carries a `Content-Security-Policy` that allows this origin only (no CDN, no inline script).
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpPlatform from "@effect/platform/HttpPlatform"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Path from "@effect/platform/Path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpPlatform from "@effect/platform-node/NodeHttpPlatform"
import * as NodePath from "@effect/platform-node/NodePath"
import { RegistryError } from "@mreg/core"
import { Effect, Layer } from "effect"
import { fileURLToPath } from "node:url"

/** The folder of the built page: `dist/ui` of this package (the same path from `src/` and from `dist/`). */
const DEFAULT_DIR: string = fileURLToPath(new URL("../../dist/ui", import.meta.url))

const HEADERS = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer"
}

const notFound = (message: string) => Effect.fail(new RegistryError.NotFound({ message }))

/** The path under `/ui/` of a request URL, decoded; `undefined` when it is not valid percent-encoding. */
const relativePath = (url: string): string | undefined => {
  try {
    return decodeURIComponent(new URL(url, "http://localhost").pathname.slice("/ui/".length))
  } catch {
    return undefined
  }
}

/**
 * The `/ui` and `/ui/*` routes on the API's router, serving the build in `dir` (default {@link DEFAULT_DIR}). A
 * missing build is no start-up failure: `/ui/` answers 404 saying so.
 */
export const layer = (dir: string = DEFAULT_DIR) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const platform = yield* HttpPlatform.HttpPlatform
      const entries = yield* Effect.orElseSucceed(fs.readDirectory(dir, { recursive: true }), () => [])
      const isFile = (entry: string) => Effect.orElseSucceed(Effect.map(fs.stat(path.join(dir, entry)), (info) => info.type === "File"), () => false)
      const files = new Set((yield* Effect.filter(entries, isFile)).map((entry) => entry.split(path.sep).join("/")))
      const send = (file: string) =>
        HttpServerResponse.file(path.join(dir, file), {
          headers: { ...HEADERS, "cache-control": file.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache" }
        }).pipe(
          Effect.provideService(HttpPlatform.HttpPlatform, platform),
          Effect.catchAll(() => notFound(`the web page's file ${file} cannot be read`))
        )
      const serve = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        // The router matches `/ui` and `/ui/` alike: only the former redirects.
        if (request.url === "/ui" || request.url.startsWith("/ui?")) {
          return Effect.succeed(HttpServerResponse.redirect(`/ui/${request.url.slice("/ui".length)}`, { status: 308 }))
        }
        const file = relativePath(request.url)
        if (file !== undefined && file !== "" && files.has(file)) return send(file)
        if (file === undefined || file.startsWith("assets/")) return notFound(`no file ${request.url} in the web page`)
        return files.has("index.html") ? send("index.html") : notFound("the web page is not in this build of mreg-proxy (`pnpm build` builds it)")
      })
      yield* router.get("/ui", serve)
      yield* router.get("/ui/*", serve)
    })
  ).pipe(Layer.provide([NodeFileSystem.layer, NodePath.layer, NodeHttpPlatform.layer]))
