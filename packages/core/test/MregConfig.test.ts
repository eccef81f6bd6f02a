import { assert, describe, it } from "@effect/vitest"
import { Fqn, MregConfig } from "@mreg/core"
import * as Http from "@mreg/core/ModelVersions/Http"
import { type Config, ConfigProvider, Effect, Either, FastCheck, Option, Redacted } from "effect"

/** Reads `config` from exactly these variables. */
const read = <A>(config: Config.Config<A>, env: Record<string, string>): Either.Either<A, string> =>
  Effect.runSync(
    Effect.either(Effect.withConfigProvider(config, ConfigProvider.fromMap(new Map(Object.entries(env))))).pipe(
      Effect.map(Either.mapLeft(MregConfig.message))
    )
  )

const ok = <A>(config: Config.Config<A>, env: Record<string, string>): A =>
  Either.getOrThrowWith(read(config, env), (message) => new Error(`expected a value, got: ${message}`))

const refused = <A>(config: Config.Config<A>, env: Record<string, string>): string => {
  const result = read(config, env)
  if (Either.isRight(result)) throw new Error(`expected an error, got ${String(result.right)}`)
  return result.left
}

const URL_RULE = "TFY_HOST must be an http(s) URL such as https://acme.truefoundry.cloud"

describe("MregConfig", () => {
  describe("TFY_HOST", () => {
    it("is unset when absent, empty or spaces", () => {
      assert.deepStrictEqual(ok(MregConfig.tfyHost, {}), Option.none())
      assert.deepStrictEqual(ok(MregConfig.tfyHost, { TFY_HOST: "" }), Option.none())
      assert.deepStrictEqual(ok(MregConfig.tfyHost, { TFY_HOST: "  " }), Option.none())
    })

    it("removes trailing slashes and keeps the path", () => {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["https://acme.truefoundry.cloud", "https://acme.truefoundry.cloud"],
        ["https://acme.truefoundry.cloud/", "https://acme.truefoundry.cloud"],
        ["http://127.0.0.1:8080//", "http://127.0.0.1:8080"],
        ["https://acme.example.com/tfy/api/", "https://acme.example.com/tfy/api"],
        [" https://Acme.Example.com/Path ", "https://acme.example.com/Path"],
        ["HTTPS://[::1]:9000/x", "https://[::1]:9000/x"]
      ]
      for (const [input, expected] of cases) assert.deepStrictEqual(ok(MregConfig.tfyHost, { TFY_HOST: input }), Option.some(expected), input)
    })

    it("refuses what is not an http(s) base URL, naming the received value", () => {
      assert.strictEqual(refused(MregConfig.tfyHost, { TFY_HOST: "ftp://nope" }), `${URL_RULE} (received "ftp://nope")`)
      assert.strictEqual(refused(MregConfig.tfyHost, { TFY_HOST: "acme.example.com" }), `${URL_RULE} (received "acme.example.com")`)
      assert.strictEqual(refused(MregConfig.tfyHost, { TFY_HOST: "https://" }), `${URL_RULE} (received "https://")`)
      assert.strictEqual(refused(MregConfig.tfyHost, { TFY_HOST: "https://a b" }), `${URL_RULE} (received "https://a b")`)
      assert.strictEqual(
        refused(MregConfig.tfyHost, { TFY_HOST: "https://acme.example.com/api?token=s3cret#x" }),
        "TFY_HOST must be a base URL without a query or fragment (received \"https://acme.example.com/api?…\")"
      )
    })

    it("refuses credentials in the URL without ever showing them", () => {
      const message = "TFY_HOST must not contain a user name or password: give the token as the API key (the value is not shown)"
      assert.strictEqual(refused(MregConfig.tfyHost, { TFY_HOST: "https://ada:s3cret@acme.example.com/" }), message)
      assert.strictEqual(refused(MregConfig.tfyHost, { TFY_HOST: "https://s3cret@acme.example.com" }), message)
      assert.strictEqual(refused(MregConfig.tfyHost, { TFY_HOST: "ftp://ada:s3cret@host" }), `${URL_RULE} (received "ftp://***@host")`)
      assert.strictEqual(refused(MregConfig.tfyHost, { TFY_HOST: "ada:s3cret@host" }), `${URL_RULE} (received "***@host")`)
      FastCheck.assert(
        FastCheck.property(FastCheck.stringMatching(/^[a-z0-9]{6,12}$/), (secret) => {
          for (const url of [`https://u:${secret}@h.example`, `http://${secret}:x@h`, `x://u:${secret}@h/p`, `u:${secret}@host`, `http:/u:${secret}@h`, `https://u:${secret}@a@b/`]) {
            const result = read(MregConfig.tfyHost, { TFY_HOST: url })
            if (Either.isRight(result) || result.left.includes(secret)) return false
          }
          return true
        })
      )
    })

    it("baseUrl names the flag or option it checks", () => {
      assert.deepStrictEqual(MregConfig.baseUrl("https://x.example/", "--host"), Either.right("https://x.example"))
      assert.deepStrictEqual(
        Either.mapLeft(MregConfig.baseUrl("x.example", "--host"), (error) => error.message),
        Either.left("--host must be an http(s) URL such as https://acme.truefoundry.cloud (received \"x.example\")")
      )
    })
  })

  describe("TFY_API_KEY", () => {
    it("is Redacted, unset when empty", () => {
      const key = ok(MregConfig.tfyApiKey, { TFY_API_KEY: "s3cret-token" })
      assert.isTrue(Option.isSome(key) && Redacted.value(key.value) === "s3cret-token")
      assert.notInclude(String(key), "s3cret-token")
      assert.deepStrictEqual(ok(MregConfig.tfyApiKey, { TFY_API_KEY: "" }), Option.none())
    })
  })

  describe("MREG_HOME", () => {
    it("is None when unset; mregHomeOr gives the caller's default", () => {
      assert.deepStrictEqual(ok(MregConfig.mregHome, {}), Option.none())
      assert.deepStrictEqual(ok(MregConfig.mregHome, { MREG_HOME: "/srv/mreg" }), Option.some("/srv/mreg"))
      assert.strictEqual(ok(MregConfig.mregHomeOr("/home/ada/.mreg"), {}), "/home/ada/.mreg")
      assert.strictEqual(ok(MregConfig.mregHomeOr("/home/ada/.mreg"), { MREG_HOME: "" }), "/home/ada/.mreg")
      assert.strictEqual(ok(MregConfig.mregHomeOr("/home/ada/.mreg"), { MREG_HOME: "./here" }), "./here")
    })
  })

  describe("MREG_TENANT", () => {
    const RULE = "MREG_TENANT must be 1–512 letters, digits and \"-\", starting and ending with a letter or digit (an FQN segment, like an ML repo name)"

    it("defaults to \"default\"", () => {
      assert.strictEqual(ok(MregConfig.mregTenant, {}), "default")
      assert.strictEqual(ok(MregConfig.mregTenant, { MREG_TENANT: "" }), "default")
      assert.strictEqual(ok(MregConfig.mregTenant, { MREG_TENANT: "Acme-2" }), "Acme-2")
    })

    it("refuses what is not an FQN segment, naming the variable, the rule and the value", () => {
      for (const bad of ["a/b", "a:b", "-acme", "acme-", "ac me", "acme_corp", "é", "x".repeat(513)]) {
        const shown = bad.length > 80 ? `${JSON.stringify(bad.slice(0, 80))}… (513 characters)` : JSON.stringify(bad)
        assert.strictEqual(refused(MregConfig.mregTenant, { MREG_TENANT: bad }), `${RULE} (received ${shown})`, bad)
      }
    })

    it("every accepted tenant formats an FQN that parses back to it", () => {
      FastCheck.assert(
        FastCheck.property(FastCheck.string({ minLength: 1, maxLength: 20 }), (tenant) => {
          const accepted = MregConfig.tenantName(tenant, "MREG_TENANT")
          if (Either.isLeft(accepted)) return true
          const parsed = Fqn.parse(Fqn.format({ tenant, mlRepo: "r", name: "n", version: 1 }))
          return Either.isRight(parsed) && parsed.right.tenant === tenant
        }),
        { numRuns: 2000 }
      )
    })
  })

  describe("DATABASE_URL", () => {
    it("accepts postgres:// and postgresql://, Redacted", () => {
      for (const url of ["postgres://u:p@127.0.0.1:5432/db", "postgresql://db.internal/mreg"]) {
        const value = ok(MregConfig.databaseUrl, { DATABASE_URL: url })
        assert.isTrue(Option.isSome(value) && Redacted.value(value.value) === url)
      }
      assert.deepStrictEqual(ok(MregConfig.databaseUrl, { DATABASE_URL: "" }), Option.none())
    })

    it("refuses other URLs without showing the value", () => {
      for (const url of ["mysql://root:hunter2@db/x", "hunter2", "postgres:/hunter2"]) {
        const message = refused(MregConfig.databaseUrl, { DATABASE_URL: url })
        assert.strictEqual(message, "DATABASE_URL must be a postgres:// or postgresql:// URL (the value is secret and not shown)")
        assert.notInclude(message, "hunter2")
      }
    })
  })

  describe("HOST and PORT", () => {
    it("default to 127.0.0.1 and 8080", () => {
      assert.strictEqual(ok(MregConfig.host, {}), "127.0.0.1")
      assert.strictEqual(ok(MregConfig.port, {}), 8080)
      assert.strictEqual(ok(MregConfig.host, { HOST: " 0.0.0.0 " }), "0.0.0.0")
      assert.strictEqual(ok(MregConfig.port, { PORT: "0" }), 0)
      assert.strictEqual(ok(MregConfig.port, { PORT: "65535" }), 65535)
    })

    it("refuses a port out of range or not an integer", () => {
      for (const [input, shown] of [["65536", "\"65536\""], ["-1", "\"-1\""], ["80.5", "\"80.5\""], ["http", "\"http\""], ["1e3", "\"1e3\""]]) {
        assert.strictEqual(refused(MregConfig.port, { PORT: input }), `PORT must be an integer from 0 to 65535 (received ${shown})`)
      }
    })
  })

  describe("integerSetting", () => {
    const setting = (input: string | number, range: MregConfig.IntegerRange) =>
      Either.match(MregConfig.integerSetting(input, "--n", range), { onLeft: (error) => error.message, onRight: (n) => n })

    it("reads decimal digits with an optional leading -, surrounding spaces ignored, within the range", () => {
      assert.strictEqual(setting("5", { min: 0 }), 5)
      assert.strictEqual(setting(" 5\t", { min: 0 }), 5)
      assert.strictEqual(setting("007", { min: 0, max: 10 }), 7)
      assert.strictEqual(setting("-3", { min: -5 }), -3)
      assert.strictEqual(setting("0", { min: 0, max: 0 }), 0)
      assert.strictEqual(setting(3600, { min: 1, max: 3600 }), 3600)
    })

    it("refuses a sign, -0, an exponent, hex, a fraction, nothing and unsafe integers with one message", () => {
      for (const input of ["+5", "-0", "1e3", "0x10", "1.5", "1.0", "", "  ", "5 5", "Infinity", "9007199254740993"]) {
        assert.strictEqual(setting(input, { min: 0 }), `--n must be an integer, 0 or more (received ${JSON.stringify(input)})`)
      }
      assert.strictEqual(setting("11", { min: 0, max: 10 }), "--n must be an integer from 0 to 10 (received \"11\")")
      assert.strictEqual(setting("0", { min: 1, rule: "a positive integer" }), "--n must be a positive integer (received \"0\")")
    })

    it("shows a number received as it is, not quoted", () => {
      assert.strictEqual(setting(1.5, { min: 1, max: 3600 }), "--n must be an integer from 1 to 3600 (received 1.5)")
      assert.strictEqual(setting(0, { min: 1, rule: "a positive integer" }), "--n must be a positive integer (received 0)")
      assert.strictEqual(setting(2 ** 53, { min: 0 }), "--n must be an integer, 0 or more (received 9007199254740992)")
    })

    it("is PORT's rule: +80 and -0 are refused, surrounding spaces are not", () => {
      assert.strictEqual(ok(MregConfig.port, { PORT: " 8081 " }), 8081)
      for (const input of ["+80", "-0", "0x50"]) {
        assert.strictEqual(refused(MregConfig.port, { PORT: input }), `PORT must be an integer from 0 to 65535 (received ${JSON.stringify(input)})`)
      }
    })
  })

  describe("all", () => {
    it("resolves every variable with its default", () => {
      assert.deepStrictEqual(ok(MregConfig.all({ defaultHome: "/h/.mreg" }), {}), {
        tfyHost: Option.none(),
        tfyApiKey: Option.none(),
        mregHome: "/h/.mreg",
        mregTenant: "default",
        databaseUrl: Option.none(),
        host: "127.0.0.1",
        port: 8080
      })
    })

    it("reports a bad variable, and never a secret", () => {
      const message = refused(MregConfig.all({ defaultHome: "/h" }), {
        TFY_HOST: "https://u:topsecret@x",
        TFY_API_KEY: "topsecret",
        DATABASE_URL: "topsecret"
      })
      assert.notInclude(message, "topsecret")
      assert.include(message, "TFY_HOST must not contain a user name or password")
    })
  })

  it("Http.config reads TFY_HOST and TFY_API_KEY through the same rules", () => {
    assert.deepStrictEqual(ok(Http.config, { TFY_HOST: "https://acme.example.com/tfy/" }), { baseUrl: "https://acme.example.com/tfy", apiKey: undefined })
    assert.strictEqual(Redacted.value(ok(Http.config, { TFY_HOST: "http://h", TFY_API_KEY: "k" }).apiKey!), "k")
    assert.strictEqual(refused(Http.config, { TFY_HOST: "ftp://nope" }), `${URL_RULE} (received "ftp://nope")`)
    assert.strictEqual(refused(Http.config, {}), "TFY_HOST is required")
  })
})
