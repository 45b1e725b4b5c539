import type { Connector } from '../connector';
import type { ProviderGuard } from './provider-guard';

type PortName = 'payment' | 'kyc' | 'email' | 'sms' | 'voice';
type AsyncMethods<P> = {
  [K in keyof P]-?: NonNullable<P[K]> extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof P];

/**
 * The port methods that call the provider (they return promises); the others (reading a webhook,
 * matching an order, the acknowledgement) work locally and pass through unguarded.
 */
const OUTBOUND: { [P in PortName]: AsyncMethods<NonNullable<Connector[P]>>[] } = {
  payment: ['openCashier'],
  kyc: ['createApplicant', 'fetchDetails', 'fetchReview'],
  email: ['send'],
  sms: ['send'],
  voice: ['call', 'confirmCallback'],
};

/** The connector with every provider call (`test` and the ports' outbound methods) run under its guard. */
export function guardConnector(connector: Connector, guard: ProviderGuard): Connector {
  const wrapped: Connector = Object.create(connector) as Connector;
  wrapped.test = (config) => guard.run('test', () => connector.test(config));
  for (const name of Object.keys(OUTBOUND) as PortName[]) {
    const port = connector[name] as Record<string, unknown> | undefined;
    if (!port) continue;
    const guarded = Object.create(port) as Record<string, unknown>;
    for (const method of OUTBOUND[name] as string[]) {
      const fn = port[method];
      if (typeof fn !== 'function') continue;
      guarded[method] = (...args: unknown[]) =>
        guard.run(`${name}.${method}`, () => (fn as (...a: unknown[]) => Promise<unknown>).apply(port, args));
    }
    (wrapped as unknown as Record<string, unknown>)[name] = guarded;
  }
  return wrapped;
}
