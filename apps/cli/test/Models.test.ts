/**
 * `mreg models list|get|delete` end to end (the bundle on a temporary SQLite registry): the API's bodies, tables,
 * models named by id or FQN, and the confirmation of `models delete` (asked on a terminal, `--yes` skips it,
 * refused without a terminal).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { BUNDLE, json, LLAMA, mreg, REPO_ROOT, tempHome } from "./utils.js"

const FQN = "model:default/llm-finetunes/support-assistant"

/** A home with the llama manifest stored as version 1; the model's id. */
const withModel = Effect.gen(function*() {
  const home = yield* tempHome
  yield* mreg(home, ["upsert", "-f", LLAMA])
  const id = json(yield* mreg(home, ["models", "list"])).data[0].id as string
  return { home, id }
})

/** Runs `mreg models delete <id>` on a pseudo-terminal (`script`), answering `answer` once the question shows. */
const onTerminal = (home: string, id: string, answer: string) =>
  Effect.async<{ readonly code: number | null; readonly screen: string }>((resume) => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BUNDLE)} models delete ${id}`
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: home, MREG_HOME: home, NO_COLOR: "1", TERM: "xterm" },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let screen = ""
    let answered = false
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      screen += chunk
      if (!answered && screen.includes("cannot be undone")) {
        answered = true
        child.stdin.write(answer)
      }
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
    child.on("close", (code) => {
      clearTimeout(timer)
      resume(Effect.succeed({ code, screen: screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "") }))
    })
    return Effect.sync(() => child.kill("SIGKILL"))
  })

describe("mreg models", () => {
  it.scoped("list and get print TrueFoundry's Model (JSON) or a table", () =>
    Effect.gen(function*() {
      const { home, id } = yield* withModel
      const listed = json(yield* mreg(home, ["models", "list", "--ml-repo", "llm-finetunes"]))
      assert.deepStrictEqual(listed.pagination, { total: 1, offset: 0, limit: 100 })
      assert.deepStrictEqual([listed.data[0].fqn, listed.data[0].type, listed.data[0].latest_version.manifest.version], [FQN, "model", 1])
      const table = yield* mreg(home, ["models", "list", "-o", "table"])
      const lines = table.stdout.trimEnd().split("\n")
      assert.deepStrictEqual(lines[0]!.split(/ +/), ["ID", "FQN", "LATEST", "UPDATED"])
      assert.deepStrictEqual(lines[1]!.split(/ +/).slice(0, 3), [id, FQN, "1"])
      assert.strictEqual(lines[2], "1 of 1 (offset 0, limit 100)")
      const got = json(yield* mreg(home, ["models", "get", id]))
      assert.deepStrictEqual(got, { data: listed.data[0] })
      const yaml = yield* mreg(home, ["models", "get", id, "-o", "yaml"])
      assert.match(yaml.stdout, new RegExp(`^  id: ${id}$`, "m"))
      const bad = yield* mreg(home, ["models", "list", "--limit", "0"])
      assert.deepStrictEqual([bad.code, bad.stderr.trim().split("\n")[0]], [2, "error: --limit must be an integer from 1 to 1000 (received \"0\")"])
    }))

  it.scoped("get and delete take an id or an FQN: the model's, or a version's naming its model", () =>
    Effect.gen(function*() {
      const { home, id } = yield* withModel
      const byId = json(yield* mreg(home, ["models", "get", id]))
      for (const ref of [FQN, `${FQN}:1`, `${FQN}:latest`, `${FQN}:v3-dev`, `${FQN}:7`]) {
        const run = yield* mreg(home, ["models", "get", ref])
        assert.strictEqual(run.code, 0, `${ref}: ${run.stderr}`)
        assert.deepStrictEqual(json(run), byId, ref)
      }
      const deleted = yield* mreg(home, ["models", "delete", `${FQN}:latest`, "--yes", "-o", "table"])
      assert.deepStrictEqual([deleted.code, deleted.stdout], [0, `deleted model ${FQN} and its 1 version\n`])
      assert.strictEqual(json(yield* mreg(home, ["models", "list"])).pagination.total, 0)
    }))

  it.scoped("an FQN naming no model exits 4; an invalid FQN exits 2 naming the rule, before the registry is opened", () =>
    Effect.gen(function*() {
      const { home } = yield* withModel
      for (const ref of ["model:default/llm-finetunes/absent", "model:other-tenant/llm-finetunes/support-assistant"]) {
        for (const args of [["models", "get", ref], ["models", "delete", ref, "--yes"]]) {
          assert.deepStrictEqual(yield* mreg(home, args), { code: 4, stdout: "", stderr: `error: no model with FQN "${ref}" [NOT_FOUND]\n` })
        }
      }
      assert.strictEqual(json(yield* mreg(home, ["models", "list"])).pagination.total, 1, "nothing deleted")
      const fresh = yield* tempHome
      assert.deepStrictEqual(yield* mreg(fresh, ["models", "get", "model:default/llm-finetunes"]), {
        code: 2,
        stdout: "",
        stderr: "error: invalid FQN \"model:default/llm-finetunes\": must be model:{tenant}/{ml_repo}/{name}, optionally " +
          "followed by :{version, alias or latest} (received \"model:default/llm-finetunes\")\n"
      })
      assert.deepStrictEqual(yield* mreg(fresh, ["models", "delete", `${FQN}:newest`, "--yes"]), {
        code: 2,
        stdout: "",
        stderr: `error: invalid FQN "${FQN}:newest": has "newest" after the colon: give a version number, an alias starting ` +
          "with \"v\", or latest\n"
      })
      assert.isFalse(existsSync(join(fresh, "registry.db")), "an invalid FQN never opens the registry")
    }))

  it.scoped("delete without a terminal needs --yes (exit 2, nothing deleted); with --yes it deletes the model and its versions", () =>
    Effect.gen(function*() {
      const { home, id } = yield* withModel
      const refused = yield* mreg(home, ["models", "delete", id])
      assert.strictEqual(refused.code, 2)
      assert.strictEqual(refused.stderr.trim(), `error: deleting model ${FQN} and its 1 version needs confirmation: stdin is not a terminal, pass --yes`)
      assert.strictEqual(json(yield* mreg(home, ["models", "list"])).pagination.total, 1)
      const deleted = yield* mreg(home, ["models", "delete", id, "--yes", "-o", "table"])
      assert.deepStrictEqual([deleted.code, deleted.stdout.trim()], [0, `deleted model ${FQN} and its 1 version`])
      const gone = yield* mreg(home, ["models", "get", id])
      assert.strictEqual(gone.code, 4)
      assert.strictEqual(json(yield* mreg(home, ["list"])).pagination.total, 0)
      const again = json(yield* mreg(home, ["upsert", "-f", LLAMA]))
      assert.strictEqual(again.data.manifest.version, 1)
      assert.notStrictEqual(again.data.model_id, id)
    }))

  const hasScript = spawnSync("sh", ["-c", "command -v script"], { stdio: "ignore" }).status === 0
  it.scoped("delete on a terminal asks, naming the model and its versions: n keeps it, y deletes it", () =>
    Effect.gen(function*() {
      assert.isTrue(hasScript, "script (util-linux) is needed to run mreg on a pseudo-terminal")
      const { home, id } = yield* withModel
      const kept = yield* onTerminal(home, id, "n")
      assert.include(kept.screen, `Delete model ${FQN} and its 1 version? This cannot be undone.`)
      assert.include(kept.screen, "nothing deleted")
      assert.strictEqual(kept.code, 0)
      assert.strictEqual(json(yield* mreg(home, ["models", "list"])).pagination.total, 1)
      const deleted = yield* onTerminal(home, id, "y")
      assert.isTrue(deleted.screen.endsWith("… yes\n{}\n"), deleted.screen)
      assert.strictEqual(deleted.code, 0)
      assert.strictEqual(json(yield* mreg(home, ["models", "list"])).pagination.total, 0)
    }))
})
