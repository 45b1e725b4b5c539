import { Type } from 'class-transformer';
import { getMetadataStorage, IsEmail, IsString, ValidateNested, validateSync } from 'class-validator';

import { DomainError, ErrorCode } from '@app/contracts';
import { markGatewayValidated } from '@app/messaging';

import { createValidationPipe, flattenValidationErrors } from './validation';
import { installValidationMetadataCache } from './validation-metadata-cache';

class Inner {
  @IsString() api_key!: string;
}
class Outer {
  @IsEmail() to!: string;
  @ValidateNested() @Type(() => Inner) credentials!: Inner;
}

describe(flattenValidationErrors.name, () => {
  it('lists each invalid field, nested ones dotted', () => {
    const o = Object.assign(new Outer(), { to: 'nope', credentials: Object.assign(new Inner(), { api_key: 5 }) });
    const errors = flattenValidationErrors(validateSync(o));
    expect(errors.map((e) => e.field).sort()).toEqual(['credentials.api_key', 'to']);
    expect(errors.every((e) => e.message.length > 0)).toBe(true);
  });
});

describe(createValidationPipe.name, () => {
  const pipe = createValidationPipe();
  const body = (metatype: new () => object) => ({ type: 'body' as const, metatype });

  it('answers a valid body with an instance of the DTO', async () => {
    const out = (await pipe.transform({ to: 'a@example.com', credentials: { api_key: 'k' } }, body(Outer))) as Outer;
    expect(out).toBeInstanceOf(Outer);
    expect(out.credentials).toBeInstanceOf(Inner);
  });

  it('lists every invalid field (nested and unknown ones) in one DomainError, each request alike', async () => {
    for (let i = 0; i < 3; i++) {
      const err = (await pipe
        .transform({ to: 'nope', credentials: { api_key: 5, extra: 1 }, stray: true }, body(Outer))
        .catch((e: unknown) => e)) as DomainError;
      expect(err).toBeInstanceOf(DomainError);
      expect(err.code).toBe(ErrorCode.ValidationFailed);
      expect((err.errors ?? []).map((f) => f.field).sort()).toEqual([
        'credentials.api_key',
        'credentials.extra',
        'stray',
        'to',
      ]);
    }
  });

  it("keeps a subclass's inherited rules", async () => {
    class Child extends Outer {
      @IsString() name!: string;
    }
    const err = (await pipe
      .transform({ to: 'nope', credentials: { api_key: 'k' } }, body(Child))
      .catch((e: unknown) => e)) as DomainError;
    expect((err.errors ?? []).map((f) => f.field).sort()).toEqual(['name', 'to']);
  });
});

describe(installValidationMetadataCache.name, () => {
  it('answers from the cache what class-validator answers, and forgets it when a rule is registered', () => {
    class Late {
      @IsString() a!: string;
    }
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Late, '', false, false, undefined);
    expect(storage.getTargetValidationMetadatas(Late, '', false, false, undefined)).toBe(first);
    expect(first.map((m) => m.propertyName)).toEqual(['a']);
    // a decorator applied later (a class defined after the first validation) is seen
    IsString()(Late.prototype, 'b');
    const second = storage.getTargetValidationMetadatas(Late, '', false, false, undefined);
    expect(second.map((m) => m.propertyName).sort()).toEqual(['a', 'b']);
    expect(Object.keys(storage.groupByPropertyName(second)).sort()).toEqual(['a', 'b']);
  });

  it('leaves no async constraint among the contracts (the pipe validates synchronously)', () => {
    const constraints = (getMetadataStorage() as unknown as { constraintMetadatas: Map<unknown, { async: boolean }[]> })
      .constraintMetadatas;
    expect(constraints.size).toBeGreaterThan(0);
    expect([...constraints.values()].flat().filter((c) => c.async)).toEqual([]);
  });
});

describe('createValidationPipe with a payload the gateway validated', () => {
  const pipe = createValidationPipe();
  const body = { type: 'body' as const, metatype: Outer };

  it('builds the DTO without running its rules again for a marked payload', async () => {
    const payload = { to: 'a@example.com', credentials: { api_key: 'k' } };
    markGatewayValidated(payload);
    const out = (await pipe.transform(payload, body)) as Outer;
    expect(out).toBeInstanceOf(Outer);
    expect(out.credentials).toBeInstanceOf(Inner);
    // the proof that the rules were skipped: a marked payload the rules would refuse passes
    const wrong = { to: 'nope' };
    markGatewayValidated(wrong);
    await expect(pipe.transform(wrong, body)).resolves.toBeInstanceOf(Outer);
  });

  it('still validates every payload that is not marked', async () => {
    const err = (await pipe.transform({ to: 'nope' }, body).catch((e: unknown) => e)) as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect((err.errors ?? []).map((f) => f.field).sort()).toEqual(['to']);
  });
});
