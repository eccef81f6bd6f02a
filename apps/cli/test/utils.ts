/**
 * Helpers of the CLI tests: run the built bundle `dist/mreg.mjs` in a child process with its own temporary
 * `MREG_HOME`, and find the manifest files to feed it.
 */
import { assert } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { spawn } from "node:child_process"
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { createRequire } from "node:module"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/** apps/cli */
export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url))
/** The repository root. */
export const REPO_ROOT = join(PACKAGE_DIR, "..", "..")
/** The bundle under test (built by `pnpm build`, which the root test script runs first). */
export const BUNDLE = join(PACKAGE_DIR, "dist", "mreg.mjs")
/** apps/cli/test/fixtures */
export const FIXTURES = join(PACKAGE_DIR, "test", "fixtures")
/** `test/fixtures/manifests/llama-finetune.json`: support-assistant in llm-finetunes, alias v3-dev. */
export const LLAMA = join(FIXTURES, "manifests", "llama-finetune.json")
/** A file of `test/fixtures/cases`. */
export const fixtureCase = (name: string): string => join(FIXTURES, "cases", name)

/** What a run of `mreg` printed and its exit code. */
export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Checks the first two lines of a `list --output table`: the header, then the row of {@link LLAMA} as version 1
 * (no tags) with id `created.id`, created at `created.created_at`.
 */
export const assertLlamaRows = (lines: ReadonlyArray<string>, created: { readonly id: string; readonly created_at: string }): void => {
  assert.deepStrictEqual(lines[0]!.split(/ +/), ["ID", "FQN", "VERSION", "ALIAS", "TAGS", "CREATED"])
  assert.deepStrictEqual(lines[1]!.split(/ +/), [
    created.id,
    "model:default/llm-finetunes/support-assistant:1",
    "1",
    "v3-dev",
    "-",
    created.created_at
  ])
}

/** A temporary `MREG_HOME`, removed when the scope closes. */
export const tempHome: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mreg-cli-test-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** The environment of a `mreg` run on the SQLite registry in `home`, tenant "default", without colours. */
export const envOf = (home: string): Record<string, string | undefined> => {
  const env: Record<string, string | undefined> = { ...process.env, MREG_HOME: home, NO_COLOR: "1" }
  for (const name of ["MREG_TENANT", "TFY_HOST", "TFY_API_KEY", "DATABASE_URL"]) delete env[name]
  return env
}

/**
 * Runs `node dist/mreg.mjs ...args` with `MREG_HOME=home` (and no `MREG_TENANT`, so the tenant is "default"; no
 * `DATABASE_URL` or `TFY_HOST`, so the registry is the SQLite file in `home`; then `options.env`),
 * from the repository root (or `options.cwd`), writing `stdin` (default: nothing) to its standard input. Kills the child when
 * interrupted; a child that does not finish within 30 s is killed and fails the test.
 */
export const mreg = (
  home: string,
  args: ReadonlyArray<string>,
  options: { readonly stdin?: string | Uint8Array; readonly env?: Readonly<Record<string, string>>; readonly cwd?: string } = {}
): Effect.Effect<Run> =>
  Effect.async<Run>((resume) => {
    const env = { ...envOf(home), ...options.env }
    const child = spawn(process.execPath, [BUNDLE, ...args], { cwd: options.cwd ?? REPO_ROOT, env, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
    child.on("error", (error) => {
      clearTimeout(timer)
      resume(Effect.die(error))
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      resume(Effect.succeed({ code, stdout, stderr }))
    })
    child.stdin.on("error", () => {
      // the child may exit before reading its input (a usage error): nothing to report
    })
    child.stdin.end(options.stdin ?? "")
    return Effect.sync(() => {
      clearTimeout(timer)
      child.kill("SIGKILL")
    })
  })

/** Parses the JSON a run printed on stdout, failing with the run's output when it is not JSON. */
export const json = (run: Run): any => {
  try {
    return JSON.parse(run.stdout)
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`)
  }
}

const MANIFEST_FILE = /\.(json|ya?ml)$/

/** The manifest files (JSON and YAML) directly inside `dir`, as absolute paths, sorted; none when it is missing. */
export const manifestFiles = (dir: string): ReadonlyArray<string> =>
  existsSync(dir) ? readdirSync(dir).filter((name) => MANIFEST_FILE.test(name)).sort().map((name) => join(dir, name)) : []

interface SqliteDatabase {
  prepare(sql: string): { all(): Array<Record<string, unknown>> }
  close(): void
}

/** Rows of a read-only query on the registry file `home/registry.db` (better-sqlite3, the CLI's own driver). */
export const queryRegistry = (home: string, sql: string): Array<Record<string, unknown>> => {
  const Database = createRequire(import.meta.url)("better-sqlite3") as new(file: string, options: { readonly: boolean }) => SqliteDatabase
  const db = new Database(join(home, "registry.db"), { readonly: true })
  try {
    return db.prepare(sql).all()
  } finally {
    db.close()
  }
}

/** A request received by {@link fakeControlPlane}. */
export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** A reply of {@link fakeControlPlane}: status, JSON body and extra headers. */
export interface Reply {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * An HTTP server on 127.0.0.1 (free port) standing in for a control plane: `reply` answers each request, and every
 * request is recorded in `received`. Closed when the scope closes.
 */
export const fakeControlPlane = (
  reply: (request: Received) => Reply
): Effect.Effect<{ readonly url: string; readonly received: ReadonlyArray<Received> }, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly received: Array<Received>; readonly close: () => void }>((resume) => {
      const received: Array<Received> = []
      const server = createServer((req, res) => {
        let body = ""
        req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk)).on("end", () => {
          const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body }
          received.push(request)
          const answer = reply(request)
          res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers })
          res.end(JSON.stringify(answer.body))
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, received, close: () => server.close() }))
      })
    }),
    (plane) => Effect.sync(() => plane.close())
  )

/** apps/cli/examples */
export const CLI_EXAMPLES = join(PACKAGE_DIR, "examples")

/** Files of a folder: relative path (`/`-separated, sub-folders created) → content. */
export type Tree = Readonly<Record<string, string | Uint8Array>>

/** Writes `tree` under `dir` (created when missing) and returns `dir`. */
export const writeTree = (dir: string, tree: Tree): string => {
  mkdirSync(dir, { recursive: true })
  for (const [path, content] of Object.entries(tree)) {
    const file = join(dir, ...path.split("/"))
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
  }
  return dir
}

/** A temporary folder, removed when the scope closes. */
export const tempDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mreg-cli-models-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const json2 = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`

/**
 * Small but real model folders, one per layout `mreg init` recognises: the files the libraries write (configs,
 * model cards with front matter, an XGBoost JSON model), with stand-ins for the large weight files.
 */
export const MODEL_FOLDERS = {
  /** A Hugging Face transformers text classifier with a model card and a requirements.txt. */
  "distilbert-sst2": {
    "config.json": json2({
      architectures: ["DistilBertForSequenceClassification"],
      model_type: "distilbert",
      id2label: { "0": "NEGATIVE", "1": "POSITIVE" }
    }),
    "README.md": [
      "---",
      "license: apache-2.0",
      "pipeline_tag: text-classification",
      "library_name: transformers",
      "base_model: distilbert/distilbert-base-uncased",
      "datasets: [stanfordnlp/sst2]",
      "---",
      "# DistilBERT fine-tuned on SST-2",
      ""
    ].join("\n"),
    "requirements.txt": [
      "# serving",
      "--extra-index-url https://user:s3cret@pypi.example.com/simple",
      "torch==2.4.0+cu121",
      "transformers[torch]>=4.44,<5   # pinned below 5",
      "",
      "-r dev-requirements.txt",
      "./wheels/local_pkg",
      "numpy<2 ; python_version < \"3.13\" --hash=sha256:0123abcd",
      ""
    ].join("\n"),
    "model.safetensors": "stand-in for the weights"
  },
  /** A sentence-transformers folder: modules.json, its config, and a model card without pipeline_tag. */
  "all-MiniLM-L6-v2": {
    "modules.json": json2([
      { idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer" },
      { idx: 1, name: "1", path: "1_Pooling", type: "sentence_transformers.models.Pooling" }
    ]),
    "config_sentence_transformers.json": json2({ __version__: { sentence_transformers: "3.0.1" } }),
    "config.json": json2({ architectures: ["BertModel"], model_type: "bert" }),
    "1_Pooling/config.json": json2({ word_embedding_dimension: 384, pooling_mode_mean_tokens: true }),
    "README.md": "---\nlicense: apache-2.0\nlibrary_name: sentence-transformers\ntags: [feature-extraction]\n---\n# all-MiniLM-L6-v2\n"
  },
  /** A diffusers pipeline folder: model_index.json and component sub-folders. */
  "sdxl-base": {
    "model_index.json": json2({ _class_name: "StableDiffusionXLPipeline", _diffusers_version: "0.30.0", unet: ["diffusers", "UNet2DConditionModel"] }),
    "unet/config.json": json2({ _class_name: "UNet2DConditionModel", sample_size: 128 }),
    "README.md": "---\nlicense: openrail++\ntags: [text-to-image, stable-diffusion]\n---\n# SDXL base\n"
  },
  /** A scikit-learn model saved with joblib. */
  "iris-classifier": {
    "model.joblib": "\x80\x04\x95 stand-in for a joblib dump of sklearn.ensemble._forest RandomForestClassifier",
    "requirements.txt": "scikit-learn==1.5.1\njoblib==1.4.2\n"
  },
  /** A scikit-learn model pickled into a sub-folder. */
  "fraud-pickle": {
    "artifacts/model.pkl": "\x80\x04\x95 stand-in for a pickle of sklearn.linear_model._logistic LogisticRegression"
  },
  /** An XGBoost model in its JSON format (a top-level "learner"). */
  "churn-xgb": {
    "model.json": json2({
      learner: {
        attributes: {},
        feature_names: ["tenure_months", "monthly_charges"],
        gradient_booster: { name: "gbtree" },
        objective: { name: "binary:logistic" }
      },
      version: [2, 1, 1]
    }),
    "requirements.txt": "xgboost==2.1.1\npandas>=2\n"
  },
  /** An ONNX export. */
  "resnet50-onnx": {
    "model.onnx": "\x08\x07\x12\x07pytorch stand-in for an ONNX protobuf"
  }
} satisfies Record<string, Tree>

/** Writes every {@link MODEL_FOLDERS} folder under `root`; returns `root`. */
export const writeModelFolders = (root: string): string => {
  for (const [name, tree] of Object.entries(MODEL_FOLDERS)) writeTree(join(root, name), tree)
  return root
}
