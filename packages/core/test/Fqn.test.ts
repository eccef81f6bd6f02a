import { assert, describe, it } from "@effect/vitest"
import { Fqn, ModelManifest } from "@mreg/core"
import { Either, FastCheck, Schema } from "effect"

const parseOk = (input: string): Fqn.Fqn =>
  Either.getOrThrowWith(Fqn.parse(input), (error) => new Error(`expected ${input} to parse: ${error.message}`))

const parseError = (input: string): Fqn.FqnError => {
  const result = Fqn.parse(input)
  if (Either.isRight(result)) throw new Error(`expected ${input} not to parse`)
  return result.left
}

const SHAPE = "must be model:{tenant}/{ml_repo}/{name}, optionally followed by :{version, alias or latest}"

describe("Fqn", () => {
  describe("format", () => {
    it("formats a version number", () => {
      assert.strictEqual(
        Fqn.format({ tenant: "default", mlRepo: "nlp-team", name: "sentiment-clf", version: 3 }),
        "model:default/nlp-team/sentiment-clf:3"
      )
    })

    it("formats an alias", () => {
      assert.strictEqual(
        Fqn.format({ tenant: "acme", mlRepo: "vision", name: "resnet50-onnx", version: "v1-prod" }),
        "model:acme/vision/resnet50-onnx:v1-prod"
      )
    })
  })

  describe("parse", () => {
    it.each([
      {
        title: "model:default/nlp-team/sentiment-clf:3 is version 3",
        input: "model:default/nlp-team/sentiment-clf:3",
        expected: { tenant: "default", mlRepo: "nlp-team", name: "sentiment-clf", version: 3 }
      },
      {
        title: "model:default/nlp-team/sentiment-clf:v3 is alias v3",
        input: "model:default/nlp-team/sentiment-clf:v3",
        expected: { tenant: "default", mlRepo: "nlp-team", name: "sentiment-clf", alias: "v3" }
      },
      {
        title: "keeps the case of every part",
        input: "model:Acme/NLP-Team/Sentiment_CLF:12",
        expected: { tenant: "Acme", mlRepo: "NLP-Team", name: "Sentiment_CLF", version: 12 }
      }
    ])("$title", ({ input, expected }) => {
      assert.deepStrictEqual(parseOk(input), expected)
    })

    for (const alias of ["v1.0.0", "v1-prod", "v3-dev", "vLatest"]) {
      it(`reads ${alias} as an alias`, () => {
        const fqn = parseOk(`model:default/nlp-team/sentiment-clf:${alias}`)
        assert.strictEqual(fqn.alias, alias)
        assert.strictEqual(fqn.version, undefined)
      })
    }

    for (const input of [
      "default/nlp-team/sentiment-clf:3",
      "model:nlp-team/sentiment-clf:3",
      "model:default/nlp-team/sentiment-clf/x:3",
      "model:default/nlp-team/sentiment-clf:",
      "model:default/nlp-team/sentiment-clf:3:4",
      "model:default/nlp team/sentiment-clf:3",
      "model:/nlp-team/sentiment-clf:3",
      "",
      " model:default/nlp-team/sentiment-clf:3"
    ]) {
      it(`rejects ${JSON.stringify(input)} naming the shape`, () => {
        const error = parseError(input)
        assert.strictEqual(error._tag, "FqnError")
        assert.strictEqual(error.input, input)
        assert.strictEqual(error.message, `${SHAPE} (received ${JSON.stringify(input)})`)
      })
    }

    it("rejects version 0", () => {
      assert.strictEqual(
        parseError("model:default/nlp-team/sentiment-clf:0").message,
        "has version 0; versions are integers from 1 to 2147483647"
      )
    })

    it("rejects a version beyond what the store holds (2^31 − 1)", () => {
      assert.deepStrictEqual(
        [
          parseError("model:default/nlp-team/sentiment-clf:2147483648").message,
          parseOk("model:default/nlp-team/sentiment-clf:2147483647").version
        ],
        ["has version 2147483648; versions are integers from 1 to 2147483647", 2147483647]
      )
    })

    for (const tail of ["V3", "3a", "1.0", "Latest", "LATEST", "v", "v1..0", "-1"]) {
      it(`rejects ${tail} after the colon`, () => {
        assert.strictEqual(
          parseError(`model:default/nlp-team/sentiment-clf:${tail}`).message,
          `has ${JSON.stringify(tail)} after the colon: give a version number, an alias starting with "v", or latest`
        )
      })
    }
  })

  describe("model FQNs and latest", () => {
    it("model:{tenant}/{ml_repo}/{name} is a model FQN; :latest names the highest live version", () => {
      const model = parseOk("model:default/nlp-team/sentiment-clf")
      assert.deepStrictEqual(model, { tenant: "default", mlRepo: "nlp-team", name: "sentiment-clf" })
      assert.isTrue(Fqn.isModel(model))
      const latest = parseOk("model:default/nlp-team/sentiment-clf:latest")
      assert.deepStrictEqual(latest, { tenant: "default", mlRepo: "nlp-team", name: "sentiment-clf", latest: true })
      assert.isFalse(Fqn.isModel(latest))
      assert.isFalse(Fqn.isModel(parseOk("model:default/nlp-team/sentiment-clf:v1")))
      assert.strictEqual(Fqn.formatModel(model), "model:default/nlp-team/sentiment-clf")
      assert.strictEqual(Fqn.format({ ...model, version: Fqn.LATEST }), "model:default/nlp-team/sentiment-clf:latest")
    })

    it("parseModelVersion takes version, alias and latest FQNs and rejects a model FQN saying what to add", () => {
      assert.deepStrictEqual(
        ["model:a/b/c:3", "model:a/b/c:v3", "model:a/b/c:latest"].map((input) => Either.isRight(Fqn.parseModelVersion(input))),
        [true, true, true]
      )
      assert.deepStrictEqual(
        Either.mapLeft(Fqn.parseModelVersion("model:a/b/c"), (error) => error.message),
        Either.left("names a model, not a model version: add :{version}, :{alias} or :latest (received \"model:a/b/c\")")
      )
    })
  })

  describe("C4: digits are a version, v-prefixed is an alias", () => {
    it("sentiment-clf:3 means version 3 even when version 5 holds alias v3", () => {
      assert.strictEqual(parseOk("model:default/nlp-team/sentiment-clf:3").version, 3)
      assert.strictEqual(parseOk("model:default/nlp-team/sentiment-clf:v3").alias, "v3")
      // and v3 is a valid alias for a manifest
      assert.strictEqual(Schema.decodeUnknownSync(ModelManifest.VersionAlias)("v3"), "v3")
    })

    it("no version number is ever a valid alias, and every valid alias parses as an alias", () => {
      FastCheck.assert(
        FastCheck.property(FastCheck.integer({ min: 1, max: ModelManifest.MAX_INTEGER }), (version) => {
          assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(ModelManifest.VersionAlias)(String(version))))
          assert.strictEqual(parseOk(Fqn.format({ tenant: "t", mlRepo: "r", name: "n", version })).version, version)
        })
      )
      FastCheck.assert(
        FastCheck.property(FastCheck.stringMatching(ModelManifest.VERSION_ALIAS_PATTERN), (alias) => {
          assert.deepStrictEqual(parseOk(Fqn.format({ tenant: "t", mlRepo: "r", name: "n", version: alias })), {
            tenant: "t",
            mlRepo: "r",
            name: "n",
            alias
          })
        })
      )
    })
  })

  describe("isFqnLike", () => {
    it("tells an FQN from a model version id", () => {
      assert.isTrue(Fqn.isFqnLike("model:default/nlp-team/sentiment-clf:3"))
      assert.isFalse(Fqn.isFqnLike("0b7c6a0e-3c1f-4e59-9d3a-7f0f7b1d9a11"))
      assert.isFalse(Fqn.isFqnLike("Model:default/nlp-team/sentiment-clf:3"))
    })
  })
})
