import { ValidateBy, isISO8601, type ValidationOptions } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A `yyyy-mm-dd` date that exists on the calendar: `2026-02-30` or a 29 February outside a leap year
 * would otherwise pass a pattern check and fail only in Postgres.
 */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && DATE.test(v) && isISO8601(v, { strict: true }),
      defaultMessage: () => '$property must be a calendar date, yyyy-mm-dd',
    },
  }, options);
}
