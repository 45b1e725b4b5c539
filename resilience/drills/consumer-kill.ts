import { randomUUID } from 'node:crypto';

import { jetstreamManager } from '@nats-io/jetstream';

import { eventually } from '@app/testing';

import { onPlatform, type Drill } from '../lib/drill';
import { positiveInt } from '../lib/env';
import {
  allLeadsDelivered,
  insertLeads,
  leadEventCounts,
  processedCount,
  publishDeposits,
  registerAffiliate,
  setDefaultThreshold,
} from '../lib/fixtures';
import { metricSum } from '../lib/load';
import { AffiliateReceiver } from '../lib/receiver';
import { RowBuilder, seconds } from '../lib/report';

const EVENTS = positiveInt('RESILIENCE_CONSUMER_EVENTS', 20_000);
const CONSUMER = 'affiliates-deposits';

/**
 * Affiliates' deposit consumer SIGKILLed in the middle of a backlog, with messages delivered to it and not
 * yet acked. After the restart every deposit is handled (after JetStream's ack wait, 30 s, for the ones
 * the dead process held), and handled once: one lead.ftd per customer, each lead delivered once.
 */
export const consumerKill: Drill = {
  id: '4',
  name: 'consumer killed before ack',
  run: async () => {
    const rb = new RowBuilder('4', 'consumer killed before ack (affiliates, SIGKILL mid-backlog)');
    const receiver = await new AffiliateReceiver().start();
    try {
      return await onPlatform(
        rb,
        {
          name: 'consumer-kill',
          services: { affiliates: 1 },
          env: {
            AFFILIATE_ALLOWED_HOSTS: receiver.host,
            AFFILIATE_ALLOW_HTTP: 'true',
            AFFILIATE_BATCH_INTERVAL_MS: '200',
          },
        },
        async (p) => {
          await registerAffiliate(p, 'aff-ack', `${receiver.url}/hook`);
          await setDefaultThreshold(p);
          const customers = Array.from({ length: EVENTS }, () => randomUUID());
          await insertLeads(p, 'aff-ack', customers);
          // a backlog first: affiliates stopped (gracefully), the deposits published, affiliates started
          await p.proc('affiliates').stop('SIGTERM');
          await publishDeposits(p, customers, 'dep');
          await p.restart('affiliates');
          const killAt = await eventually(
            'a part of the backlog handled',
            async () => {
              const n = await processedCount(p, 'affiliates', CONSUMER);
              return n >= EVENTS * 0.2 ? n : undefined;
            },
            { timeoutMs: 60_000, everyMs: 10 },
          );
          await p.kill('affiliates');
          const killedAt = Date.now();
          const crm = await p.natsAs('crm');
          const info = await (await jetstreamManager(crm)).consumers.info('EVENTS', CONSUMER);
          const handledAtKill = await processedCount(p, 'affiliates', CONSUMER);
          await p.restart('affiliates');
          const restartedAt = Date.now();
          const done = await eventually(
            'every deposit handled after the restart',
            async () => (await processedCount(p, 'affiliates', CONSUMER)) >= EVENTS && Date.now(),
            { timeoutMs: 180_000, everyMs: 100 },
          ).catch((err: Error) => {
            rb.check(false, err.message);
            return Date.now();
          });
          await eventually('every lead delivered', async () => allLeadsDelivered(p), {
            timeoutMs: 90_000,
            everyMs: 250,
          }).catch((err: Error) => rb.note(err.message));

          const ftd = await leadEventCounts(p, 'lead.ftd');
          const handled = await processedCount(p, 'affiliates', CONSUMER);
          const lost = customers.filter((c) => !ftd.has(c)).length;
          const lostDeliveries = customers.filter(
            (c) => ftd.has(c) && !receiver.has('/hook', 'lead.ftd', `L-${c}`),
          ).length;
          const duplicated = [...ftd.values()].reduce((s, n) => s + n - 1, 0);
          const pages = await p.metricsPages();
          const dropped = pages.reduce(
            (s, pg) => s + metricSum(pg.text, 'consumer_messages_total', `consumer="${CONSUMER}",outcome="duplicate"`),
            0,
          );
          rb.set({
            load: `${EVENTS} deposit events in a backlog`,
            fault: `SIGKILL affiliates after ${killAt} handled (${info.num_ack_pending} delivered, unacked)`,
            answered2xx: '-',
            effects: `${ftd.size} lead.ftd, ${handled} handled`,
            lost: lost + lostDeliveries,
            duplicated: duplicated + receiver.duplicatedItems,
            recoveredIn: `${seconds(done - restartedAt)} after the restart (ack wait 30 s)`,
            shed: '-',
          });
          rb.note(
            `handled when killed: ${handledAtKill}; redelivered after the restart and dropped by the ledger: ${dropped}; batches re-sent with the same webhook-id: ${receiver.resentBatches}`,
          );
          rb.check(
            info.num_ack_pending > 0,
            'no message was delivered and unacked at the kill: the drill proved nothing',
          );
          rb.check(lost === 0, `${lost} deposits never handled`);
          rb.check(lostDeliveries === 0, `${lostDeliveries} lead.ftd never delivered`);
          rb.check(duplicated === 0, `${duplicated} deposits handled twice`);
          rb.check(
            receiver.duplicatedItems === 0,
            `${receiver.duplicatedItems} leads delivered in two different batches`,
          );
          rb.check(
            done - killedAt <= 300_000,
            `backlog handled ${seconds(done - killedAt)} after the kill (limit 300 s)`,
          );
        },
      );
    } finally {
      await receiver.stop();
    }
  },
};
