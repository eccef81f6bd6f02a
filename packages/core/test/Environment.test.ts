import { assert, describe, it } from "@effect/vitest"
import { Environment } from "@mreg/core"
import { Either, Schema } from "effect"
import { decodeOk, minimal, problems } from "./utils.js"

const withEnvironment = (environment: unknown) => minimal({ environment })
const at = (...path: Array<string | number>) => ["body", "manifest", "environment", ...path]
const RULE = `must match MAJOR.MINOR[.PATCH], such as "3.10" or "3.10.12"`

describe("Environment", () => {
  it("decodes python_version and pip_packages as given", () => {
    const environment = { python_version: "3.10", pip_packages: ["torch>=2.1"] }
    assert.deepStrictEqual(decodeOk(withEnvironment(environment)).environment, environment)
  })

  it("accepts an empty environment", () => {
    assert.deepStrictEqual(decodeOk(withEnvironment({})).environment, {})
  })

  it("rejects null", () => {
    assert.deepStrictEqual(problems(withEnvironment(null)), [
      { loc: at(), msg: "must be a JSON object (received null)", type: "type_error" }
    ])
  })

  describe("python_version (C11)", () => {
    for (const version of ["3.10", "3.10.12", "3.8", "3.12"]) {
      it(`accepts "${version}" as given`, () => {
        assert.strictEqual(decodeOk(withEnvironment({ python_version: version })).environment?.python_version, version)
      })
    }

    it("rejects the number 3.1: must be a string", () => {
      assert.deepStrictEqual(problems(withEnvironment({ python_version: 3.1 })), [
        {
          loc: at("python_version"),
          msg: `must be a string MAJOR.MINOR[.PATCH] such as "3.10"; a number loses its trailing zeros, quote it (received 3.1)`,
          type: "type_error"
        }
      ])
    })

    for (const version of ["py3.10", ">=3.10", "3", "3.10.12.1", "3.x", " 3.10", ""]) {
      it(`rejects ${JSON.stringify(version)} naming MAJOR.MINOR[.PATCH]`, () => {
        assert.deepStrictEqual(problems(withEnvironment({ python_version: version })), [
          { loc: at("python_version"), msg: `${RULE} (received ${JSON.stringify(version)})`, type: "value_error" }
        ])
      })
    }
  })

  describe("pip_packages", () => {
    const VALID = [
      "transformers==4.44.0",
      "torch==2.4.0+cu121",
      "accelerate>=0.33,<1",
      "diffusers[torch]==0.30.0",
      "vllm==0.5.4; platform_system == 'Linux'",
      "pkg @ https://example.com/pkg.whl",
      "numpy<2",
      "torch>=2.1",
      "foo==1.*",
      "foo!=1.5.*",
      "foo~=1.4",
      "foo===1.0-weird",
      "requests[security,socks]>=2.8.1,==2.8.*; python_version < '2.7'",
      "name@git+https://github.com/x/y.git",
      "Foo_Bar.baz",
      "foo ==1.0"
    ]

    it("keeps every valid PEP 508 form exactly as given", () => {
      assert.deepStrictEqual(decodeOk(withEnvironment({ pip_packages: VALID })).environment?.pip_packages, VALID)
    })

    for (const line of VALID) {
      it(`requirementProblem accepts ${JSON.stringify(line)}`, () => {
        assert.strictEqual(Environment.requirementProblem(line), undefined)
      })
    }

    it("keeps surrounding whitespace as given", () => {
      assert.deepStrictEqual(decodeOk(withEnvironment({ pip_packages: [" torch "] })).environment?.pip_packages, [" torch "])
    })

    const INVALID: ReadonlyArray<readonly [string, string]> = [
      [
        "--extra-index-url https://x",
        `must be a PEP 508 requirement; pip options such as --extra-index-url or -r are not requirements (received "--extra-index-url https://x")`
      ],
      [
        "-r req.txt",
        `must be a PEP 508 requirement; pip options such as --extra-index-url or -r are not requirements (received "-r req.txt")`
      ],
      [
        "-e .",
        `must be a PEP 508 requirement; pip options such as --extra-index-url or -r are not requirements (received "-e .")`
      ],
      ["foo==abc!", `has version "abc!" after "==", which is not a PEP 440 version (received "foo==abc!")`],
      ["foo==1.0.*.1", `has version "1.0.*.1" after "==", which is not a PEP 440 version (received "foo==1.0.*.1")`],
      [
        "foo bar",
        `must be a PEP 508 requirement such as "torch>=2.1" or "pkg @ https://…"; invalid at column 5 (received "foo bar")`
      ],
      ["", `must be a PEP 508 requirement such as "transformers==4.44.0", not empty (received "")`],
      ["   ", `must be a PEP 508 requirement such as "transformers==4.44.0", not empty (received "   ")`],
      [
        "foo; bogus == 'x'",
        `must be a PEP 508 requirement such as "torch>=2.1" or "pkg @ https://…"; invalid at column 6 (received "foo; bogus == 'x'")`
      ],
      ["foo==1.0 # pinned", `must be a PEP 508 requirement without a comment (received "foo==1.0 # pinned")`],
      [
        "https://example.com/pkg.whl",
        `must be a PEP 508 requirement such as "torch>=2.1" or "pkg @ https://…"; invalid at column 6 (received "https://example.com/pkg.whl")`
      ],
      [
        "foo>=",
        `must be a PEP 508 requirement such as "torch>=2.1" or "pkg @ https://…"; invalid at column 6 (received "foo>=")`
      ]
    ]

    for (const [line, message] of INVALID) {
      it(`rejects ${JSON.stringify(line)}`, () => {
        assert.strictEqual(Environment.requirementProblem(line), message)
      })
    }

    it("reports every bad entry at its index, in one decode", () => {
      const lines = ["transformers==4.44.0", ...INVALID.map(([line]) => line)]
      assert.deepStrictEqual(
        problems(withEnvironment({ pip_packages: lines })),
        INVALID.map(([, msg], i) => ({ loc: at("pip_packages", i + 1), msg, type: "value_error" }))
      )
    })

    it("rejects a string in place of the list, and a number in the list", () => {
      assert.deepStrictEqual(problems(withEnvironment({ pip_packages: "torch" })), [
        { loc: at("pip_packages"), msg: `must be a JSON array (received "torch")`, type: "type_error" }
      ])
      assert.deepStrictEqual(problems(withEnvironment({ pip_packages: [1] })), [
        { loc: at("pip_packages", 0), msg: "must be a string (received 1)", type: "type_error" }
      ])
    })
  })

  it("answers a misspelt field with a did-you-mean", () => {
    assert.deepStrictEqual(problems(withEnvironment({ pip_package: ["torch"] })), [
      { loc: at("pip_package"), msg: `is not a known field; did you mean "pip_packages"? (received ["torch"])`, type: "extra_forbidden" }
    ])
  })

  it("PipRequirement and PythonVersion decode on their own", () => {
    assert.deepStrictEqual(Schema.decodeUnknownEither(Environment.PipRequirement)("numpy<2"), Either.right("numpy<2"))
    assert.deepStrictEqual(Schema.decodeUnknownEither(Environment.PythonVersion)("3.11.9"), Either.right("3.11.9"))
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(Environment.PythonVersion)(3.11)))
  })
})
