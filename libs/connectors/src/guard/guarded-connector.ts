import type { Connector } from '../connector';
import { ConnectorError } from '../connector-error';
import type { ConnectorConfig } from '../types';
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

const REDACTED = '[redacted]';

/**
 * The error with every secret credential of `config` masked out of its message: a provider that echoes
 * what it was sent (an API key in "invalid key ...") must not put it into an API answer, a log line or the
 * provider's health. Values shorter than 4 characters are left alone (they would mask ordinary words).
 */
export function redactSecrets(connector: Connector, config: unknown, err: unknown): unknown {
  if (!(err instanceof ConnectorError)) return err;
  const credentials = (config as ConnectorConfig | undefined)?.credentials;
  if (!credentials || typeof credentials !== 'object') return err;
  const secrets = connector.manifest.credential_fields
    .filter((f) => f.secret)
    .map((f) => credentials[f.name])
    .filter((v): v is string => typeof v === 'string' && v.length >= 4)
    .sort((a, b) => b.length - a.length);
  let message = err.message;
  for (const s of secrets) message = message.split(s).join(REDACTED);
  if (message === err.message) return err;
  const out = new ConnectorError(err.code, message, err.options);
  out.stack = err.stack?.split(err.message).join(message);
  return out;
}

/**
 * The connector as services use it: every provider call (`test` and the ports' outbound methods) run
 * under its guard, and every error of every port method with the call's secrets masked out of it.
 */
export function guardConnector(connector: Connector, guard: ProviderGuard): Connector {
  const wrapped: Connector = Object.create(connector) as Connector;
  const masked = <T>(config: unknown, fn: () => T): T => {
    try {
      const out = fn();
      return out instanceof Promise
        ? (out.catch((err: unknown) => {
            throw redactSecrets(connector, config, err);
          }) as T)
        : out;
    } catch (err) {
      throw redactSecrets(connector, config, err);
    }
  };
  // masked inside the guard, so the provider's health never holds the unmasked reason either
  wrapped.test = (config) => guard.run('test', () => masked(config, () => connector.test(config)));
  for (const name of Object.keys(OUTBOUND) as PortName[]) {
    const port = connector[name] as Record<string, unknown> | undefined;
    if (!port) continue;
    const guarded = Object.create(port) as Record<string, unknown>;
    const outbound = OUTBOUND[name] as string[];
    const proto = Object.getPrototypeOf(port) as object | null;
    const methods = new Set([
      ...Object.keys(port),
      ...(proto && proto !== Object.prototype ? Object.getOwnPropertyNames(proto) : []),
    ]);
    methods.delete('constructor');
    for (const method of methods) {
      const fn = port[method];
      if (typeof fn !== 'function') continue;
      const call = (...args: unknown[]) => (fn as (...a: unknown[]) => unknown).apply(port, args);
      guarded[method] = outbound.includes(method)
        ? (...args: unknown[]) =>
            guard.run(`${name}.${method}`, () => masked(args[0], () => call(...args) as Promise<unknown>))
        : (...args: unknown[]) => masked(args[0], () => call(...args));
    }
    (wrapped as unknown as Record<string, unknown>)[name] = guarded;
  }
  return wrapped;
}
