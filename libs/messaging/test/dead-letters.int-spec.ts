import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

import { eventSubjects } from '@app/contracts';
import { Metrics } from '@app/observability';
import { createServiceDataSource, initializeServiceDataSource } from '@app/persistence';
import { createTestInfra, eventually, type TestInfra } from '@app/testing';

import {
  AuditLog,
  AuditTrailTable1767000000000,
  ConsumerRegistry,
  DeadLetterService,
  DeadLetterTable1765000000000,
  DurableConsumer,
  ensureEventStream,
  eventStreamNames,
  MessagingTables1764000000000,
  OutboxRelay,
  OutboxWriter,
} from '../src';

class EffectsTable1764000000002 implements MigrationInterface {
  async up(q: QueryRunner) {
    await q.query(`CREATE TABLE probe (id serial PRIMARY KEY, note text NOT NULL)`);
    await q.query(`CREATE TABLE effects (note text NOT NULL)`);
  }
  async down() {
    /* test only */
  }
}

const SUBJECT = eventSubjects.systemProbeRecorded;
const logger = pino({ level: 'silent' });

describe('durable consumer: poison messages are parked, not retried forever (real NATS and Postgres)', () => {
  let infra: TestInfra;
  let ds: DataSource;
  let nc: NatsConnection;
  const outbox = new OutboxWriter();

  async function publish(...notes: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const note of notes) {
      ids.push(
        await ds.transaction(async (m) => {
          await m.query(`INSERT INTO probe (note) VALUES ($1)`, [note]);
          return outbox.add(m, SUBJECT, { note });
        }),
      );
    }
    await new OutboxRelay({ dataSource: ds, nc, schema: 'dltest', prefix: infra.prefix, logger }).drainOnce();
    return ids;
  }
  const effects = async () =>
    (await ds.query<{ note: string }[]>(`SELECT note FROM effects ORDER BY note`)).map((r) => r.note);
  const parked = async () =>
    ds.query<Record<string, unknown>[]>(`SELECT * FROM dead_letters WHERE parked_at IS NOT NULL ORDER BY parked_at`);

  beforeEach(async () => {
    infra = await createTestInfra();
    nc = await connect({ servers: infra.natsUrl });
    await ensureEventStream(nc, infra.prefix);
    ds = createServiceDataSource({
      url: infra.databaseUrl,
      schema: 'dltest',
      entities: [],
      migrations: [
        MessagingTables1764000000000,
        DeadLetterTable1765000000000,
        AuditTrailTable1767000000000,
        EffectsTable1764000000002,
      ],
    });
    await initializeServiceDataSource(ds);
  });
  afterEach(async () => {
    await ds.destroy();
    await nc.close();
    await infra.cleanup();
  });

  it('parks a poison after its bounded deliveries, with growing delays, acks it, and processes the ones behind it', async () => {
    const metrics = new Metrics('test', { defaultMetrics: false });
    const seen: { at: number; count: number }[] = [];
    const consumer = new DurableConsumer<{ note: string }>({
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'probe-poison',
      filterSubject: SUBJECT,
      logger,
      metrics,
      maxDeliveries: 4,
      retryDelayMs: 100,
      maxRetryDelayMs: 10_000,
      handler: async (event, m) => {
        if (event.data.note === 'poison') {
          seen.push({ at: Date.now(), count: event.deliveryCount });
          throw new Error('cannot handle poison');
        }
        await m.query(`INSERT INTO effects (note) VALUES ($1)`, [event.data.note]);
      },
    });
    const [poisonId] = await publish('poison', 'after-1', 'after-2');
    await consumer.start();
    const [dl] = await eventually('the poison parked', async () => (await parked())[0] && parked());
    await consumer.stop();

    expect(await effects()).toEqual(['after-1', 'after-2']);
    expect(seen.map((s) => s.count)).toEqual([1, 2, 3, 4]);
    const gaps = seen.slice(1).map((s, i) => s.at - seen[i].at);
    // 100, 200, 400 ms asked for: each gap at least its delay, and the last clearly longer than the first
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
    expect(gaps[2]).toBeGreaterThanOrEqual(390);
    expect(dl).toMatchObject({
      consumer: 'probe-poison',
      subject: SUBJECT,
      message_id: poisonId,
      payload: { note: 'poison' },
      error: 'cannot handle poison',
      attempts: 4,
    });
    expect(new Date(dl.first_failed_at as string).getTime()).toBeLessThanOrEqual(
      new Date(dl.parked_at as string).getTime(),
    );
    // acked: nothing pending on the server, so it is never offered again
    const info = await (
      await jetstreamManager(nc)
    ).consumers.info(eventStreamNames(infra.prefix).stream, `${infra.prefix}_probe-poison`);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
    expect(info.config.max_deliver === -1 || (info.config.max_deliver ?? 0) > 4).toBe(true);
    expect((await metrics.deadLettersTotal.get()).values).toEqual([
      expect.objectContaining({ labels: { consumer: 'probe-poison' }, value: 1 }),
    ]);
  });

  it('replays a parked message to its own consumer once the handler is fixed, and discards another', async () => {
    let broken = true;
    const registry = new ConsumerRegistry();
    const consumer = new DurableConsumer<{ note: string }>({
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'probe-replay',
      filterSubject: SUBJECT,
      logger,
      registry,
      maxDeliveries: 2,
      retryDelayMs: 20,
      handler: async (event, m) => {
        if (broken && event.data.note.startsWith('bad')) throw new Error(`refused ${event.data.note}`);
        await m.query(`INSERT INTO effects (note) VALUES ($1)`, [event.data.note]);
      },
    });
    // a second consumer of the same subject: a replay must not reach it
    const bystander = new DurableConsumer<{ note: string }>({
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'probe-bystander',
      filterSubject: SUBJECT,
      logger,
      registry,
      handler: async (event, m) => {
        await m.query(`INSERT INTO effects (note) VALUES ($1)`, [`bystander:${event.data.note}`]);
      },
    });
    const service = new DeadLetterService({ dataSource: ds, registry, audit: new AuditLog(ds, 'kyc'), logger });
    await publish('bad-1', 'bad-2');
    await consumer.start();
    await bystander.start();
    await eventually('both parked', async () => (await parked()).length === 2);
    await eventually('bystander done', async () => (await effects()).length === 2);

    const page = await service.list({ consumer: 'probe-replay', limit: 1 });
    expect(page.dead_letters).toHaveLength(1);
    const rest = await service.list({
      consumer: 'probe-replay',
      limit: 10,
      after: { parked_at: page.dead_letters[0].parked_at, id: page.dead_letters[0].id },
    });
    expect(rest.dead_letters).toHaveLength(1);
    const [first, second] = [page.dead_letters[0], rest.dead_letters[0]];
    expect(await service.list({ consumer: 'probe-bystander', limit: 10 })).toEqual({ dead_letters: [] });

    // still broken: the replay fails, the dead letter stays with one attempt more and the new error
    await service.replay(first.id);
    await service.idle();
    expect(await service.get(first.id)).toMatchObject({
      attempts: 3,
      error: `refused ${(first.payload as { note: string }).note}`,
    });

    broken = false;
    expect(await service.replay(first.id)).toEqual({ id: first.id });
    await service.idle();
    expect(await service.get(first.id)).toBeNull();
    expect(await service.discard(second.id)).toBe(true);
    expect(await service.discard(second.id)).toBe(false);
    await expect(service.replay(second.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await consumer.stop();
    await bystander.stop();
    const note = (first.payload as { note: string }).note;
    expect(await effects()).toEqual(['bystander:bad-1', 'bystander:bad-2', note].sort());
    expect(await ds.query(`SELECT message_id FROM processed_messages WHERE consumer = 'probe-replay'`)).toEqual([
      { message_id: first.message_id },
    ]);
  });

  it('replays and discards every dead letter of one consumer', async () => {
    let broken = true;
    const registry = new ConsumerRegistry();
    const consumer = new DurableConsumer<{ note: string }>({
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'probe-bulk',
      filterSubject: SUBJECT,
      logger,
      registry,
      maxDeliveries: 1,
      retryDelayMs: 20,
      handler: async (event, m) => {
        if (broken) throw new Error('down');
        await m.query(`INSERT INTO effects (note) VALUES ($1)`, [event.data.note]);
      },
    });
    const service = new DeadLetterService({ dataSource: ds, registry, audit: new AuditLog(ds, 'kyc'), logger });
    await publish('a', 'b', 'c');
    await consumer.start();
    await eventually('three parked', async () => (await parked()).length === 3);
    broken = false;
    expect(await service.replayConsumer('probe-bulk')).toEqual({ replayed: 3 });
    await service.idle();
    expect(await effects()).toEqual(['a', 'b', 'c']);
    expect(await parked()).toEqual([]);

    broken = true;
    await publish('d', 'e');
    await eventually('two parked', async () => (await parked()).length === 2);
    expect(await service.discardConsumer('probe-bulk')).toEqual({ discarded: 2 });
    expect(await service.discardConsumer('probe-bulk')).toEqual({ discarded: 0 });
    await consumer.stop();
  });

  it('parks a message that is not JSON at once', async () => {
    const consumer = new DurableConsumer<{ note: string }>({
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'probe-garbage',
      filterSubject: SUBJECT,
      logger,
      maxDeliveries: 5,
      retryDelayMs: 5000,
      handler: async (event, m) => {
        await m.query(`INSERT INTO effects (note) VALUES ($1)`, [event.data.note]);
      },
    });
    const { jetstream } = await import('@nats-io/jetstream');
    await jetstream(nc).publish(`${infra.prefix}.${SUBJECT}`, 'not json {', { msgID: 'garbage-1' });
    await publish('fine');
    await consumer.start();
    const [dl] = await eventually('garbage parked', async () => (await parked())[0] && parked());
    await eventually('fine handled', async () => (await effects()).length === 1);
    await consumer.stop();
    expect(dl).toMatchObject({ message_id: 'garbage-1', payload: 'not json {', attempts: 1 });
    expect(dl.error).toMatch(/JSON/);
  });
});
