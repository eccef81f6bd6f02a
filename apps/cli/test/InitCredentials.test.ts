/**
 * `mreg init` never copies credentials, and puts the model card's `license`, `tags` and `datasets` into `metadata`
 * with a note (issue 12, finding 7), through the bundle.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { join } from "node:path"
import * as ModelFolder from "../src/ModelFolder.js"
import { mreg, tempDir, tempHome, writeTree } from "./utils.js"

const SECRETS = ["S3cr3t", "glpat-xY7secret", "ghp_tokenvalue", "p@ss"]

describe.concurrent("mreg init and credentials", () => {
  it.scoped("requirement URLs are written without their user info; stderr names the package, never the secret", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const dir = writeTree(join(yield* tempDir, "private-model"), {
        "model.onnx": "\x08\x07 stand-in",
        "README.md": "---\nlicense: mit\ntags: [vision, onnx]\ndatasets: imagenet-1k\n---\n# A private model\n",
        "requirements.txt": [
          "internal-utils @ https://user:S3cr3t@pypi.example.com/packages/internal_utils-1.0-py3-none-any.whl",
          "feature-store @ git+https://oauth2:glpat-xY7secret@gitlab.example.com/ml/feature-store.git@v2.1",
          "tokenizer @ git+https://ghp_tokenvalue@github.com/org/tokenizer.git",
          "odd @ https://me:p@ss@files.example.com/odd-1.0.tar.gz",
          "public @ https://files.example.com/public-1.0.tar.gz",
          "numpy==2.1.0",
          ""
        ].join("\n")
      })
      const run = yield* mreg(home, ["init", "--from", dir, "-o", "json", "--ml-repo", "vision"])
      assert.strictEqual(run.code, 0, run.stderr)
      const manifest = JSON.parse(run.stdout).manifest
      assert.deepStrictEqual(manifest.environment.pip_packages, [
        "internal-utils @ https://pypi.example.com/packages/internal_utils-1.0-py3-none-any.whl",
        "feature-store @ git+https://gitlab.example.com/ml/feature-store.git@v2.1",
        "tokenizer @ git+https://github.com/org/tokenizer.git",
        "public @ https://files.example.com/public-1.0.tar.gz",
        "numpy==2.1.0"
      ])
      for (const secret of SECRETS) {
        assert.notInclude(run.stdout, secret)
        assert.notInclude(run.stderr, secret)
      }
      const notes = run.stderr.split("\n")
      for (const [line, name] of [[1, "internal-utils"], [2, "feature-store"], [3, "tokenizer"]] as const) {
        assert.include(
          notes,
          `removed the credentials from the URL of ${name} (requirements.txt line ${line}): a manifest is shared; give pip ` +
            "its credentials with ~/.netrc, a keyring or PIP_INDEX_URL"
        )
      }
      // an unescaped @ in a password is not a valid URL: the line is skipped, its text never echoed
      assert.include(notes, "skipped requirements.txt line 4: not a PEP 508 requirement (a path, a URL without \"name @\", or a variable?)")
      assert.deepStrictEqual(manifest.metadata, { license: "mit", tags: ["vision", "onnx"], datasets: ["imagenet-1k"] })
      assert.include(notes, "inferred metadata.tags = [\"vision\",\"onnx\"] from README.md front matter")
      assert.include(notes, "inferred metadata.datasets = [\"imagenet-1k\"] from README.md front matter")
      const stored = yield* mreg(home, ["upsert", "-f", "-"], { stdin: run.stdout })
      assert.strictEqual(stored.code, 0, stored.stderr)
    }))

  it("withoutCredentials: only the user info goes; URLs without it are left alone", () => {
    assert.strictEqual(ModelFolder.withoutCredentials("a @ https://u:p@h.example/x"), "a @ https://h.example/x")
    assert.strictEqual(ModelFolder.withoutCredentials("a @ https://h.example/x@v1"), undefined)
    assert.strictEqual(ModelFolder.withoutCredentials("a==1.0"), undefined)
  })

  it("card metadata of another shape is skipped with a note", () => {
    const result = ModelFolder.cardMetadata({ tags: [1, 2], datasets: [], license: ["mit"] }, (field) => field, "card")
    assert.deepStrictEqual(result, {
      metadata: {},
      notes: ["skipped card license: not a text", "skipped card tags: not a text or a list of texts"]
    })
  })
})
