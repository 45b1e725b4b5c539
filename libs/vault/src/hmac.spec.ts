import { hmacBase64, hmacHex, safeEqual, type HmacAlgorithm } from './hmac';

const FOX = 'The quick brown fox jumps over the lazy dog';

describe('hmac', () => {
  // Wikipedia's HMAC examples.
  it.each([
    ['sha1', 'de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9'],
    ['sha256', 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8'],
    [
      'sha512',
      'b42af09057bac1e2d41708e48a902e09b5ff7f12ab428a4fe86653c73dd248fb82f948a549f7b791a5b41915ee4d1ec3935357e4e2317250d0372afa2ebeeb3a',
    ],
  ] as const)('%s matches the known vector', (algo, expected) => {
    expect(hmacHex(algo, 'key', FOX)).toBe(expected);
    expect(hmacHex(algo, Buffer.from('key'), Buffer.from(FOX))).toBe(expected);
    expect(hmacBase64(algo, 'key', FOX)).toBe(Buffer.from(expected, 'hex').toString('base64'));
  });

  it('refuses other algorithms at run time', () => {
    expect(() => hmacHex('md5' as HmacAlgorithm, 'key', FOX)).toThrow(TypeError);
  });
});

describe('safeEqual', () => {
  it('is true for equal strings and buffers, mixed or not', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual(Buffer.from('abc'), 'abc')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
  });

  it('is false for different values of the same length', () => {
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual(Buffer.from([1, 2]), Buffer.from([1, 3]))).toBe(false);
  });

  it('is false, without throwing, on a length mismatch', () => {
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', 'a')).toBe(false);
    // Same character count, different byte length.
    expect(safeEqual('é', 'e')).toBe(false);
  });
});
