import pino from 'pino';
import type { EntityManager } from 'typeorm';

import {
  ConnectorError,
  ConnectorRegistry,
  type Connector,
  type ProviderConfigCache,
  type SendResult,
} from '@app/connectors';
import { DomainError, ErrorCode, type ProviderConfigView } from '@app/contracts';
import type { BusClient, OutboxWriter } from '@app/messaging';

import type { CommsConfig } from '../comms.config';
import type { AttemptRow, EventRow, MessageRow, MessagesRepository } from '../log/messages.repository';
import { StatusRecorder } from '../log/status.recorder';
import { DispatchService, type Dispatch } from './dispatch.service';

type Send = (messageId: string) => Promise<SendResult>;
const sent =
  (providerMessageId: string): Send =>
  () =>
    Promise.resolve({ providerMessageId, status: 'sent', providerStatus: 'accepted' });
/** The error a dispatch failed with; a dispatch that succeeds fails the test. */
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('the dispatch succeeded');
    },
    (e: unknown) => e as DomainError,
  );
const fails =
  (code: ConnectorError['code'], options = {}): Send =>
  () =>
    Promise.reject(new ConnectorError(code, `${code} from the provider`, options));

/** The message log in memory, with the methods DispatchService and StatusRecorder call. */
class MemoryMessages {
  readonly messages = new Map<string, MessageRow>();
  readonly attempts: Omit<AttemptRow, 'at'>[] = [];
  readonly events: EventRow[] = [];
  readonly suppressions = new Map<string, string>();
  transaction = <T>(work: (m: EntityManager) => Promise<T>) => work({} as EntityManager);
  suppressionOf = (channel: string, to: string) => Promise.resolve(this.suppressions.get(`${channel}:${to}`) ?? null);
  createMessage = (row: Pick<MessageRow, 'id' | 'channel' | 'provider' | 'status' | 'to_address'>) => {
    this.messages.set(row.id, { provider_message_id: null, correlation_key: null, ...row } as MessageRow);
    return Promise.resolve();
  };
  lockMessage = (_m: EntityManager, id: string) => Promise.resolve(this.messages.get(id)!);
  recordAttempt = (_m: EntityManager | null, a: Omit<AttemptRow, 'at'>) => {
    this.attempts.push(a);
    return Promise.resolve();
  };
  markAccepted = (_m: EntityManager, id: string, provider: string, providerMessageId: string | null) => {
    Object.assign(this.messages.get(id)!, { provider, provider_message_id: providerMessageId });
    return Promise.resolve();
  };
  setStatus = (_m: EntityManager, id: string, status: string) => {
    this.messages.get(id)!.status = status;
    return Promise.resolve();
  };
  insertEvents = (_m: EntityManager, rows: EventRow[]) => {
    this.events.push(...rows);
    return Promise.resolve();
  };
}

describe(DispatchService.name, () => {
  let repo: MemoryMessages;
  let outbox: { add: jest.Mock };
  let sends: Record<string, Send>;
  let calls: string[];
  let active: string[];
  let defaultKey: string;

  const view = (key: string): ProviderConfigView => ({
    key,
    category: 'email',
    status: 'active',
    is_default: key === defaultKey,
    credentials: { api_key: `${key}-secret` },
    settings: {},
    version: 1,
  });
  const emailConnector = (key: string): Connector =>
    ({
      manifest: { key },
      email: {
        send: (_config: unknown, msg: { messageId: string }) => {
          calls.push(key);
          return sends[key](msg.messageId);
        },
      },
    }) as unknown as Connector;

  function service(connectors: Connector[]): DispatchService {
    const configs = {
      resolve: (_category: string, key?: string) =>
        key && !active.includes(key)
          ? Promise.reject(new DomainError(ErrorCode.NotFound, `${key} is not active`))
          : Promise.resolve(view(key ?? defaultKey)),
    } as unknown as ProviderConfigCache;
    const bus = {
      request: () => Promise.resolve({ categories: [{ category: 'email', active_providers: active }] }),
    } as unknown as BusClient;
    const messages = repo as unknown as MessagesRepository;
    return new DispatchService(
      messages,
      new StatusRecorder(messages, outbox as unknown as OutboxWriter),
      configs,
      new ConnectorRegistry(connectors),
      bus,
      { COMMS_PROVIDER_TIMEOUT_MS: 1000, PUBLIC_BASE_URL: 'https://hooks.example.com/' } as CommsConfig,
      pino({ level: 'silent' }),
    );
  }

  const email = (extra: Partial<Dispatch> = {}): Dispatch => ({
    channel: 'email',
    category: 'email',
    to: 'ann@example.com',
    supports: (c) => !!c.email,
    invoke: (c, config, id, opts) =>
      c.email?.send(config, { messageId: id, to: 'ann@example.com' } as never, opts) ?? null,
    ...extra,
  });
  const three = () => service(['alpha', 'beta', 'gamma'].map(emailConnector));

  beforeEach(() => {
    repo = new MemoryMessages();
    outbox = { add: jest.fn() };
    calls = [];
    active = ['alpha', 'beta', 'gamma'];
    defaultKey = 'alpha';
    sends = { alpha: sent('a-1'), beta: sent('b-1'), gamma: sent('g-1') };
  });

  it('sends through the default provider when the request names none', async () => {
    const d = await three().dispatch(email());
    expect(d).toEqual({ id: expect.any(String), status: 'sent', provider: 'alpha' });
    expect(calls).toEqual(['alpha']);
    expect(repo.messages.get(d.id)).toMatchObject({ provider: 'alpha', status: 'sent', provider_message_id: 'a-1' });
    expect(outbox.add).toHaveBeenCalledTimes(1);
  });

  it('sends through the provider the request names, not the default', async () => {
    const d = await three().dispatch(email({ provider: 'gamma' }));
    expect(d.provider).toBe('gamma');
    expect(calls).toEqual(['gamma']);
  });

  it('fails over to the next active provider on a retryable failure and says from where', async () => {
    sends.alpha = fails('provider_error', { httpStatus: 503 });
    const d = await three().dispatch(email());
    expect(d).toMatchObject({ provider: 'beta', failoverFrom: 'alpha', status: 'sent' });
    expect(calls).toEqual(['alpha', 'beta']);
    expect(repo.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['alpha', 'failed'],
      ['beta', 'sent'],
    ]);
    expect(repo.messages.get(d.id)!.provider).toBe('beta');
  });

  it.each(['rate_limited', 'timeout', 'network', 'circuit_open'] as const)('treats %s as retryable', async (code) => {
    sends.alpha = fails(code);
    await expect(three().dispatch(email())).resolves.toMatchObject({ provider: 'beta', failoverFrom: 'alpha' });
  });

  it('does not fail over on a refusal: the message fails with the provider reason', async () => {
    sends.alpha = fails('refused', { httpStatus: 400 });
    const err = await rejection(three().dispatch(email()));
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe(ErrorCode.ProviderRefused);
    expect(calls).toEqual(['alpha']);
    expect(repo.attempts).toEqual([expect.objectContaining({ provider: 'alpha', outcome: 'refused' })]);
    const [message] = repo.messages.values();
    expect(message.status).toBe('failed');
    expect(repo.events).toEqual([expect.objectContaining({ status: 'failed', provider_status: 'refused' })]);
  });

  it('tries every active provider once, then fails with the last failure', async () => {
    sends = { alpha: fails('timeout'), beta: fails('network'), gamma: fails('provider_error') };
    const err = await rejection(three().dispatch(email()));
    expect(err.code).toBe(ErrorCode.ProviderFailed);
    expect(err.message).toContain('gamma');
    expect(calls).toEqual(['alpha', 'beta', 'gamma']);
    expect([...repo.messages.values()].map((m) => m.status)).toEqual(['failed']);
  });

  it('skips providers this build has no connector or no port for', async () => {
    sends.alpha = fails('provider_error');
    active = ['alpha', 'beta', 'gamma', 'delta'];
    const smsOnly = { manifest: { key: 'beta' }, sms: { send: jest.fn() } } as unknown as Connector;
    const svc = service([emailConnector('alpha'), smsOnly, emailConnector('gamma')]);
    await expect(svc.dispatch(email())).resolves.toMatchObject({ provider: 'gamma', failoverFrom: 'alpha' });
    expect(calls).toEqual(['alpha', 'gamma']);
  });

  it('moves past a default provider without this channel before writing the message', async () => {
    const smsOnly = { manifest: { key: 'alpha' }, sms: { send: jest.fn() } } as unknown as Connector;
    const d = await service([smsOnly, emailConnector('beta')]).dispatch(email());
    expect(d).toMatchObject({ provider: 'beta', failoverFrom: 'alpha' });
    expect(repo.messages.size).toBe(1);
  });

  it('does not swap a named provider without this channel for another, and writes nothing', async () => {
    const smsOnly = { manifest: { key: 'gamma' }, sms: { send: jest.fn() } } as unknown as Connector;
    const svc = service([emailConnector('alpha'), smsOnly]);
    await expect(svc.dispatch(email({ provider: 'gamma' }))).rejects.toMatchObject({ code: ErrorCode.Conflict });
    expect(calls).toEqual([]);
    expect(repo.messages.size).toBe(0);
  });

  it('refuses a suppressed recipient, whichever provider is named, before calling one or writing anything', async () => {
    repo.suppressions.set('email:ann@example.com', 'bounced');
    const err = await rejection(three().dispatch(email()));
    expect(err.code).toBe(ErrorCode.Conflict);
    expect(err.message).toContain('suppression list (bounced)');
    expect(calls).toEqual([]);
    expect(repo.messages.size).toBe(0);
    await expect(three().dispatch(email({ provider: 'beta' }))).rejects.toMatchObject({ code: ErrorCode.Conflict });
    expect(calls).toEqual([]);
  });

  it('keys suppression by channel: an address suppressed for sms still gets email', async () => {
    repo.suppressions.set('sms:ann@example.com', 'stop');
    await expect(three().dispatch(email())).resolves.toMatchObject({ provider: 'alpha' });
  });

  it('passes the status callback URL for the chosen provider and message', async () => {
    let url = '';
    const d = await three().dispatch(
      email({
        invoke: (_c, _config, _id, opts) => {
          url = opts.statusCallbackUrl!;
          return Promise.resolve({ providerMessageId: 'x', status: 'sent', providerStatus: 'ok' });
        },
      }),
    );
    expect(url).toBe(`https://hooks.example.com/webhooks/comms/alpha?message_id=${d.id}`);
  });
});
