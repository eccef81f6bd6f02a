/**
 * A strict RFC 8259 JSON scanner that says where and why a text is malformed, and a UTF-8 checker that finds the
 * first invalid byte. `JSON.parse` on Node 20 reports a position for some errors only (`Unexpected token 'N', "…" is
 * not valid JSON` has none), and it echoes the input; this scanner reports a 0-based offset and a short reason.
 *
 * The scanner is iterative (an explicit stack), so a deeply nested input cannot overflow the call stack, and it
 * refuses nesting deeper than `maxDepth`: later steps (schema decoding, `JSON.stringify`) recurse.
 *
 * Public through `JsonText`.
 * @internal
 */

/** A syntax problem at a 0-based offset of the text. */
export interface Problem {
  readonly message: string
  readonly offset: number
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const NON_JSON = ["NaN", "-NaN", "Infinity", "-Infinity", "+Infinity"]
const LITERALS = ["true", "false", "null"]

const describe = (text: string, i: number): string => {
  if (i >= text.length) return "unexpected end of input"
  const code = text.codePointAt(i)!
  const char = String.fromCodePoint(code)
  return code < 0x20 || code === 0x7f ? `unexpected control character U+${code.toString(16).toUpperCase().padStart(4, "0")}` : `unexpected ${JSON.stringify(char)}`
}

class Stop {
  constructor(readonly offset: number, readonly message: string) {}
}

/**
 * The first syntax problem of `text` (which must not start with a byte order mark), or `undefined` when it is one
 * JSON value nested at most `maxDepth` levels deep.
 */
export const findProblem = (text: string, maxDepth: number): Problem | undefined => {
  const length = text.length
  let i = 0
  const stop = (message: string): never => {
    throw new Stop(i, message)
  }
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i)
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++
      else return
    }
  }
  const string = () => {
    i++
    for (;;) {
      if (i >= length) return stop("unterminated string: expected a closing \"")
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        return
      }
      if (c === 0x5c) {
        const e = text[i + 1]
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return stop("invalid \\u escape in a string: expected 4 hex digits")
          i += 6
        } else if (e !== undefined && "\"\\/bfnrt".includes(e)) {
          i += 2
        } else {
          return stop(`invalid escape in a string: \\${e ?? ""} (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)`)
        }
        continue
      }
      if (c < 0x20) return stop(`${describe(text, i)} in a string: escape it (\\n, \\t, \\u00XX)`)
      i++
    }
  }
  const scalar = () => {
    if (text.charCodeAt(i) === 0x22) return string()
    for (const word of LITERALS) {
      if (text.startsWith(word, i)) {
        i += word.length
        return
      }
    }
    const nonJson = NON_JSON.find((word) => text.startsWith(word, i))
    if (nonJson !== undefined) return stop(`${describe(text, i)}: ${nonJson} is not a JSON value (JSON has no NaN or Infinity)`)
    NUMBER.lastIndex = i
    if (NUMBER.exec(text) !== null && NUMBER.lastIndex > i) {
      i = NUMBER.lastIndex
      return
    }
    const c = text[i]
    if (c === "'") return stop(`${describe(text, i)}: JSON strings use double quotes`)
    return stop(`${describe(text, i)}: expected a JSON value`)
  }

  // Containers open on the stack: "{" or "[". `state` says what the scanner expects next.
  const stack: Array<number> = []
  type State = "value" | "firstValue" | "key" | "firstKey" | "after"
  let state: State = "value"
  /** Consumes the closing bracket of the innermost container: what follows is what follows a value. */
  const close = () => {
    stack.pop()
    i++
    state = "after"
  }
  try {
    for (;;) {
      ws()
      switch (state) {
        case "value":
        case "firstValue": {
          const c = text.charCodeAt(i)
          if (c === 0x5d && state === "firstValue") {
            close()
          } else if (c === 0x7b || c === 0x5b) {
            if (stack.length >= maxDepth) stop(`nested deeper than ${maxDepth} levels`)
            stack.push(c)
            i++
            state = c === 0x7b ? "firstKey" : "firstValue"
          } else {
            if (c === 0x5d && state === "value") stop(`${describe(text, i)}: expected a value after ","`)
            scalar()
            state = "after"
          }
          break
        }
        case "key":
        case "firstKey": {
          const c = text.charCodeAt(i)
          if (c === 0x7d && state === "firstKey") {
            close()
            break
          }
          if (c !== 0x22) {
            stop(`${describe(text, i)}: expected a double-quoted property name${c === 0x7d ? " after \",\"" : ""}`)
          }
          string()
          ws()
          if (text.charCodeAt(i) !== 0x3a) stop(`${describe(text, i)}: expected ":" after the property name`)
          i++
          state = "value"
          break
        }
        case "after": {
          if (stack.length === 0) {
            if (i < length) stop(`${describe(text, i)}: expected the end of the input after the JSON value`)
            return undefined
          }
          const top = stack[stack.length - 1]
          const c = text.charCodeAt(i)
          if (c === 0x2c) {
            i++
            state = top === 0x7b ? "key" : "value"
          } else if ((top === 0x7b && c === 0x7d) || (top === 0x5b && c === 0x5d)) {
            close()
          } else {
            stop(`${describe(text, i)}: expected "," or "${top === 0x7b ? "}" : "]"}"`)
          }
          break
        }
      }
    }
  } catch (error) {
    if (error instanceof Stop) return { message: error.message, offset: error.offset }
    throw error
  }
}

/** 1-based line and column (in UTF-16 code units) of a 0-based offset; lines end at `\n`. */
export const position = (text: string, offset: number): { readonly line: number; readonly column: number } => {
  let line = 1
  let lineStart = 0
  const end = Math.min(offset, text.length)
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
export const firstInvalidUtf8 = (bytes: Uint8Array): number => {
  let i = 0
  const n = bytes.length
  while (i < n) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let min: number
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1
      min = 0x80
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      min = 0x800
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      min = 0x10000
    } else {
      return i
    }
    let code = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07)
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]
      if (c === undefined || (c & 0xc0) !== 0x80) return i
      code = (code << 6) | (c & 0x3f)
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i
    i += need + 1
  }
  return -1
}
