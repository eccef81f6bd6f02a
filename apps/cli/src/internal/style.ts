/**
 * Terminal colour: SGR escape codes around text, or the text unchanged when colour is off.
 *
 * Colour is on for a stream only when it is a terminal and `NO_COLOR` is unset or empty (core's `ConsoleColor`).
 */

/** Wraps text in one style. */
export type Paint = (text: string) => string

/** The styles mreg uses. With colour off every one returns its text unchanged. */
export interface Style {
  readonly enabled: boolean
  readonly bold: Paint
  readonly dim: Paint
  readonly red: Paint
  readonly green: Paint
  readonly yellow: Paint
  readonly cyan: Paint
}

const sgr = (open: string): Paint => (text) => (text.length === 0 ? text : `\x1b[${open}m${text}\x1b[0m`)
const same: Paint = (text) => text

/** Styles that emit escape codes. */
export const colored: Style = {
  enabled: true,
  bold: sgr("1"),
  dim: sgr("2"),
  red: sgr("31"),
  green: sgr("32"),
  yellow: sgr("33"),
  cyan: sgr("36")
}

/** Styles that leave text as it is. */
export const plain: Style = { enabled: false, bold: same, dim: same, red: same, green: same, yellow: same, cyan: same }

/** `colored` or `plain`. */
export const of = (enabled: boolean): Style => (enabled ? colored : plain)
