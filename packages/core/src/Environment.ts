/**
 * The Python environment of a model version: `python_version` and `pip_packages`.
 *
 * Rules (DESIGN.md, Environment):
 * - `python_version` is a string `MAJOR.MINOR[.PATCH]` (`3.10`, `3.10.12`). A number is refused: `3.10` as a
 *   JSON or YAML number is `3.1`.
 * - each `pip_packages` entry is one PEP 508 requirement (grammar parsed by `pip-requirements-js`, every version
 *   checked as PEP 440 by `@renovatebot/pep440`). Extras, environment markers, `+local` labels and `name @ url`
 *   forms are valid and stored exactly as given. pip options (`--extra-index-url …`, `-r file`) and comments are
 *   not requirements.
 *
 * @since 0.1.0
 */
import { valid as validPep440 } from "@renovatebot/pep440"
import { Schema } from "effect"
import { parsePipRequirementsLine, type Requirement } from "pip-requirements-js"
import { received } from "./internal/text.js"

const PYTHON_VERSION = /^\d+\.\d+(\.\d+)?$/

/**
 * `MAJOR.MINOR[.PATCH]`, as a string.
 * @since 0.1.0
 * @category schemas
 */
export const PythonVersion = Schema.String.annotations({
  message: (issue) =>
    `must be a string MAJOR.MINOR[.PATCH] such as "3.10"; a number loses its trailing zeros, quote it (received ${received(issue.actual)})`
}).pipe(
  Schema.pattern(PYTHON_VERSION, {
    message: (issue) => `must match MAJOR.MINOR[.PATCH], such as "3.10" or "3.10.12" (received ${received(issue.actual)})`
  }),
  Schema.annotations({
    identifier: "PythonVersion",
    title: "Python version",
    description: "MAJOR.MINOR[.PATCH] as a string (quote it in YAML: the number 3.10 is 3.1).",
    examples: ["3.11", "3.10.12"],
    arbitrary: () => (fc) => fc.constantFrom("3.8", "3.10", "3.10.12", "3.11.9", "3.12")
  })
)

/**
 * Why `line` is not a single PEP 508 requirement, or `undefined` when it is one.
 * @since 0.1.0
 * @category validation
 */
export const requirementProblem = (line: string): string | undefined => {
  const cached = problems.get(line)
  if (cached !== undefined) return cached === OK ? undefined : cached
  const problem = isSimpleRequirement(line) ? undefined : parseProblem(line)
  if (problems.size >= 4096) problems.clear()
  problems.set(line, problem ?? OK)
  return problem
}

const OK = ""
/** Answers by requirement text (bounded): CI manifests repeat the same pins on every upsert. */
const problems = new Map<string, string>()

const NAME = "[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
const OPERATOR = "(?:~=|==|!=|<=|>=|<|>)"
const SPEC = `${OPERATOR}\\s*[A-Za-z0-9.*+!_-]+`
const SIMPLE = new RegExp(
  `^\\s*${NAME}(?:\\s*\\[\\s*${NAME}(?:\\s*,\\s*${NAME})*\\s*\\])?\\s*(?:${SPEC}(?:\\s*,\\s*${SPEC})*)?\\s*$`
)
const VERSIONS = new RegExp(`(${OPERATOR})\\s*([A-Za-z0-9.*+!_-]+)`, "g")

/** Whether `line` is `name[extras] op version, op version` with PEP 440 versions: the common form, checked without the grammar. */
const isSimpleRequirement = (line: string): boolean => {
  if (!SIMPLE.test(line)) return false
  for (const match of line.matchAll(VERSIONS)) {
    const operator = match[1]!
    const version = match[2]!
    const wildcard = version.endsWith(".*")
    if (wildcard && operator !== "==" && operator !== "!=") return false
    if (validPep440(wildcard ? version.slice(0, -2) : version) === null) return false
  }
  return true
}

const parseProblem = (line: string): string | undefined => {
  const got = `(received ${received(line)})`
  const trimmed = line.trim()
  if (trimmed.length === 0) return `must be a PEP 508 requirement such as "transformers==4.44.0", not empty ${got}`
  if (trimmed.startsWith("-")) {
    return `must be a PEP 508 requirement; pip options such as --extra-index-url or -r are not requirements ${got}`
  }
  if (/(^|\s)#/.test(trimmed)) return `must be a PEP 508 requirement without a comment ${got}`
  // pip-requirements-js does not know PEP 440's arbitrary equality `===`: parse it as `== ` (same columns) and
  // skip the PEP 440 check for the versions that followed a `===`.
  const arbitrary = new Set(Array.from(trimmed.matchAll(/===\s*([^\s,;]+)/g), (match) => match[1]!))
  let parsed: Requirement | null
  try {
    parsed = parsePipRequirementsLine(trimmed.replaceAll("===", "== "))
  } catch (error) {
    const where = error instanceof Error ? /col (\d+)/.exec(error.message)?.[1] : undefined
    return `must be a PEP 508 requirement such as "torch>=2.1" or "pkg @ https://…"${where ? `; invalid at column ${where}` : ""} ${got}`
  }
  if (parsed === null) return `must be a PEP 508 requirement such as "transformers==4.44.0" ${got}`
  if (parsed.type !== "ProjectName" && parsed.type !== "ProjectURL") {
    return `must be a PEP 508 requirement; pip options such as -r or -c are not requirements ${got}`
  }
  if (parsed.type === "ProjectName") {
    for (const spec of parsed.versionSpec ?? []) {
      const version = spec.version.trim()
      const ok = spec.operator === "===" || arbitrary.has(version) ||
        (version.endsWith(".*") && (spec.operator === "==" || spec.operator === "!=")
          ? validPep440(version.slice(0, -2)) !== null
          : validPep440(version) !== null)
      if (!ok) return `has version ${JSON.stringify(version)} after "${spec.operator}", which is not a PEP 440 version ${got}`
    }
  }
  return undefined
}

/**
 * One PEP 508 requirement, stored exactly as given.
 * @since 0.1.0
 * @category schemas
 */
export const PipRequirement = Schema.String.pipe(
  Schema.filter(requirementProblem, {
    identifier: "PipRequirement",
    title: "pip requirement",
    description: "One PEP 508 requirement with PEP 440 versions, such as \"transformers==4.44.0\"; not a pip option or a comment.",
    examples: ["transformers==4.44.0"],
    // The PEP 508 grammar is checked by the decoder; JSON Schema carries only the type.
    jsonSchema: { minLength: 1 },
    arbitrary: () => (fc) =>
      fc.constantFrom(
        "transformers==4.44.0",
        "torch==2.4.0+cu121",
        "accelerate>=0.33,<1",
        "diffusers[torch]==0.30.0",
        "vllm==0.5.4; platform_system == 'Linux'",
        "pkg @ https://example.com/pkg-1.0.whl"
      )
  })
)

/**
 * `environment` of a manifest: `{ python_version?, pip_packages? }`.
 * @since 0.1.0
 * @category schemas
 */
export const Environment = Schema.Struct({
  python_version: Schema.optional(PythonVersion),
  pip_packages: Schema.optional(Schema.Array(PipRequirement))
}).annotations({
  identifier: "Environment",
  title: "Environment",
  description: "The Python environment of the model version.",
  examples: [{ python_version: "3.11", pip_packages: ["transformers==4.44.0", "torch>=2.1"] }]
})

/** @since 0.1.0 @category models */
export type Environment = typeof Environment.Type
