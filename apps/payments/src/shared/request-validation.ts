import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { FieldError } from '@app/contracts';
import { flattenValidationErrors } from '@app/runtime';
import { PaymentsErrors } from './payments.exception';

/** Rules the DTO cannot express (a known payment provider, an amount's minor unit); given only fields the DTO accepted. */
export type SemanticCheck<T> = (valid: T, invalidFields: ReadonlySet<string>) => FieldError[];

/**
 * Validates a request whose parts (path, body, query) the gateway forwards unvalidated: the DTO rules
 * and the semantic ones together, so one 400 lists every invalid field (API.md). These handlers take
 * their payload as `unknown`, which the global pipe leaves alone.
 */
export function validRequest<T extends object>(cls: new () => T, raw: unknown, semantic: SemanticCheck<T> = () => []): T {
  const input = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
  const req = plainToInstance(cls, input);
  const errors = flattenValidationErrors(validateSync(req, {
    whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: false, validationError: { target: false, value: false },
  }));
  errors.push(...semantic(req, new Set(errors.map((e) => e.field))));
  if (errors.length) throw PaymentsErrors.invalid(errors);
  return req;
}
