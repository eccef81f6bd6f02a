/**
 * Small text helpers shared by the schema messages: received-value rendering (did-you-mean is `Spelling`).
 * @internal
 */

/** Renders a received value for an error message: JSON where possible, long strings cut at 80 characters. */
export const received = (value: unknown): string => {
  if (value === undefined) return "undefined"
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value)
  if (typeof value === "bigint") return `${value}n`
  if (typeof value === "string") {
    return value.length > 80 ? `${JSON.stringify(value.slice(0, 80))}… (${value.length} characters)` : JSON.stringify(value)
  }
  try {
    const json = JSON.stringify(value)
    if (json === undefined) return typeof value
    return json.length > 80 ? `${json.slice(0, 80)}…` : json
  } catch {
    return typeof value
  }
}
