// The web page's build: served by mreg-proxy under /ui/, so every asset URL starts with /ui/. Hashed file names under
// assets/ (the proxy caches them for a year); no source maps in the shipped package. The proxy's build copies dist/
// into its own dist/ui (apps/proxy/scripts/copy-ui.mjs).
import { defineConfig } from "vite"

export default defineConfig({
  base: "/ui/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    assetsInlineLimit: 0
  }
})
