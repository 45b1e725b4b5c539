// Types for Jest only: tsconfig.build.json leaves this file out of the build, which has no Jest types.
// @types/jest types the asymmetric matchers `any`, which lets them stand in for any value unchecked.
// These overloads type them as what they are; `toThrow` takes one, as Jest does at runtime.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Expect {
      any(classType: unknown): AsymmetricMatcher;
      anything(): AsymmetricMatcher;
      arrayContaining(arr: readonly unknown[]): AsymmetricMatcher;
      objectContaining(obj: object): AsymmetricMatcher;
      stringMatching(str: string | RegExp): AsymmetricMatcher;
      stringContaining(str: string): AsymmetricMatcher;
    }
    // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> {
      toThrow(error: AsymmetricMatcher): R;
    }
  }
}
export {};
