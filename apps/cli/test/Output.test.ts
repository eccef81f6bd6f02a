import { assert, describe, it } from "@effect/vitest"
import { ModelVersion } from "@mreg/core"
import { Console, Effect, Schema } from "effect"
import * as Output from "../src/Output.js"

const modelVersion = Schema.decodeUnknownSync(ModelVersion.ModelVersion)({
  id: "0b6f5a52-8f43-4a55-9a3b-0f2f3c1f7a10",
  fqn: "model:default/nlp-team/sentiment-clf:2",
  created_by_subject: { subjectId: "ana", subjectType: "user" },
  manifest: {
    type: "model-version",
    name: "sentiment-clf",
    ml_repo: "nlp-team",
    version: 2,
    version_alias: "v2",
    metadata: { a: 1 },
    source: { type: "external", uri: "s3://b/m" },
    framework: { type: "transformers", pipeline_tag: "text-classification" },
    environment: { python_version: "3.10", pip_packages: ["torch>=2.1", "numpy<2"] },
    step: 0
  },
  ml_repo_id: "r1",
  model_id: "m1",
  created_at: "2024-06-01T12:00:00.000Z",
  updated_at: "2024-06-02T12:00:00.000Z",
  tags: ["prod", "stable"],
  metrics: [],
  deployable: true
})

describe("Output", () => {
  it("modelVersionJson is the wire body {data}, indented by 2", () => {
    const text = Output.modelVersionJson(modelVersion)
    assert.strictEqual(text, JSON.stringify({ data: Schema.encodeSync(ModelVersion.ModelVersion)(modelVersion) }, null, 2))
    assert.deepStrictEqual(Object.keys(JSON.parse(text).data), [
      "id", "fqn", "created_by_subject", "manifest", "ml_repo_id", "model_id", "created_at", "updated_at", "tags", "metrics", "deployable"
    ])
  })

  it("pageJson is {data, pagination}", () => {
    const page = new ModelVersion.ModelVersionPage({ data: [modelVersion], pagination: { total: 5, offset: 4, limit: 1 } })
    const body = JSON.parse(Output.pageJson(page))
    assert.deepStrictEqual(body.pagination, { total: 5, offset: 4, limit: 1 })
    assert.strictEqual(body.data[0].fqn, "model:default/nlp-team/sentiment-clf:2")
  })

  it("modelVersionTable aligns Key: value lines", () => {
    assert.strictEqual(
      Output.modelVersionTable(modelVersion, { etag: "\"x.1\"", status: "updated" }),
      [
        "ID:          0b6f5a52-8f43-4a55-9a3b-0f2f3c1f7a10",
        "FQN:         model:default/nlp-team/sentiment-clf:2",
        "Version:     2",
        "Alias:       v2",
        "ML repo:     nlp-team",
        "Name:        sentiment-clf",
        "Description: -",
        "Source:      external s3://b/m",
        "Framework:   transformers (pipeline_tag=text-classification)",
        "Python:      3.10",
        "Packages:    torch>=2.1, numpy<2",
        "Step:        0",
        "Run ID:      -",
        "Tags:        prod, stable",
        "Deployable:  true",
        "Created by:  ana (user)",
        "Created:     2024-06-01T12:00:00.000Z",
        "Updated:     2024-06-02T12:00:00.000Z",
        "ETag:        \"x.1\"",
        "Status:      updated"
      ].join("\n")
    )
  })

  it("pageTable has the ID, FQN, VERSION, ALIAS, TAGS, CREATED columns and a count line", () => {
    const page = new ModelVersion.ModelVersionPage({ data: [modelVersion], pagination: { total: 3, offset: 0, limit: 1 } })
    assert.strictEqual(
      Output.pageTable(page),
      [
        "ID                                    FQN                                     VERSION  ALIAS  TAGS         CREATED",
        "0b6f5a52-8f43-4a55-9a3b-0f2f3c1f7a10  model:default/nlp-team/sentiment-clf:2  2        v2     prod,stable  2024-06-01T12:00:00.000Z",
        "1 of 3 (offset 0, limit 1)"
      ].join("\n")
    )
    const empty = new ModelVersion.ModelVersionPage({ data: [], pagination: { total: 0, offset: 0, limit: 100 } })
    assert.strictEqual(Output.pageTable(empty), "ID  FQN  VERSION  ALIAS  TAGS  CREATED\n0 of 0 (offset 0, limit 100)")
  })

  it("yaml and data: the same body as JSON, strings that look like numbers quoted, no folding", () => {
    const body = Output.modelVersionBody(modelVersion)
    assert.strictEqual(Output.data("json", body), Output.modelVersionJson(modelVersion))
    const text = Output.data("yaml", body)
    assert.include(text, "\n    environment:\n      python_version: \"3.10\"\n      pip_packages:\n        - torch>=2.1\n        - numpy<2\n")
    assert.isTrue(text.startsWith("data:\n  id: 0b6f5a52-8f43-4a55-9a3b-0f2f3c1f7a10\n"))
    assert.isFalse(text.endsWith("\n"))
    assert.strictEqual(Output.yaml({ d: "x".repeat(200) }), `d: ${"x".repeat(200)}`)
    assert.strictEqual(Output.data("yaml", {}), "{}")
  })

  it("tables: bold header and keys, dim count line, only with the colour palette", () => {
    const page = new ModelVersion.ModelVersionPage({ data: [modelVersion], pagination: { total: 1, offset: 0, limit: 1 } })
    assert.strictEqual(
      Output.pageTable(page, Output.colored),
      [
        "\x1b[1mID                                    FQN                                     VERSION  ALIAS  TAGS         CREATED\x1b[0m",
        "0b6f5a52-8f43-4a55-9a3b-0f2f3c1f7a10  model:default/nlp-team/sentiment-clf:2  2        v2     prod,stable  2024-06-01T12:00:00.000Z",
        "\x1b[2m1 of 1 (offset 0, limit 1)\x1b[0m"
      ].join("\n")
    )
    const table = Output.modelVersionTable(modelVersion, {}, Output.colored)
    assert.strictEqual(table.split("\n")[0], "\x1b[1mID:\x1b[0m          0b6f5a52-8f43-4a55-9a3b-0f2f3c1f7a10")
    assert.strictEqual(table.replace(/\x1b\[[0-9]*m/g, ""), Output.modelVersionTable(modelVersion))
  })

  it.effect("terminalConsole strips escape codes from streams without colour and trims trailing newlines", () =>
    Effect.gen(function*() {
      const written: Array<readonly [string, unknown]> = []
      const base = yield* Effect.console
      const recorder: Console.Console = {
        ...base,
        log: (...args) => Effect.sync(() => written.push(["log", args])),
        error: (...args) => Effect.sync(() => written.push(["error", args]))
      }
      const program = Effect.gen(function*() {
        yield* Console.log("\x1b[0;1mUSAGE\x1b[0m\n\n")
        yield* Console.error("\x1b[31merror\x1b[0m", 42)
      })
      yield* Effect.withConsole(program, Output.terminalConsole(recorder, { stdout: false, stderr: true }))
      yield* Effect.withConsole(program, Output.terminalConsole(recorder, { stdout: true, stderr: false }))
      assert.deepStrictEqual(written, [
        ["log", ["USAGE"]],
        ["error", ["\x1b[31merror\x1b[0m", 42]],
        ["log", ["\x1b[0;1mUSAGE\x1b[0m"]],
        ["error", ["error", 42]]
      ])
    }))
})
