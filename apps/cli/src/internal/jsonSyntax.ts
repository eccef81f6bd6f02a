/**
 * Finds where and why a JSON text is malformed. `JSON.parse` on Node 20 gives a position for some errors only
 * (`Unexpected token 'N', "…" is not valid JSON` has none), so the text is scanned again by this small strict
 * RFC 8259 scanner once `JSON.parse` has failed.
 */

/** A JSON syntax problem: `offset` is 0-based, `line` and `column` 1-based. */
export interface JsonSyntaxError {
  readonly message: string
  readonly offset: number
  readonly line: number
  readonly column: number
}

class Stop {
  constructor(readonly offset: number, readonly message: string) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const NON_JSON_NUMBERS = ["NaN", "Infinity", "-Infinity", "+Infinity"]

/** 1-based line and column of a 0-based offset. */
export const position = (text: string, offset: number): { readonly line: number; readonly column: number } => {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

/** The first syntax error of `text`, or `undefined` when it is valid JSON. */
export const findError = (text: string): JsonSyntaxError | undefined => {
  let i = 0
  const stop = (message: string): never => {
    throw new Stop(i, message)
  }
  const here = () => (i >= text.length ? "unexpected end of input" : `unexpected ${JSON.stringify(text[i])}`)
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++
  }
  const string = () => {
    i++
    for (;;) {
      if (i >= text.length) return stop("unterminated string")
      const c = text[i]!
      if (c === "\"") {
        i++
        return
      }
      if (c === "\\") {
        const e = text[i + 1]
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return stop("invalid \\u escape in string")
          i += 6
        } else if (e !== undefined && "\"\\/bfnrt".includes(e)) {
          i += 2
        } else {
          return stop("invalid escape in string")
        }
        continue
      }
      if (c < " ") return stop("control character in string: escape it (\\n, \\t, …)")
      i++
    }
  }
  const value = (): void => {
    ws()
    const c = text[i]
    if (c === "{") {
      i++
      ws()
      if (text[i] === "}") {
        i++
        return
      }
      for (;;) {
        ws()
        if (text[i] !== "\"") return stop(`${here()}: expected a double-quoted property name`)
        string()
        ws()
        if (text[i] !== ":") return stop(`${here()}: expected ":" after the property name`)
        i++
        value()
        ws()
        if (text[i] === ",") {
          i++
          continue
        }
        if (text[i] === "}") {
          i++
          return
        }
        return stop(`${here()}: expected "," or "}"`)
      }
    }
    if (c === "[") {
      i++
      ws()
      if (text[i] === "]") {
        i++
        return
      }
      for (;;) {
        value()
        ws()
        if (text[i] === ",") {
          i++
          continue
        }
        if (text[i] === "]") {
          i++
          return
        }
        return stop(`${here()}: expected "," or "]"`)
      }
    }
    if (c === "\"") return string()
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length
        return
      }
    }
    const nonJson = NON_JSON_NUMBERS.find((word) => text.startsWith(word, i))
    if (nonJson !== undefined) return stop(`${here()}: ${nonJson} is not a JSON value (JSON has no NaN or Infinity)`)
    NUMBER.lastIndex = i
    if (NUMBER.exec(text) !== null) {
      i = NUMBER.lastIndex
      return
    }
    return stop(`${here()}: expected a JSON value`)
  }
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1
    value()
    ws()
    if (i < text.length) stop(`${here()}: expected the end of the input after the JSON value`)
    return undefined
  } catch (error) {
    if (!(error instanceof Stop)) throw error
    return { message: error.message, offset: error.offset, ...position(text, error.offset) }
  }
}
