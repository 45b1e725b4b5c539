import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError as ClassValidationError, type ValidatorOptions } from 'class-validator';

import { DomainError, ErrorCode, type FieldError } from '@app/contracts';
import { isGatewayValidated } from '@app/messaging';

import { installValidationMetadataCache } from './validation-metadata-cache';

installValidationMetadataCache();

/** Flattens class-validator's tree into one entry per invalid field, nested fields dotted. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const message of Object.values(e.constraints ?? {})) out.push({ field, message });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/**
 * Nest's pipe with class-validator's synchronous run: every rule of our DTOs is synchronous (the
 * validation spec checks that no registered constraint is async), and `validate()` would cost a promise
 * per property and a Promise.all per object on every request.
 */
class SyncValidationPipe extends ValidationPipe {
  /**
   * A payload the transport marked as validated by the gateway (libs/messaging's gateway-validated.ts:
   * a subject only the gateway may publish, carrying the body it validated with the same DTO) becomes
   * the DTO's instance without its rules run again. Anything else goes through the whole pipe.
   */
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (isGatewayValidated(value) && metadata.metatype && !this.expectedType && this.toValidate(metadata))
      return plainToInstance(metadata.metatype as new () => object, value, this.transformOptions);
    return super.transform(value, metadata);
  }

  protected override validate(object: object, options?: ValidatorOptions): ClassValidationError[] {
    return validateSync(object, options);
  }
}

/** The pipe used at the gateway and in every service: all invalid fields, whitelisted, transformed. */
export function createValidationPipe(): ValidationPipe {
  return new SyncValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new DomainError(ErrorCode.ValidationFailed, 'The request has invalid fields', flattenValidationErrors(errors)),
  });
}

/** Rules a DTO cannot express (a known provider's fields, an amount's minor unit); given the fields the DTO accepted. */
export type SemanticCheck<T> = (valid: T, invalidFields: ReadonlySet<string>) => FieldError[];

/**
 * Validates a request the gateway forwards unvalidated: the DTO's rules and the semantic ones together,
 * so one 400 lists every invalid field. Handlers using it take their payload as `unknown`,
 * which the global pipe leaves alone.
 */
export function validRequest<T extends object>(
  cls: new () => T,
  raw: unknown,
  semantic: SemanticCheck<T> = () => [],
): T {
  const isObject = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  const req = plainToInstance(cls, isObject ? raw : {});
  const errors = isObject ? [] : [{ field: 'body', message: 'must be a JSON object' }];
  errors.push(
    ...flattenValidationErrors(
      validateSync(req, {
        whitelist: true,
        forbidNonWhitelisted: true,
        stopAtFirstError: false,
        validationError: { target: false, value: false },
      }),
    ),
  );
  errors.push(...semantic(req, new Set(errors.map((e) => e.field))));
  if (errors.length) throw new DomainError(ErrorCode.ValidationFailed, 'The request has invalid fields', errors);
  return req;
}
