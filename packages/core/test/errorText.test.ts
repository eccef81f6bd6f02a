import { assert, describe, it } from "@effect/vitest"
import { parseBody, retryAfterSeconds, safeText } from "../src/internal/errorText.js"

const TRACEBACK = `Traceback (most recent call last):
  File "/app/server/routes/model_versions.py", line 88, in upsert
    version = repo.create(manifest)
  File "/usr/local/lib/python3.11/site-packages/sqlalchemy/engine/base.py", line 1964, in _exec_single_context
    self.dialect.do_execute(
psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "model_versions_alias_key"
DETAIL:  Key (model_id, lower(version_alias))=(42, v1) already exists.`

const UNIQUE_VIOLATION = `psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "model_versions_alias_key"`

const SQLALCHEMY =
  `(sqlalchemy.exc.IntegrityError) (psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint ` +
  `"uq_alias" [SQL: INSERT INTO model_versions (id, model_id, version_alias) VALUES (%(id)s, %(model_id)s, ` +
  `%(version_alias)s)] [parameters: {'id': 'mv-1', 'model_id': 42, 'version_alias': 'v1'}]`

const DSN = "could not connect to server (host=db.internal port=5432 user=mreg password=hunter2 dbname=registry)"

describe("safeText", () => {
  it("keeps one printable line of at most 200 characters", () => {
    assert.strictEqual(safeText("version alias v1 is held by version 2"), "version alias v1 is held by version 2")
    assert.strictEqual(safeText("  no model version mv-1  "), "no model version mv-1")
    assert.strictEqual(safeText("a".repeat(200)), "a".repeat(200))
    assert.strictEqual(safeText("a".repeat(201)), undefined)
    assert.strictEqual(safeText("Größe ist ungültig"), "Größe ist ungültig")
  })

  it("drops secrets, network details, driver and runtime text, and bidi, zero-width or replacement characters", () => {
    for (
      const text of [
        "connection to server at \"db.internal.corp\" (10.0.3.7), port 5432 failed",
        "ER_ACCESS_DENIED_ERROR: Access denied for user 'root'",
        "invalid request: api_key=sk_live_51HxyzSECRETabc",
        "token Bearer eyJhbGciOi.s3cr3t rejected",
        "java.lang.NullPointerException at com.acme.Upsert.run(Upsert.java:88)",
        "ERROR: relation \"model_versions\" does not exist at character 15",
        "redis://:hunter2@cache.internal:6379",
        "AKIAIOSFODNN7EXAMPLE",
        "the Authorization header",
        "client secret expired",
        "ok \u202etxt.exe",
        "zero\u200bwidth",
        "bad \ufffd byte"
      ]
    ) assert.strictEqual(safeText(text), undefined, text)
  })

  it("drops a Python traceback, its last line, and SQLAlchemy text with SQL and parameters", () => {
    assert.strictEqual(safeText(TRACEBACK), undefined)
    assert.strictEqual(safeText(UNIQUE_VIOLATION), undefined)
    assert.strictEqual(safeText(SQLALCHEMY), undefined)
    assert.strictEqual(safeText(SQLALCHEMY.slice(0, 280)), undefined)
  })

  it("drops connection strings with a password and other driver or SQL text", () => {
    assert.strictEqual(safeText(DSN), undefined)
    assert.strictEqual(safeText("postgres://mreg:hunter2@db.internal:5432/registry is unreachable"), undefined)
    assert.strictEqual(safeText("UPDATE model_versions SET description = 'x' WHERE id = 3"), undefined)
    assert.strictEqual(safeText("select id, fqn from model_versions where id = $1"), undefined)
    assert.strictEqual(safeText("DELETE FROM model_versions WHERE id = 3"), undefined)
    assert.strictEqual(safeText("ERROR: relation does not exist (SQLSTATE 42P01)"), undefined)
    assert.strictEqual(safeText("TypeError: x is undefined    at Object.handler (/srv/app.js:10:5)"), undefined)
  })

  it("drops what is not one printable line, too long, empty or not a string", () => {
    assert.strictEqual(safeText("line one\nline two"), undefined)
    assert.strictEqual(safeText("bell \u0007"), undefined)
    assert.strictEqual(safeText("a".repeat(301)), undefined)
    assert.strictEqual(safeText("   "), undefined)
    assert.strictEqual(safeText(42), undefined)
    assert.strictEqual(safeText(undefined), undefined)
  })
})

describe("parseBody", () => {
  it("reads mreg's and TrueFoundry's shape (a details list is merged)", () => {
    assert.deepStrictEqual(
      parseBody(`{"statusCode":409,"code":"ALIAS_IN_USE","message":"m","details":[{"alias":"v1"},{"version":2}]}`),
      { code: "ALIAS_IN_USE", message: "m", details: { alias: "v1", version: 2 }, detail: undefined }
    )
  })

  it("reads FastAPI's detail string and detail list", () => {
    assert.deepStrictEqual(parseBody(`{"detail":"Model version not found"}`), {
      code: undefined,
      message: "Model version not found",
      details: {},
      detail: undefined
    })
    assert.deepStrictEqual(parseBody(`{"detail":[{"loc":["body","manifest","name"],"msg":"field required","type":"missing"}]}`), {
      code: undefined,
      message: undefined,
      details: {},
      detail: [{ loc: ["body", "manifest", "name"], msg: "field required", type: "missing" }]
    })
  })

  it("reads {message} and {error}, plain or nested", () => {
    assert.deepStrictEqual(parseBody(`{"error":"rate limited"}`), { code: undefined, message: "rate limited", details: {}, detail: undefined })
    assert.deepStrictEqual(parseBody(`{"error":{"code":"NOT_FOUND","message":"gone"}}`), {
      code: "NOT_FOUND",
      message: "gone",
      details: {},
      detail: undefined
    })
  })

  it("is undefined for bodies it does not understand", () => {
    for (const text of [undefined, "", "  ", "<html><body>502 Bad Gateway</body></html>", "busy", "[1,2]", "\"text\"", "{\"status\":\"down\"}"]) {
      assert.strictEqual(parseBody(text), undefined, String(text))
    }
  })
})

describe("retryAfterSeconds", () => {
  it("reads whole seconds, at least 1 and at most an hour", () => {
    assert.deepStrictEqual([retryAfterSeconds("5"), retryAfterSeconds(0), retryAfterSeconds(2.5), retryAfterSeconds(99999)], [5, 1, 3, 3600])
    assert.deepStrictEqual([retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT"), retryAfterSeconds(-1), retryAfterSeconds(undefined)], [
      undefined,
      undefined,
      undefined
    ])
  })
})
