/**
 * A bounds-checked cursor over wasm bytes, and the two ways a read can fail, shared by the section pre-check and
 * the custom-section checks. Every read stays inside the range it was given; every vector count is compared with
 * the bytes that remain before anything loops over it.
 */

/** The JS API's limits (https://webassembly.github.io/spec/js-api/#limits): engines reject modules beyond them. */
export const LIMITS = {
  moduleBytes: 1_073_741_824,
  types: 1_000_000,
  functions: 1_000_000,
  imports: 1_000_000,
  exports: 1_000_000,
  globals: 1_000_000,
  tags: 1_000_000,
  tables: 100_000,
  dataSegments: 100_000,
  elementSegments: 10_000_000,
  params: 1_000,
  results: 1_000,
  structFields: 10_000,
  bodyBytes: 7_654_321,
  locals: 50_000,
}

/** The module breaks a rule engines enforce: the file is invalid. */
export class Malformed extends Error {}
/** An encoding this reader does not know (a newer proposal): Binaryen decides, the section is not checked further. */
export class Unknown extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A cursor over `bytes[offset, end)`: every read is bounds-checked against `end`. */
export class Reader {
  readonly bytes: Uint8Array
  offset: number
  readonly end: number

  constructor(bytes: Uint8Array, offset: number, end: number) {
    this.bytes = bytes
    this.offset = offset
    this.end = end
  }

  get remaining(): number {
    return this.end - this.offset
  }

  byte(): number {
    if (this.offset >= this.end) throw new Malformed(`unexpected end at byte ${this.offset}`)
    return this.bytes[this.offset++]!
  }

  /** Unsigned LEB128 of at most 32 bits. */
  u32(): number {
    let value = 0
    for (let i = 0; i < 5; i++) {
      const byte = this.byte()
      value += (byte & 0x7f) * 2 ** (7 * i)
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) throw new Malformed(`integer too large at byte ${this.offset - 1}`)
        return value
      }
    }
    throw new Malformed(`integer too long at byte ${this.offset}`)
  }

  /** Any LEB128 (signed or unsigned) of at most `maxBytes` bytes, value unused. */
  skipLeb(maxBytes: number): void {
    for (let i = 0; i < maxBytes; i++) if ((this.byte() & 0x80) === 0) return
    throw new Malformed(`integer too long at byte ${this.offset}`)
  }

  skip(count: number): void {
    if (count > this.remaining) {
      throw new Malformed(`${count} bytes needed at byte ${this.offset}, ${this.remaining} left`)
    }
    this.offset += count
  }

  /** A vector length: each item takes at least `minBytes`, so a count that cannot fit is refused before any loop. */
  count(what: string, limit: number, minBytes = 1): number {
    const at = this.offset
    const count = this.u32()
    if (count * minBytes > this.remaining) {
      throw new Malformed(`${count} ${what} declared at byte ${at}, but only ${this.remaining} bytes remain`)
    }
    if (count > limit) throw new Malformed(`${count} ${what} declared at byte ${at}, engines accept ${limit}`)
    return count
  }

  /** A length-prefixed UTF-8 name, which the spec requires to be well-formed. */
  name(): string {
    const at = this.offset
    const length = this.u32()
    if (length > this.remaining) throw new Malformed(`name at byte ${at} runs past its section`)
    const start = this.offset
    this.offset += length
    try {
      return utf8.decode(this.bytes.subarray(start, this.offset))
    } catch {
      throw new Malformed(`name at byte ${at} is not valid UTF-8`)
    }
  }

  expectEnd(what: string): void {
    if (this.offset !== this.end) throw new Malformed(`${this.remaining} unexpected bytes after the ${what}`)
  }
}
