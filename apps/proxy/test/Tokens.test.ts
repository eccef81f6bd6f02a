import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Option, Redacted } from "effect"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import * as Tokens from "../src/Tokens.js"

const EXAMPLE = new URL("../examples/tokens.yaml", import.meta.url)

const service = (text: string) => Either.getOrThrow(Tokens.parse(text, "test"))
const authenticate = (tokens: Tokens.Service, token: string | undefined) =>
  Effect.either(tokens.authenticate(token === undefined ? Option.none() : Option.some(Redacted.make(token))))

describe("Tokens", () => {
  it.effect("the shipped example file loads; its tokens map to their subjects and scopes", () =>
    Effect.gen(function*() {
      const tokens = service(readFileSync(EXAMPLE, "utf8"))
      const alice = yield* authenticate(tokens, "mreg-example-alice-7f3c9a1e2b")
      assert.isTrue(Either.isRight(alice))
      if (Either.isRight(alice)) {
        assert.strictEqual(alice.right.subject.subjectId, "u-alice")
        assert.deepStrictEqual(
          [alice.right.canWrite("nlp-team"), alice.right.canWrite("vision"), alice.right.canRead("vision"), alice.right.readsAll, alice.right.writesAll],
          [true, false, true, true, false]
        )
        assert.isFalse(alice.right.admin)
      }
      const ops = yield* authenticate(tokens, "mreg-example-ops-8c2e6b0d41")
      assert.deepStrictEqual(
        Either.map(ops, (g) => [g.subject.subjectId, g.admin, g.readsAny, g.writesAny]),
        Either.right(["u-ops", true, false, false])
      )
    }))

  it.effect("401 for a missing or unknown token; the message never holds the token", () =>
    Effect.gen(function*() {
      const tokens = service("tokens:\n  - token: abcdefghijklmnop\n    subject: {subjectId: a, subjectType: user}\n    scopes: []\n")
      assert.deepStrictEqual(
        (yield* authenticate(tokens, undefined)).pipe(Either.mapLeft((e) => e.message)),
        Either.left("missing bearer token: send Authorization: Bearer <token>")
      )
      assert.deepStrictEqual(
        (yield* authenticate(tokens, "abcdefghijklmnoq")).pipe(Either.mapLeft((e) => e.message)),
        Either.left("unknown bearer token")
      )
      const ok = yield* authenticate(tokens, "abcdefghijklmnop")
      assert.deepStrictEqual(Either.map(ok, (g) => [g.readsAny, g.writesAny]), Either.right([false, false]))
    }))

  it.effect("admin: true gives operator access; entries without it, and pass-through callers, have none", () =>
    Effect.gen(function*() {
      const tokens = service([
        "tokens:",
        "  - { token: admin-token-0123456789, subject: {subjectId: ops, subjectType: user}, scopes: [], admin: true }",
        "  - { token: plain-token-0123456789, subject: {subjectId: dev, subjectType: user}, scopes: [] }"
      ].join("\n"))
      const admins = yield* Effect.forEach(["admin-token-0123456789", "plain-token-0123456789"], (token) => authenticate(tokens, token))
      assert.deepStrictEqual(admins.map((grant) => Either.map(grant, (g) => g.admin)), [Either.right(true), Either.right(false)])
      const passthrough = yield* Effect.flatMap(Tokens.Tokens, (t) => t.authenticate(Option.some(Redacted.make("x")))).pipe(Effect.provide(Tokens.layerPassthrough))
      assert.isFalse(passthrough.admin)
      assert.strictEqual(
        Either.match(Tokens.parse("tokens:\n  - { token: admin-token-0123456789, subject: {subjectId: ops, subjectType: user}, scopes: [], admin: yes }", "t"), {
          onLeft: (e) => e.message,
          onRight: () => "valid"
        }),
        "t is not a valid tokens file: tokens[0].admin: must be true or false (received \"yes\")"
      )
    }))

  it.effect("token_sha256 entries, patterns, JSON files", () =>
    Effect.gen(function*() {
      const digest = createHash("sha256").update("hashed-token-0123456789").digest("hex")
      const tokens = service(JSON.stringify({
        tokens: [{ token_sha256: digest, subject: { subjectId: "ci", subjectType: "serviceaccount" }, scopes: [{ ml_repo: "team-*-prod", access: "write" }] }]
      }))
      const grant = yield* authenticate(tokens, "hashed-token-0123456789")
      assert.deepStrictEqual(
        Either.map(grant, (g) => ["team-a-prod", "team-prod", "team-a-dev", "xteam-a-prod"].map(g.canWrite)),
        Either.right([true, false, false, false])
      )
    }))

  it.effect("every TrueFoundry subject type is accepted, external-identity, agent-identity and role included", () =>
    Effect.gen(function*() {
      const types = ["user", "team", "serviceaccount", "virtualaccount", "external-identity", "agent-identity", "role"]
      const tokens = service(JSON.stringify({
        tokens: types.map((subjectType, i) => ({ token: `subject-token-${i}-0123456789`, subject: { subjectId: `s-${i}`, subjectType }, scopes: [] }))
      }))
      const subjects = yield* Effect.forEach(types, (_, i) => authenticate(tokens, `subject-token-${i}-0123456789`))
      assert.deepStrictEqual(
        subjects.map((grant) => Either.map(grant, (g) => g.subject)),
        types.map((subjectType, i) => Either.right({ subjectId: `s-${i}`, subjectType }))
      )
    }))

  it("an unknown subjectType is an error naming the field, the allowed values and the received value", () => {
    const result = Tokens.parse("tokens:\n  - {token: abcdefghijklmnop, subject: {subjectId: a, subjectType: robot}, scopes: []}\n", "tokens.yaml")
    assert.deepStrictEqual(
      Either.mapLeft(result, (e) => e.message),
      Either.left(
        "tokens.yaml is not a valid tokens file: tokens[0].subject.subjectType: must be one of \"user\", \"team\", \"serviceaccount\", \"virtualaccount\", \"external-identity\", \"agent-identity\", \"role\" (received \"robot\")"
      )
    )
  })

  it("a misspelt token key is an unknown field whose value (the token) is not shown", () => {
    const result = Tokens.parse("tokens:\n  - {tokn: mreg-secret-3f9a2c71d5e8, subject: {subjectId: a, subjectType: user}, scopes: []}\n", "tokens.yaml")
    assert.deepStrictEqual(
      Either.mapLeft(result, (e) => e.message),
      Either.left("tokens.yaml is not a valid tokens file: tokens[0].tokn: is not a known field; did you mean \"token\"? (the value is not shown)")
    )
  })

  it("a token where an entry or the list of entries belongs is not shown", () => {
    const message = (text: string) => Either.match(Tokens.parse(text, "tokens.yaml"), { onLeft: (e) => e.message, onRight: () => "valid" })
    assert.strictEqual(
      message("tokens:\n  - mreg-secret-3f9a2c71d5e8\n"),
      "tokens.yaml is not a valid tokens file: tokens[0]: must be a JSON object (the value is not shown)"
    )
    assert.strictEqual(
      message("tokens: {token: mreg-secret-3f9a2c71d5e8}\n"),
      "tokens.yaml is not a valid tokens file: tokens: must be a JSON array (the value is not shown)"
    )
  })

  it("malformed files name every place, never the token", () => {
    const result = Tokens.parse(
      "tokens:\n  - token: tiny\n    subject: {subjectId: a}\n    scopes: [{ml_repo: 'a b', access: all}]\n    extra: 1\n",
      "tokens.yaml"
    )
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) {
      assert.strictEqual(
        result.left.message,
        "tokens.yaml is not a valid tokens file: tokens[0].extra: is not a known field (the value is not shown); tokens[0].token: must be a string of at least 16 printable ASCII characters; tokens[0].subject.subjectType: is required; tokens[0].scopes[0].ml_repo: must be an ML repo name or a pattern of letters, digits, \"-\" and \"*\"; tokens[0].scopes[0].access: must be one of \"read\", \"write\" (received \"all\")"
      )
      assert.isFalse(result.left.message.includes("tiny"))
    }
    const twice = Tokens.parse(
      "tokens:\n  - {token: abcdefghijklmnop, subject: {subjectId: a, subjectType: user}, scopes: []}\n  - {token: abcdefghijklmnop, subject: {subjectId: b, subjectType: user}, scopes: []}\n",
      "t"
    )
    assert.deepStrictEqual(Either.mapLeft(twice, (e) => e.message), Either.left("tokens[1] (subject \"b\"): this token is already given to an earlier entry"))
    assert.deepStrictEqual(
      Either.mapLeft(Tokens.parse("tokens: [", "t.yaml"), (e) => e.message),
      Either.left("t.yaml is not valid YAML or JSON (line 1, column 10)")
    )
  })
})
