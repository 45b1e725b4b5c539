import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

import { Agent } from 'undici';

import { addressClass } from './ssrf-guard';

/**
 * Where a connector may send a provider's credentials: https on a host its provider documents (the
 * manifest's `hosts`; `*.example.com` is any one-or-more-label subdomain), or any scheme on a host named
 * in CONNECTOR_ALLOWED_HOSTS (`host` = any port, `host:port` = that port): sandboxes and local fakes.
 * Checked when a setting is written (the catalog answers 400) and again on every call, where the socket's
 * DNS answer must be a public address unless the host is allowed by name, so a name that is re-pointed
 * after validation cannot reach an internal host.
 */
export class HostPolicy {
  private readonly anyPort = new Set<string>();
  private readonly withPort = new Set<string>();

  constructor(
    allowed: string[],
    private readonly resolver: Resolver = systemResolver,
  ) {
    for (const raw of allowed.map((h) => h.trim().toLowerCase()).filter(Boolean)) {
      const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(raw);
      if (!m) throw new Error(`CONNECTOR_ALLOWED_HOSTS entry is not host or host:port`);
      const host = m[1].replace(/^\[|\]$/g, '');
      if (m[2]) this.withPort.add(`${host}:${m[2]}`);
      else this.anyPort.add(host);
    }
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): HostPolicy {
    return new HostPolicy((env.CONNECTOR_ALLOWED_HOSTS ?? '').split(','));
  }

  /** The URL's host is named in CONNECTOR_ALLOWED_HOSTS (by itself or with this port). */
  isAllowed(url: URL): boolean {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return this.anyPort.has(host) || this.withPort.has(`${host}:${port}`);
  }

  /** Why `value` may not be a URL setting of a provider documenting `hosts`; null when it may. */
  refusal(value: string, hosts: readonly string[]): string | null {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'must be a URL';
    }
    if (url.username || url.password) return 'must not contain credentials';
    if (this.isAllowed(url)) {
      return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'must be an http(s) URL';
    }
    if (url.protocol !== 'https:' || url.port !== '' || !isDocumented(url.hostname, hosts)) {
      return `must be an https URL on a host the provider documents (${hosts.join(', ')}) or on one listed in CONNECTOR_ALLOWED_HOSTS`;
    }
    return null;
  }

  /** Throws unless a call to `url` may be made now (the connect-time half lives in `agent`'s lookup). */
  assertCallable(url: URL): void {
    if (this.isAllowed(url)) return;
    if (url.protocol !== 'https:')
      throw new HostRefusedError(`${url.host} is not allowed over ${url.protocol.replace(':', '')}`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && addressClass(host)) throw new HostRefusedError(`${url.host} is not a public address`);
  }

  /** A keep-alive pool whose sockets connect only to public addresses, or to hosts allowed by name. */
  agent(): Agent {
    return new Agent({ connect: { lookup: this.lookup } });
  }

  private readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const name = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const exempt = this.anyPort.has(name) || [...this.withPort].some((h) => h.slice(0, h.lastIndexOf(':')) === name);
    this.resolver(name)
      .then((addresses) => {
        if (!exempt && addresses.some((a) => addressClass(a.address) !== null)) {
          throw new HostRefusedError(`${name} does not resolve to a public address`);
        }
        const wanted =
          options.family === 4 || options.family === 6
            ? addresses.filter((a) => a.family === options.family)
            : addresses;
        if (wanted.length === 0) throw Object.assign(new Error(`${name} does not resolve`), { code: 'ENOTFOUND' });
        if (options.all) callback(null, wanted);
        else callback(null, wanted[0].address, wanted[0].family);
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, ''));
  };
}

/** `api.example.com` matches itself; `*.example.com` matches any subdomain of example.com. */
export function isDocumented(hostname: string, hosts: readonly string[]): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return hosts.some((d) => (d.startsWith('*.') ? h.endsWith(d.slice(1)) && h.length > d.length - 1 : h === d));
}

export class HostRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostRefusedError';
  }
}

type Resolver = (host: string) => Promise<LookupAddress[]>;
type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });
