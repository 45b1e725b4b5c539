import { Type } from 'class-transformer';
import { IsEmail, IsString, ValidateNested, validateSync } from 'class-validator';

import { flattenValidationErrors } from './validation';

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
