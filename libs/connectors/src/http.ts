import { errors, request, type Dispatcher } from 'undici';

import { ConnectorError } from './connector-error';
import { HostPolicy, HostRefusedError, isDocumented } from './net/host-policy';
import type { ConnectorConfig } from './types';

let hostPolicy: { policy: HostPolicy; agent: Dispatcher } | null = null;
const documentedHosts = new Set<string>();

/** The hosts of every loaded connector's manifest: the registry adds them as it loads connectors. */
export function addDocumentedHosts(hosts: readonly string[]): void {
  for (const h of hosts) documentedHosts.add(h.toLowerCase());
}

/** CONNECTOR_ALLOWED_HOSTS, read once per process; tests may replace it. */
export function connectorHostPolicy(policy?: HostPolicy): HostPolicy {
  if (policy || !hostPolicy) {
    const p = policy ?? HostPolicy.fromEnv();
    hostPolicy = { policy: p, agent: p.agent() };
  }
  return hostPolicy.policy;
}

/**
 * The provider's documented base URL, or `settings.base_url`, which replaces scheme, host and port only
 * (sandboxes, local fakes); the connector keeps the documented path, version prefix included.
 */
export function baseUrl(config: ConnectorConfig, documented: string): string {
  const override = config.settings?.base_url;
  if (typeof override !== 'string' || override === '') return documented.replace(/\/$/, '');
  const doc = new URL(documented);
  const o = new URL(override);
  return `${o.protocol}//${o.host}${doc.pathname.replace(/\/$/, '')}`;
}

export interface ProviderResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

/**
 * An HTTP call to a provider with a deadline, mapping transport failures to ConnectorErrors. It does not
 * judge HTTP statuses: the connector reads the provider's own error shape and calls `failFromStatus`.
 * Built on undici's request() over the shared keep-alive pool: Node's global fetch costs ~10x more
 * per call (measured on this project's resolve path), which matters on every send and resolve.
 */
export async function providerFetch(
  url: string,
  init: RequestInit & { timeoutMs?: number } = {},
): Promise<ProviderResponse> {
  const { timeoutMs = 15000, method = 'GET', body } = init;
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  let payload: string | Buffer | undefined;
  if (body instanceof URLSearchParams) {
    payload = body.toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
  } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
    payload = body;
  } else if (body instanceof Uint8Array) {
    payload = Buffer.from(body);
  } else if (body != null) {
    throw new ConnectorError('invalid_config', 'unsupported request body type');
  }
  const policy = connectorHostPolicy();
  const target = new URL(url);
  try {
    policy.assertCallable(target);
    if (!policy.isAllowed(target) && !isDocumented(target.hostname, [...documentedHosts])) {
      throw new HostRefusedError(`${target.host} is not a documented provider host`);
    }
  } catch (err) {
    // nothing is sent, and the refusal says the same whether or not anything listens there
    throw new ConnectorError('invalid_config', `refused to call ${target.host}: ${(err as Error).message}`);
  }
  let res: Dispatcher.ResponseData;
  let text: string;
  try {
    res = await request(url, {
      method,
      headers,
      body: payload,
      signal: AbortSignal.timeout(timeoutMs),
      dispatcher: hostPolicy!.agent,
    });
    text = await res.body.text();
  } catch (err) {
    const e = err as Error;
    if (
      e.name === 'TimeoutError' ||
      e.name === 'AbortError' ||
      e instanceof errors.HeadersTimeoutError ||
      e instanceof errors.BodyTimeoutError
    ) {
      throw new ConnectorError('timeout', `no answer from ${new URL(url).host} within ${timeoutMs} ms`);
    }
    throw new ConnectorError(
      'network',
      `cannot reach ${new URL(url).host}: ${(e.cause as Error | undefined)?.message ?? e.message}`,
    );
  }
  const responseHeaders = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) v.forEach((item) => responseHeaders.append(k, item));
    else if (v !== undefined) responseHeaders.set(k, v);
  }
  const status = res.statusCode;
  return {
    status,
    headers: responseHeaders,
    text,
    json<T>() {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ConnectorError('provider_error', `unreadable answer from ${new URL(url).host} (HTTP ${status})`);
      }
    },
  };
}

/** Maps a non-2xx status and the provider's own reason to a ConnectorError. */
export function failFromStatus(status: number, reason: string, headers?: Headers): ConnectorError {
  const r = reason.slice(0, 500);
  if (status === 401 || status === 403) return new ConnectorError('auth', r, { httpStatus: status });
  if (status === 429)
    return new ConnectorError('rate_limited', r, {
      httpStatus: status,
      retryAfterMs: retryAfterMs(headers?.get('retry-after')),
    });
  if (status >= 500) return new ConnectorError('provider_error', r, { httpStatus: status });
  return new ConnectorError('refused', r, { httpStatus: status });
}

/** A Retry-After header (delay-seconds or an HTTP-date, RFC 9110 10.2.3) in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with the day name
  const at = /^[A-Za-z]{3}/.test(v) ? Date.parse(v) : NaN;
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Reads a required credential, or fails with `invalid_config` naming the field (not its value). */
export function requireCredential(config: ConnectorConfig, field: string): string {
  const v = config.credentials?.[field];
  if (typeof v !== 'string' || v === '') throw new ConnectorError('invalid_config', `credential ${field} is not set`);
  return v;
}

/** A status-table lookup that only finds the table's own keys (never `constructor`, `toString`...). */
export function mapped<V>(table: Record<string, V>, key: string | null | undefined): V | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}
