import { assert, describe, it } from "@effect/vitest"
import { RegistryError } from "@mreg/core"
import * as ExitCode from "../src/ExitCode.js"
import * as Failure from "../src/Failure.js"
import * as Output from "../src/Output.js"

const invalid = new RegistryError.ValidationError({
  detail: [
    new RegistryError.ValidationIssue({ loc: ["body", "manifest", "version_alias"], msg: "must match … (received \"1.0\")", type: "value_error" }),
    new RegistryError.ValidationIssue({ loc: ["body", "manifest", "environment", "pip_packages", 1], msg: "bad", type: "value_error" })
  ]
})

describe("Failure", () => {
  it("renders invalid input as a header and one line per problem", () => {
    assert.strictEqual(
      Failure.render(new Failure.InvalidInput({ what: "manifest m.yaml", error: invalid })),
      "error: invalid manifest m.yaml (2 problems)\n" +
        "  manifest.version_alias: must match … (received \"1.0\")\n" +
        "  manifest.environment.pip_packages[1]: bad"
    )
  })

  it("renders registry errors with their code", () => {
    const conflict = new RegistryError.Conflict({ reason: "ALIAS_IN_USE", message: "alias \"v1\" is held by version 1" })
    assert.strictEqual(Failure.render(conflict), "error: alias \"v1\" is held by version 1 [ALIAS_IN_USE]")
    assert.strictEqual(
      Failure.render(new RegistryError.PreconditionFailed({ message: "changed", etag: "\"a.2\"" })),
      "error: changed [PRECONDITION_FAILED]\n  current etag: \"a.2\""
    )
    assert.strictEqual(Failure.render(new RegistryError.StoreError({ message: "the registry store failed" })), "error: the registry store failed [INTERNAL_ERROR]")
  })

  it("renders a rejected dry run with one line per problem, and colours only with the colour palette", () => {
    const rejected = new Failure.Rejected({
      problems: [
        { path: "manifest.step", code: "IMMUTABLE_FIELD", message: "cannot change once the version exists (0 → 5)" },
        { path: "--if-match", code: "PRECONDITION_FAILED", message: "version 1 has changed" }
      ]
    })
    assert.strictEqual(
      Failure.render(rejected),
      "error: the upsert would be rejected (2 problems)\n" +
        "  manifest.step: cannot change once the version exists (0 → 5) [IMMUTABLE_FIELD]\n" +
        "  --if-match: version 1 has changed [PRECONDITION_FAILED]"
    )
    assert.strictEqual(
      Failure.render(new Failure.InvalidInput({ what: "manifest m.yaml", error: invalid }), Output.colored).split("\n")[0],
      "\x1b[1m\x1b[31merror:\x1b[0m\x1b[0m invalid manifest m.yaml (2 problems)"
    )
    assert.strictEqual(Failure.render(new Failure.UsageError({ message: "x" }), Output.plain), "error: x")
  })

  it("maps every failure to its exit code", () => {
    const cases: ReadonlyArray<readonly [Failure.Failure, ExitCode.ExitCode]> = [
      [new Failure.UsageError({ message: "x" }), 2],
      [new Failure.FileError({ file: "f", message: "x" }), 2],
      [new Failure.InvalidInput({ what: "tags", error: invalid }), 2],
      [invalid, 2],
      [new RegistryError.InvalidJson({ message: "x", line: 1, column: 1 }), 2],
      [new RegistryError.PayloadTooLarge({ message: "x", limit: 1 }), 2],
      [new RegistryError.Conflict({ reason: "IMMUTABLE_FIELD", message: "x" }), 3],
      [new RegistryError.PreconditionFailed({ message: "x" }), 3],
      [new RegistryError.NotFound({ message: "x" }), 4],
      [new RegistryError.Unauthorized({ message: "x" }), 1],
      [new RegistryError.Forbidden({ message: "x" }), 1],
      [new RegistryError.UpstreamError({ status: 502, message: "x" }), 1],
      [new RegistryError.StoreError({ message: "x" }), 1],
      [new RegistryError.StoreUnavailable({ message: "x" }), 1],
      [new RegistryError.UpstreamError({ status: 504, message: "x" }), 1],
      [new Failure.Rejected({ problems: [{ path: "manifest.version", code: "VERSION_NOT_NEXT", message: "x" }] }), 2],
      [new Failure.Rejected({ problems: [{ path: "manifest.version", code: "VERSION_DELETED", message: "x" }] }), 3],
      [
        new Failure.Rejected({
          problems: [
            { path: "manifest.version", code: "VERSION_NOT_NEXT", message: "x" },
            { path: "manifest.version_alias", code: "ALIAS_IN_USE", message: "y" }
          ]
        }),
        3
      ]
    ]
    for (const [failure, code] of cases) assert.strictEqual(Failure.exitCode(failure), code, failure._tag)
  })
})
