/**
 * End-to-end tests of `mreg history` (the bundle): by FQN or id, the table (one line per change), `-o json|yaml`,
 * paging, a deleted version's history by id, and the exit codes of a missing or malformed reference.
 */
import { assert, describe, it } from "@effect/vitest"
import { BASE_FILE } from "@mreg/test-fixtures"
import { Effect, type Scope } from "effect"
import { parse as parseYaml } from "yaml"
import { json, mreg, tempHome } from "./utils.js"

const itHome = <A, E>(name: string, body: (home: string) => Effect.Effect<A, E, Scope.Scope>) =>
  it.scoped(name, () => Effect.flatMap(tempHome, body), 60_000)

const FQN = "model:default/nlp-team/sentiment-clf:1"

describe.concurrent("mreg history", () => {
  itHome("shows who changed what, one line per change; json and yaml are the API's body; a deleted version by id", (home) =>
    Effect.gen(function*() {
      const created = json(yield* mreg(home, ["upsert", "-f", BASE_FILE])).data
      const updated = yield* mreg(home, ["update", FQN, "--set", "description=tuned", "--set", "metadata.accuracy=0.93"])
      assert.strictEqual(updated.code, 0, updated.stderr)
      assert.strictEqual((yield* mreg(home, ["tag", "add", FQN, "prod"])).code, 0)

      const body = json(yield* mreg(home, ["history", FQN, "-o", "json"]))
      assert.deepStrictEqual(body.pagination, { total: 3, offset: 0, limit: 100 })
      assert.deepStrictEqual(body.data.map((event: any) => [event.revision, event.type]), [[1, "created"], [2, "updated"], [3, "tags_applied"]])
      assert.deepStrictEqual(body.data[1].changes, [{ path: "description", after: "tuned" }, { path: "metadata.accuracy", after: 0.93 }])
      assert.deepStrictEqual(parseYaml((yield* mreg(home, ["history", created.id, "-o", "yaml"])).stdout), body)

      const table = yield* mreg(home, ["history", FQN])
      assert.strictEqual(table.code, 0, table.stderr)
      const [first, second, third] = body.data
      const who = first.subject.subjectSlug ?? first.subject.subjectId
      const pad = (text: string, width: number) => text.padEnd(width)
      const w = Math.max(3, who.length)
      const row = (rev: string, at: string, by: string, type: string, change: string) =>
        `${pad(rev, 3)}  ${pad(at, 24)}  ${pad(by, w)}  ${pad(type, 12)}  ${change}`.trimEnd()
      assert.strictEqual(table.stdout, [
        row("REV", "WHEN", "WHO", "EVENT", "CHANGE"),
        row("1", first.at, who, "created", "+ source = {\"type\":\"truefoundry\",\"uri\":\"s3://bucket/sentiment/1\"}"),
        row("", "", "", "", "+ framework = {\"type\":\"transformers\",\"library_name\":\"transformers\",\"pipel…"),
        row("", "", "", "", "+ environment = {\"python_version\":\"3.10\",\"pip_packages\":[\"transformers==4.4…"),
        row("", "", "", "", "+ step = 0"),
        row("2", second.at, who, "updated", "+ description = \"tuned\""),
        row("", "", "", "", "+ metadata.accuracy = 0.93"),
        row("3", third.at, who, "tags_applied", "~ tags: [] → [\"prod\"]"),
        "3 of 3 (offset 0, limit 100)",
        ""
      ].join("\n"))

      assert.strictEqual((yield* mreg(home, ["delete", FQN, "--yes"])).code, 0)
      const page = json(yield* mreg(home, ["history", created.id, "-o", "json", "--limit", "1", "--offset", "3"]))
      assert.deepStrictEqual(page.pagination, { total: 4, offset: 3, limit: 1 })
      assert.deepStrictEqual(page.data.map((event: any) => [event.revision, event.type]), [[4, "deleted"]])
    }))

  itHome("a version that does not exist exits 4; a malformed FQN or a bad --limit exits 2", (home) =>
    Effect.gen(function*() {
      const missing = yield* mreg(home, ["history", FQN])
      assert.deepStrictEqual([missing.code, missing.stderr], [4, `error: no model version with FQN "${FQN}" [NOT_FOUND]\n`])
      const unknownId = yield* mreg(home, ["history", "no-such-id"])
      assert.deepStrictEqual([unknownId.code, unknownId.stderr], [4, "error: no model version with id \"no-such-id\" [NOT_FOUND]\n"])
      const malformed = yield* mreg(home, ["history", "model:default/nlp-team"])
      assert.strictEqual(malformed.code, 2, malformed.stderr)
      const limit = yield* mreg(home, ["history", FQN, "--limit", "0"])
      assert.strictEqual(limit.code, 2, limit.stderr)
    }))
})
