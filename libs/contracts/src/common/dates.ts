import { isISO8601, ValidateBy, type ValidationOptions } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A `yyyy-mm-dd` date that exists on the calendar: `2026-02-30` or a 29 February outside a leap year
 * would otherwise pass a pattern check and fail only in Postgres.
 */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && DATE.test(v) && isISO8601(v, { strict: true }),
        defaultMessage: () => '$property must be a calendar date, yyyy-mm-dd',
      },
    },
    options,
  );
}

/**
 * An ISO 8601 timestamp (or date) on the calendar, in a form JavaScript's Date and Postgres both read:
 * strict ISO 8601 alone also admits week (`2026-W10`), ordinal (`2026-060`) and basic (`20260301T1000Z`)
 * forms that neither parses.
 */
export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimestamp',
      validator: {
        validate: (v: unknown) =>
          typeof v === 'string' &&
          isISO8601(v, { strict: true, strictSeparator: true }) &&
          /^\d{4}-\d{2}-\d{2}(T|$)/.test(v) &&
          Number.isFinite(Date.parse(v)),
        defaultMessage: () => '$property must be an ISO 8601 timestamp, e.g. 2026-03-10T12:00:00Z',
      },
    },
    options,
  );
}
