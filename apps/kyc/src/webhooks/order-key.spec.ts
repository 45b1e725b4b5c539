import { webhookOrderKey } from './webhook-processor.worker';

describe('webhookOrderKey: the events of one customer are processed in order', () => {
  it('orders by customer when the webhook names one, whatever the applicant', () => {
    const a = webhookOrderKey({ event_id: 'e1', provider: 'sumsub', customer_id: 'c-1', provider_id: 'app-1' });
    const b = webhookOrderKey({ event_id: 'e2', provider: 'sumsub', customer_id: 'c-1', provider_id: 'app-2' });
    expect(a).toBe(b);
    expect(webhookOrderKey({ event_id: 'e3', provider: 'sumsub', customer_id: 'c-2', provider_id: 'app-1' })).not.toBe(
      a,
    );
  });

  it('falls back to the applicant, per provider', () => {
    const a = webhookOrderKey({ event_id: 'e1', provider: 'sumsub', customer_id: null, provider_id: 'app-1' });
    expect(webhookOrderKey({ event_id: 'e2', provider: 'sumsub', customer_id: null, provider_id: 'app-1' })).toBe(a);
    expect(webhookOrderKey({ event_id: 'e3', provider: 'other', customer_id: null, provider_id: 'app-1' })).not.toBe(a);
  });

  it('gives an event naming nobody a key of its own, and events recorded before the key was carried one shared key', () => {
    expect(webhookOrderKey({ event_id: 'e1', provider: 'sumsub', customer_id: null, provider_id: null })).not.toBe(
      webhookOrderKey({ event_id: 'e2', provider: 'sumsub', customer_id: null, provider_id: null }),
    );
    expect(webhookOrderKey({ event_id: 'e1', provider: 'sumsub' })).toBe(
      webhookOrderKey({ event_id: 'e2', provider: 'sumsub' }),
    );
  });
});
