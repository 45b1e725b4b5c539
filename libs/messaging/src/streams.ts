import { jetstreamManager, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';

import { EVENTS_STREAM, EVENTS_SUBJECT_ROOT } from '@app/contracts';

import { prefixed, prefixedName } from './nats';

export interface StreamNames {
  stream: string;
  /** Subject filter of every durable event in this deployment. */
  subjects: string;
}

export function eventStreamNames(prefix: string): StreamNames {
  return { stream: prefixedName(prefix, EVENTS_STREAM), subjects: prefixed(prefix, `${EVENTS_SUBJECT_ROOT}.>`) };
}

/** How long the EVENTS stream keeps a message: the longest a message can be (re)delivered after its publish. */
export const EVENTS_STREAM_MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
/** Publishes with the same Nats-Msg-Id within this window are stored once (outbox relay retries). */
export const EVENTS_DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

/** The event stream's configuration; `replicas` is EVENTS_STREAM_REPLICAS (1 on a single NATS server, 3 on the k8s cluster). */
export function eventStreamConfig(names: StreamNames, replicas = 1): Partial<StreamConfig> & { name: string } {
  return {
    name: names.stream,
    subjects: [names.subjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    duplicate_window: nanos(EVENTS_DUPLICATE_WINDOW_MS),
    max_age: nanos(EVENTS_STREAM_MAX_AGE_MS),
    num_replicas: replicas,
  };
}

/**
 * Creates the durable event stream, or updates it to this config; every service calls it at start, so
 * the first one up creates it. The duplicate window is what makes an outbox relay retry harmless. An
 * existing stream with another replica count is updated to this one (JetStream moves the data).
 */
export async function ensureEventStream(
  nc: NatsConnection,
  prefix: string,
  opts: { replicas?: number } = {},
): Promise<StreamNames> {
  const names = eventStreamNames(prefix);
  const jsm = await jetstreamManager(nc);
  const config = eventStreamConfig(names, opts.replicas ?? 1);
  try {
    await ensure(jsm, config);
  } catch (err) {
    const message = String((err as Error)?.message);
    // a single server refuses more than one replica: say which setting asked for them
    if (config.num_replicas! > 1 && /replicas|cluster/i.test(message)) {
      throw new Error(
        `the ${names.stream} stream cannot have ${config.num_replicas} replicas (EVENTS_STREAM_REPLICAS) on this NATS: ${message}`,
        { cause: err },
      );
    }
    throw err;
  }
  return names;
}

async function ensure(
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, config);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      await jsm.streams.add(config);
    } catch (addErr) {
      // another service created it between our info and add
      if (!String((addErr as Error).message).includes('already in use')) throw addErr;
    }
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: number; api_error?: { err_code?: number } };
  return e?.name === 'StreamNotFoundError' || /not found/i.test(String(e?.message));
}
