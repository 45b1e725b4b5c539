import { mapped } from './http';
import { zadarmaWebhookSignedString } from './providers/zadarma/zadarma.api';

describe(mapped.name, () => {
  const table: Record<string, string> = { approved: 'approved' };

  it("finds only the table's own keys", () => {
    expect(mapped(table, 'approved')).toBe('approved');
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty', '', null, undefined])
      expect(mapped(table, key)).toBeUndefined();
  });

  it("keeps an inherited event name from reaching a provider's signature rules (Zadarma)", () => {
    expect(zadarmaWebhookSignedString({ event: 'constructor' })).toBeUndefined();
    expect(zadarmaWebhookSignedString({ event: 'toString' })).toBeUndefined();
  });
});
