/**
 * The size of a JSON value without serializing it: for the `metadata` size rule (Metadata.ts), whose common case is
 * far below the limit.
 * @internal
 */

/**
 * An upper bound of the UTF-8 bytes of `JSON.stringify(value)`, for a JSON value (one `Metadata.jsonIssues`
 * accepts), without serializing it (no number formatting, no string built): a string is at most 6 bytes per UTF-16 code unit
 * (`\u001f`, a lone surrogate; a character is at most 3 bytes) plus its quotes, a number at most 25 characters
 * (`-0.00000` and 17 digits), `true`, `false` and `null` at most 5; an array or object adds its brackets, commas
 * and colons. Stops counting once past `limit`; a `toJSON` method anywhere (own, inherited or not enumerable)
 * gives `Infinity`, as only serializing tells what it writes.
 */
export const jsonBytesBound = (value: unknown, limit: number): number => {
  switch (typeof value) {
    case "string":
      return 2 + 6 * value.length
    case "number":
      return 25
    case "object": {
      if (value === null) return 4
      if ("toJSON" in value) return Infinity
      if (Array.isArray(value)) {
        let bytes = 2 + value.length
        for (let i = 0; i < value.length && bytes <= limit; i++) bytes += jsonBytesBound(value[i], limit)
        return bytes
      }
      const keys = Object.keys(value)
      let bytes = 2 + keys.length
      for (let i = 0; i < keys.length && bytes <= limit; i++) {
        const key = keys[i]!
        bytes += 3 + 6 * key.length + jsonBytesBound((value as Record<string, unknown>)[key], limit)
      }
      return bytes
    }
    case "boolean":
      return 5
    default:
      return Infinity
  }
}
