import { describe, expect, it } from 'vitest'
import { parseViewFile } from './loadFigure'

describe('parseViewFile', () => {
  it('parses the bytes or text of a view file, and keeps a value a host parsed already', () => {
    const bytes = new TextEncoder().encode('{"type": "X", "units": [1, 2]}')
    expect(parseViewFile(bytes.buffer)).toEqual({ type: 'X', units: [1, 2] })
    expect(parseViewFile(bytes)).toEqual({ type: 'X', units: [1, 2] })
    expect(parseViewFile('{"a": 1}')).toEqual({ a: 1 })
    const parsed = { a: 1 }
    expect(parseViewFile(parsed)).toBe(parsed)
    expect(() => parseViewFile(new TextEncoder().encode('{"a": ').buffer)).toThrow(/not valid JSON/)
  })
})
