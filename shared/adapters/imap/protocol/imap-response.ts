/**
 * One server response as the framer delivers it: the text around its literals, each literal's
 * bytes kept as bytes (parts.length = literals.length + 1). Text is decoded as latin1, so every
 * byte maps to one character and nothing is lost before a parser reads it.
 */
export interface ImapResponse {
  parts: string[];
  literals: Buffer[];
}
