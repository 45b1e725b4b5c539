import { MAX_JSON_DEPTH, nulFields, tooDeepAt } from './json-guard';

describe(tooDeepAt.name, () => {
  const nested = (n: number, open = '{"a":', close = '}') => `${open.repeat(n)}1${close.repeat(n)}`;

  it('accepts nesting up to the limit and names the path where it is exceeded', () => {
    expect(tooDeepAt(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(tooDeepAt(nested(MAX_JSON_DEPTH + 1))).toBe(Array(MAX_JSON_DEPTH).fill('a').join('.'));
    expect(tooDeepAt(`{"x":[1,2,${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}]}`)).toBe(
      `x.2${'.0'.repeat(MAX_JSON_DEPTH - 2)}`,
    );
    expect(tooDeepAt('['.repeat(100000))).toBe(`body${'.0'.repeat(MAX_JSON_DEPTH)}`);
  });

  it('is not fooled by brackets, quotes and escapes inside strings, and decodes escaped keys', () => {
    expect(tooDeepAt(JSON.stringify({ s: '{'.repeat(100), t: '\\"[[[[' }))).toBeNull();
    const deepUnder = (key: string) => `{${JSON.stringify(key)}:${nested(MAX_JSON_DEPTH)}}`;
    expect(tooDeepAt(deepUnder('k"\\é'))).toBe(`k"\\é${'.a'.repeat(MAX_JSON_DEPTH - 1)}`);
  });
});

describe(nulFields.name, () => {
  it('names every string value or key holding a NUL, by dotted path', () => {
    expect(nulFields({ a: 'fine', b: ['x', 'y\u0000'], c: { 'd\u0000': 1, e: { f: '\u0000' } } })).toEqual([
      'b.1',
      'c.d\\u0000',
      'c.e.f',
    ]);
    expect(nulFields({ a: 'fine', n: 1, z: null, t: true })).toEqual([]);
    expect(nulFields('\u0000')).toEqual(['body']);
  });
});
