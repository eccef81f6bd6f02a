import { assert, describe, it } from "@effect/vitest"
import { Spelling } from "@mreg/core"

describe("Spelling", () => {
  it("distance: edits and transpositions count 1 each, case is ignored", () => {
    assert.strictEqual(Spelling.distance("name", "name"), 0)
    assert.strictEqual(Spelling.distance("Name", "name"), 0)
    assert.strictEqual(Spelling.distance("nmae", "name"), 1)
    assert.strictEqual(Spelling.distance("tabel", "table"), 1)
    assert.strictEqual(Spelling.distance("--limt", "--limit"), 1)
    assert.strictEqual(Spelling.distance("kitten", "sitting"), 3)
    assert.strictEqual(Spelling.distance("", "abc"), 3)
  })

  it("didYouMean: the closest candidate within a third of the input's length (1 to 3 edits), or one the input starts", () => {
    assert.strictEqual(Spelling.didYouMean("--prot", ["--host", "--port", "--home"]), "--port")
    assert.strictEqual(Spelling.didYouMean("ad", ["add", "remove"]), "add")
    assert.strictEqual(Spelling.didYouMean("Text-Classification", ["text-generation", "text-classification"]), "text-classification")
    assert.strictEqual(Spelling.didYouMean("manifes", ["json", "yaml", "table", "manifest"]), "manifest")
    assert.strictEqual(Spelling.didYouMean("desc", ["name", "description"]), "description")
    // Too far: 2 edits in 4 characters; 2 characters are no prefix to go by.
    assert.strictEqual(Spelling.didYouMean("tgxx", ["tags"]), undefined)
    assert.strictEqual(Spelling.didYouMean("de", ["description"]), undefined)
    assert.strictEqual(Spelling.didYouMean("model:default/nlp/clf:1", ["add", "remove"]), undefined)
    // The nearest wins; on a tie, the first given.
    assert.strictEqual(Spelling.didYouMean("lis", ["list", "lst"]), "list")
    assert.strictEqual(Spelling.didYouMean("abc", ["abd", "abe"]), "abd")
  })

  it("didYouMean: a flag's leading dashes are not part of the word, and one letter is too little to go by", () => {
    // One letter against another (or nothing at all) is no typo: no suggestion.
    assert.strictEqual(Spelling.didYouMean("-x", ["-h", "--help", "-v", "--version"]), undefined)
    assert.strictEqual(Spelling.didYouMean("-q", ["-o", "--output", "--help"]), undefined)
    assert.strictEqual(Spelling.didYouMean("-", ["-h", "-v"]), undefined)
    assert.strictEqual(Spelling.didYouMean("--", ["-h", "-v"]), undefined)
    assert.strictEqual(Spelling.didYouMean("x", ["y", "json"]), undefined)
    // The same letter in another case, or with two dashes instead of one, is the flag meant.
    assert.strictEqual(Spelling.didYouMean("-V", ["-h", "-v"]), "-v")
    assert.strictEqual(Spelling.didYouMean("--o", ["--output", "-o"]), "-o")
    assert.strictEqual(Spelling.didYouMean("-help", ["-h", "--help"]), "--help")
    // Longer words as before.
    assert.strictEqual(Spelling.didYouMean("--hom", ["--home", "--host"]), "--home")
    assert.strictEqual(Spelling.didYouMean("--l", ["--limit", "--name"]), "--limit")
  })
})
