// Writes schemas/model-manifest.json, the JSON Schema of manifest files, from the built package (run after tsc by
// `pnpm build`): generated from the ModelManifest schema, never edited by hand. test/ManifestJsonSchema.test.ts
// checks that the file equals the generated schema.
import { mkdir, writeFile } from "node:fs/promises"
import { make } from "../dist/ManifestJsonSchema.js"

const file = new URL("../schemas/model-manifest.json", import.meta.url)
await mkdir(new URL(".", file), { recursive: true })
await writeFile(file, `${JSON.stringify(make(), null, 2)}\n`)
