// ESLint (flat config): `pnpm lint`, and `pnpm test` runs it after the type-check (scripts/test.mjs).
// As in Effect's own repository: typescript-eslint parses, @effect/eslint-plugin is loaded, and the rules are
// eslint's and typescript-eslint's recommended ones minus those that fight Effect idioms (empty `interface X extends
// Schema.Type<…> {}`, `any` in tests). Formatting (`@effect/dprint`) is left out: it would rewrite 92 of the 114
// files (1,353 findings, mostly line width and wrapping), a change of its own.
import eslint from "@eslint/js"
import effect from "@effect/eslint-plugin"
import tseslint from "typescript-eslint"

/** Node globals of the plain JavaScript files (TypeScript files are checked by the compiler instead). */
const node = Object.fromEntries(
  [
    "process", "console", "Buffer", "URL", "URLSearchParams", "TextEncoder", "TextDecoder", "setTimeout", "clearTimeout",
    "setInterval", "clearInterval", "setImmediate", "AbortController", "AbortSignal", "fetch", "queueMicrotask",
    "performance", "structuredClone"
  ].map((name) => [name, "readonly"])
)

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "**/*.d.ts",
      "bench/**",
      "examples/**",
      "docs/**"
    ]
  },
  {
    files: ["**/*.ts", "**/*.tsx", "**/*.mjs"],
    extends: [eslint.configs.recommended, ...tseslint.configs.recommended],
    plugins: { "@effect": effect },
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: node },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "object-shorthand": "error",
      "no-control-regex": "off",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-unused-vars": ["error", {
        argsIgnorePattern: "^_",
        varsIgnorePattern: "^_",
        caughtErrorsIgnorePattern: "^_",
        destructuredArrayIgnorePattern: "^_",
        ignoreRestSiblings: true
      }]
    }
  },
  {
    // What the proxy loads: `@effect/platform`'s index evaluates every module it re-exports, among them the Scalar and
    // Swagger pages (≈ 20 MB of heap for their inlined scripts) — import the module itself (docs/performance.md,
    // "Memory, fifth pass").
    files: ["packages/core/src/**/*.ts", "packages/registry/src/**/*.ts", "apps/proxy/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [{ name: "@effect/platform", message: "import the module (`@effect/platform/HttpApiBuilder`), not the index" }]
      }]
    }
  }
)
