import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

import ipaddr from 'ipaddr.js';

/** Why an address may not be called; null for a public unicast address. */
export function addressClass(ip: string): string | null {
  if (!ipaddr.isValid(ip) || isIP(ip) === 0) return 'not an IP address';
  // ipaddr.js keeps the IANA special-purpose registries: anything it does not call `unicast` is refused
  const range = ipaddr.parse(ip).range();
  return range === 'unicast' ? null : (RANGE_NAMES[range] ?? `an unspecified or reserved address`);
}

const RANGE_NAMES: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  uniqueLocal: 'a private address',
  linkLocal: 'a link-local address',
  deprecatedSiteLocal: 'a link-local address',
  carrierGradeNat: 'a CGNAT address',
  ipv4Mapped: 'an IPv4-mapped address',
  rfc6145: 'an IPv4-translated address',
};

export class SsrfRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SsrfRefusedError';
  }
}

export interface GuardOptions {
  /** `host:port` entries exempt from the address checks. */
  allowedHosts: string[];
  /** Plain http, for exempt hosts only. */
  allowHttp: boolean;
}

export interface CheckedUrl {
  url: URL;
  /** The host:port matched an AFFILIATE_ALLOWED_HOSTS entry: no address check. */
  exempt: boolean;
}

type Resolver = (host: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/**
 * The SSRF guard of webhook URLs: https only; no private, loopback, link-local, CGNAT, IPv4-mapped or
 * otherwise reserved destination; no numeric-encoded host (`2130706433`, `0x7f.1`, `0177.0.0.1`), which
 * URL parsers turn into an address the string does not show. Checked at registration (with DNS) and
 * again at delivery: `lookup` replaces the socket's DNS lookup, so the address connected to is the one
 * checked and a DNS answer changing after registration (rebinding) cannot reach an internal host.
 */
export class SsrfGuard {
  private readonly allowed: Set<string>;
  private readonly allowedNames: Set<string>;

  constructor(
    private readonly opts: GuardOptions,
    private readonly resolver: Resolver = systemResolver,
  ) {
    this.allowed = new Set(opts.allowedHosts.map((h) => h.trim().toLowerCase()).filter(Boolean));
    this.allowedNames = new Set([...this.allowed].map((h) => h.slice(0, h.lastIndexOf(':')).replace(/^\[|\]$/g, '')));
  }

  static fromConfig(allowedHosts: string, allowHttp: boolean): SsrfGuard {
    return new SsrfGuard({ allowedHosts: allowedHosts.split(','), allowHttp });
  }

  /** Everything that needs no DNS: syntax, scheme, exemption, literal addresses. Throws SsrfRefusedError. */
  checkSyntax(raw: string): CheckedUrl {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new SsrfRefusedError('is not a valid URL');
    }
    if (url.username || url.password) throw new SsrfRefusedError('must not contain credentials');
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const exempt = this.allowed.has(`${url.hostname.toLowerCase()}:${port}`);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && exempt && this.opts.allowHttp)) {
      throw new SsrfRefusedError('must use https');
    }
    if (exempt) return { url, exempt };
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const rawHost = rawHostOf(raw);
    if (isIP(host) === 4 && rawHost !== host) throw new SsrfRefusedError(`has a numeric-encoded host (${rawHost})`);
    if (isIP(host)) {
      const cls = addressClass(host);
      if (cls) throw new SsrfRefusedError(`points to ${cls} (${host})`);
    } else if (host === 'localhost' || host.endsWith('.localhost')) {
      throw new SsrfRefusedError(`points to a loopback address (${host})`);
    }
    return { url, exempt };
  }

  /** checkSyntax plus DNS: every address the name resolves to must be public. */
  async check(raw: string): Promise<CheckedUrl> {
    const checked = this.checkSyntax(raw);
    const host = checked.url.hostname.replace(/^\[|\]$/g, '');
    if (checked.exempt || isIP(host)) return checked;
    let addresses: LookupAddress[];
    try {
      addresses = await this.resolver(host);
    } catch {
      throw new SsrfRefusedError(`has a host that does not resolve (${host})`);
    }
    if (addresses.length === 0) throw new SsrfRefusedError(`has a host that does not resolve (${host})`);
    for (const a of addresses) {
      const cls = addressClass(a.address);
      if (cls) throw new SsrfRefusedError(`resolves to ${cls} (${host} -> ${a.address})`);
    }
    return checked;
  }

  /** A net/tls `lookup` that refuses non-public answers before the socket connects. */
  readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const name = hostname.replace(/^\[|\]$/g, '');
    this.resolver(name)
      .then((addresses) => {
        if (!this.allowedNames.has(name.toLowerCase())) {
          for (const a of addresses) {
            const cls = addressClass(a.address);
            if (cls) throw new SsrfRefusedError(`refused by the SSRF guard: ${name} resolves to ${cls} (${a.address})`);
          }
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

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The host exactly as written in the URL string, before WHATWG normalisation (lower-cased). */
function rawHostOf(raw: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(raw.trim());
  return (m?.[1] ?? '').toLowerCase();
}
