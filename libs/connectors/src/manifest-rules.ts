import { basename } from 'node:path';

import { PROVIDER_CATEGORIES, type ProviderCategory } from '@app/contracts';

import type { Connector } from './connector';

/**
 * The static rules every connector must pass before it can be seeded (apps/catalog/src/seed/seeder.ts)
 * and that the conformance kit (libs/testing/src/conformance) checks first: what can be judged from the
 * exported `connector` alone, without calling the provider. docs/adding-a-provider.md states them.
 */
export type StaticRule = 'manifest' | 'port' | 'hosts';

export interface RuleProblem {
  rule: StaticRule;
  message: string;
}

/** A provider key: lower-case snake_case, starting with a letter (it is a URL path segment and a seed key). */
export const SNAKE_CASE_KEY = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** The port each category's services call, and the methods the services call on it. */
export const CATEGORY_PORTS = {
  voip: { port: 'voice', methods: ['call', 'parseCallback'] },
  email: { port: 'email', methods: ['send'] },
  sms: { port: 'sms', methods: ['send', 'parseCallback'] },
  payment: { port: 'payment', methods: ['openCashier', 'readNotification', 'matchOrder', 'acknowledge'] },
  kyc: { port: 'kyc', methods: ['createApplicant', 'fetchDetails', 'fetchReview', 'parseWebhook'] },
} as const satisfies Record<ProviderCategory, { port: keyof Connector; methods: readonly string[] }>;

/**
 * A documented host as a manifest writes it: a lower-case DNS name of at least two labels, or `*.` and
 * such a name (any subdomain). No scheme, port, path, IP address or trailing dot.
 */
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})+$`);
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** The problems of the manifest itself (key, name, category, credential fields, settings). */
function manifestProblems(connector: Connector, file?: string): string[] {
  const m = connector.manifest as Partial<Connector['manifest']> | undefined;
  if (!m || typeof m !== 'object') return ['exports no manifest'];
  const out: string[] = [];
  if (!nonEmpty(m.key) || !SNAKE_CASE_KEY.test(m.key)) out.push(`key ${JSON.stringify(m.key)} is not snake_case`);
  if (file !== undefined) {
    const fileKey = basename(file).replace(/\.connector\.(?:ts|js)$/, '');
    if (fileKey !== m.key) out.push(`key ${String(m.key)} is not its file name (${basename(file)})`);
  }
  if (!nonEmpty(m.name)) out.push('name is empty');
  if (!(PROVIDER_CATEGORIES as readonly unknown[]).includes(m.category))
    out.push(`category ${JSON.stringify(m.category)} is not one of ${PROVIDER_CATEGORIES.join(', ')}`);
  if (!Array.isArray(m.credential_fields)) out.push('credential_fields is not a list');
  else {
    const names = new Set<string>();
    m.credential_fields.forEach((f, i) => {
      const at = `credential_fields[${i}]`;
      if (!f || typeof f !== 'object') return out.push(`${at} is not an object`);
      if (!nonEmpty(f.name) || !SNAKE_CASE_KEY.test(f.name)) out.push(`${at}.name is not snake_case`);
      else if (names.has(f.name)) out.push(`${at}.name ${f.name} is declared twice`);
      else names.add(f.name);
      if (!nonEmpty(f.label)) out.push(`${at}.label is empty`);
      if (typeof f.secret !== 'boolean') out.push(`${at}.secret is not a boolean`);
      if (typeof f.required !== 'boolean') out.push(`${at}.required is not a boolean`);
      if (f.origin !== undefined && typeof f.origin !== 'boolean') out.push(`${at}.origin is not a boolean`);
    });
    if (!m.credential_fields.some((f) => f?.secret === true)) out.push('no credential field is secret');
  }
  if (!Array.isArray(m.settings)) out.push('settings is not a list');
  else
    m.settings.forEach((s, i) => {
      const at = `settings[${i}]`;
      if (!s || typeof s !== 'object') return out.push(`${at} is not an object`);
      if (!nonEmpty(s.name) || !SNAKE_CASE_KEY.test(s.name)) out.push(`${at}.name is not snake_case`);
      if (!nonEmpty(s.label)) out.push(`${at}.label is empty`);
      if (s.default !== undefined && typeof s.default !== 'string') out.push(`${at}.default is not a string`);
    });
  return out;
}

function hostProblems(connector: Connector): string[] {
  const hosts = (connector.manifest as { hosts?: unknown } | undefined)?.hosts;
  if (!Array.isArray(hosts) || hosts.length === 0) return ['documents no hosts'];
  return hosts.flatMap((h: unknown) =>
    typeof h === 'string' && HOST.test(h) && !IPV4.test(h)
      ? []
      : [`host ${JSON.stringify(h)} is not a lower-case DNS name (or *.name) without scheme, port or path`],
  );
}

function portProblems(connector: Connector): string[] {
  const category = connector.manifest?.category;
  if (!Object.hasOwn(CATEGORY_PORTS, category)) return [];
  const { port, methods } = CATEGORY_PORTS[category];
  const impl = connector[port] as Record<string, unknown> | undefined;
  if (typeof connector.test !== 'function') return ['has no test()'];
  if (!impl || typeof impl !== 'object') return [`has no ${port} port, so it cannot serve ${category}`];
  return methods.filter((m) => typeof impl[m] !== 'function').map((m) => `${port} port has no ${m}()`);
}

/**
 * Every static problem of a connector: its manifest (key snake_case and equal to its file name when
 * `file` is given, name, category, credential fields with name/label/secret/required and at least one
 * secret, settings), its documented hosts (non-empty, well-formed) and its category's port. Empty: it passes.
 */
export function staticRuleProblems(connector: Connector, opts: { file?: string } = {}): RuleProblem[] {
  return [
    ...manifestProblems(connector, opts.file).map((message) => ({ rule: 'manifest' as const, message })),
    ...hostProblems(connector).map((message) => ({ rule: 'hosts' as const, message })),
    ...portProblems(connector).map((message) => ({ rule: 'port' as const, message })),
  ];
}
