import { validateSync } from 'class-validator';

import { IsCalendarDate, IsTimestamp } from './dates';

class Probe {
  @IsCalendarDate() day?: unknown;
  @IsTimestamp() at?: unknown;
}

const invalid = (day: unknown, at: unknown) =>
  validateSync(Object.assign(new Probe(), { day, at })).map((e) => e.property);

describe('date validators', () => {
  it.each([
    ['2000-02-29', '2026-03-10T12:00:00Z', []],
    ['2026-02-30', '2026-02-30T10:00:00Z', ['day', 'at']],
    ['2001-02-29', '2026-13-01T00:00:00Z', ['day', 'at']],
    ['1990-4-1', '2026-W10', ['day', 'at']],
    ['19900401', '20260301T1000Z', ['day', 'at']],
    ['1990-04-01T00:00:00Z', '2026-060', ['day', 'at']],
    ['1990-04-01', '2026-03-10', []],
    ['1990-04-01', '2026-03-10T12:00:00.123+02:00', []],
    [19900401, 1773144000000, ['day', 'at']],
  ])('%s / %s', (day, at, expected) => expect(invalid(day, at)).toEqual(expected));
});
