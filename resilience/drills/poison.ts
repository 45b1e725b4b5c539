import { randomUUID } from 'node:crypto';

import { jetstream } from '@nats-io/jetstream';

import { eventually } from '@app/testing';

import { onPlatform, type Drill } from '../lib/drill';
import {
  allLeadsDelivered,
  insertLeads,
  leadEventCounts,
  publishDeposits,
  registerAffiliate,
  setDefaultThreshold,
} from '../lib/fixtures';
import { AffiliateReceiver } from '../lib/receiver';
import { RowBuilder, seconds } from '../lib/report';

const BEHIND = 500;

interface DeadLetter {
  id: string;
  consumer: string;
  subject: string;
  message_id: string;
  attempts: number;
  error: string;
}

/**
 * Poison messages (not JSON) ahead of good ones on two consumers' subjects: affiliates' deposits and
 * KYC's webhook processor. Each is parked as a dead letter (GET /api/platform/ops/dead-letters lists it)
 * and the events behind it are all handled, once.
 */
export const poison: Drill = {
  id: '5',
  name: 'poison message',
  run: async () => {
    const rb = new RowBuilder('5', 'poison message ahead of good ones');
    const receiver = await new AffiliateReceiver().start();
    try {
      return await onPlatform(
        rb,
        {
          name: 'poison',
          services: { catalog: 1, payments: 1, kyc: 1, comms: 1, affiliates: 1 },
          env: {
            AFFILIATE_ALLOWED_HOSTS: receiver.host,
            AFFILIATE_ALLOW_HTTP: 'true',
            AFFILIATE_BATCH_INTERVAL_MS: '200',
          },
        },
        async (p) => {
          await registerAffiliate(p, 'aff-poison', `${receiver.url}/hook`);
          await setDefaultThreshold(p);
          const customers = Array.from({ length: BEHIND }, () => randomUUID());
          await insertLeads(p, 'aff-poison', customers);
          const poisons = [
            {
              app: 'payments' as const,
              subject: 'evt.payments.deposit.approved',
              consumer: 'affiliates-deposits',
              id: `poison-${randomUUID()}`,
            },
            {
              app: 'kyc' as const,
              subject: 'evt.kyc.webhook.recorded',
              consumer: 'kyc-webhook-processor',
              id: `poison-${randomUUID()}`,
            },
          ];
          const sentAt = Date.now();
          for (const x of poisons) {
            const nc = await p.natsAs(x.app);
            await jetstream(nc).publish(x.subject, '{"customer_id": "not json', { msgID: x.id });
          }
          await publishDeposits(p, customers, 'good');

          const parked = await eventually(
            'both poison messages parked',
            async () => {
              const res = await p.api('GET', '/api/platform/ops/dead-letters?limit=100');
              if (res.status !== 200) return undefined;
              const list = res.json<{ dead_letters: DeadLetter[] }>().dead_letters;
              return poisons.every((x) => list.some((d) => d.message_id === x.id && d.consumer === x.consumer))
                ? { list, at: Date.now() }
                : undefined;
            },
            { timeoutMs: 60_000, everyMs: 100 },
          ).catch((err: Error) => {
            rb.check(false, err.message);
            return { list: [] as DeadLetter[], at: Date.now() };
          });
          const behindDone = await eventually(
            'the deposits behind the poison handled',
            async () => (await leadEventCounts(p, 'lead.ftd')).size >= BEHIND && Date.now(),
            { timeoutMs: 60_000, everyMs: 100 },
          ).catch((err: Error) => {
            rb.check(false, err.message);
            return Date.now();
          });
          await eventually('every lead delivered', async () => allLeadsDelivered(p), {
            timeoutMs: 60_000,
            everyMs: 250,
          }).catch((err: Error) => rb.note(err.message));

          const ftd = await leadEventCounts(p, 'lead.ftd');
          const lost = customers.filter((c) => !ftd.has(c)).length;
          const lostDeliveries = customers.filter(
            (c) => ftd.has(c) && !receiver.has('/hook', 'lead.ftd', `L-${c}`),
          ).length;
          const duplicated = [...ftd.values()].reduce((s, n) => s + n - 1, 0);
          const ours = parked.list.filter((d) => poisons.some((x) => x.id === d.message_id));
          rb.set({
            load: `2 poison messages, then ${BEHIND} deposits`,
            fault: 'non-JSON events on affiliates-deposits and kyc-webhook-processor',
            answered2xx: '-',
            effects: `${ours.length} parked, ${ftd.size} lead.ftd`,
            lost: lost + lostDeliveries,
            duplicated: duplicated + receiver.duplicatedItems,
            recoveredIn: `parked in ${seconds(parked.at - sentAt)}, the rest handled in ${seconds(behindDone - sentAt)}`,
            shed: '-',
          });
          for (const d of ours)
            rb.note(`dead letter ${d.consumer} ${d.subject}: attempts ${d.attempts}, error "${d.error.slice(0, 80)}"`);
          rb.check(
            ours.length === poisons.length,
            `${ours.length} of ${poisons.length} poison messages listed as dead letters`,
          );
          rb.check(
            parked.list.length === ours.length,
            `${parked.list.length - ours.length} good events parked as well`,
          );
          rb.check(lost === 0, `${lost} deposits behind the poison never handled`);
          rb.check(lostDeliveries === 0, `${lostDeliveries} lead.ftd never delivered`);
          rb.check(duplicated === 0, `${duplicated} deposits handled twice`);
        },
      );
    } finally {
      await receiver.stop();
    }
  },
};
