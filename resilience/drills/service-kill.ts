import { randomUUID } from 'node:crypto';

import { SendgridFake } from '@app/connectors/providers/sendgrid/sendgrid.fake';
import { eventually } from '@app/testing';

import { onPlatform, type Drill } from '../lib/drill';
import { sleep } from '../lib/infra';
import { attempt, closedLoop, retryUntil2xx, Statuses } from '../lib/load';
import { RowBuilder, seconds } from '../lib/report';
import { secrets } from '../lib/secrets';

const WORKERS = 8;
/** How long a CRM keeps retrying one Idempotency-Key before it gives up on it. */
const KEY_BUDGET_MS = 15_000;
/**
 * The gateway gives a send 45 s (SEND_TIMEOUT_MS: it may fail over through every provider), so a send in
 * flight when comms dies is answered 504 after that; a request unanswered past this is a hang.
 */
const HANG_MS = 50_000;

/**
 * Comms SIGKILLed while sends with Idempotency-Keys flow (each key retried until a 2xx, as a CRM does).
 * One effect per key: the SendGrid fake's received mails are counted per key (the key is in the subject).
 * A key in flight when comms died stays claimed (pending) until it goes stale: its retries are refused,
 * never sent twice; such keys are reported as "in doubt".
 */
export const serviceKill: Drill = {
  id: '1',
  name: 'service killed under load',
  run: () => {
    const rb = new RowBuilder('1', 'service killed under load (comms, SIGKILL)');
    return onPlatform(rb, { name: 'service-kill', services: { catalog: 1, comms: 1 } }, async (p) => {
      const apiKey = `SG.rs-${randomUUID()}`;
      secrets.add('SendGrid API key', apiKey);
      const fake = await new SendgridFake({ apiKey }).start();
      try {
        const act = await p.api('POST', '/api/platform/integrations/providers/sendgrid/activate', {
          credentials: { api_key: apiKey },
          settings: { base_url: fake.baseUrl },
        });
        if (act.status !== 200) throw new Error(`activating sendgrid answered ${act.status}`);

        const statuses = new Statuses();
        const answered = new Map<string, string>(); // key -> message_id
        const abandoned = new Set<string>();
        const tried = new Set<string>();
        let running = true;
        let restartedAt = 0;
        let firstFreshSuccessAfterRestart = 0;
        let killedAt = 0;
        const probes = new Statuses();
        const send = (key: string) =>
          p.api(
            'POST',
            '/api/platform/integrations/email/send',
            {
              to: 'lead@example.com',
              subject: `resilience ${key}`,
              body_html: '<p>drill</p>',
              from_email: 'support@broker.example',
              event_type: 'drill',
            },
            { 'idempotency-key': key },
          );

        const work = async () => {
          const key = randomUUID();
          const startedAt = Date.now();
          tried.add(key);
          const a = await retryUntil2xx(statuses, KEY_BUDGET_MS, () => send(key));
          if (a && a.status === 200) {
            answered.set(key, a.json<{ message_id: string }>().message_id);
            if (restartedAt && startedAt >= restartedAt && !firstFreshSuccessAfterRestart)
              firstFreshSuccessAfterRestart = Date.now();
          } else abandoned.add(key);
        };
        const load = closedLoop(WORKERS, () => running, work);

        await sleep(4000);
        const beforeKill = answered.size;
        killedAt = Date.now();
        await p.kill('comms');
        await sleep(1500);
        const spawnAt = Date.now();
        await p.restart('comms');
        restartedAt = Date.now();
        // the workers may all be waiting on sends lost with comms: a probe of fresh keys times the recovery
        await eventually(
          'a fresh key answered after the restart',
          async () => {
            const key = randomUUID();
            tried.add(key);
            const a = await attempt(probes, () => send(key));
            if (a?.status !== 200) return false;
            answered.set(key, a.json<{ message_id: string }>().message_id);
            firstFreshSuccessAfterRestart ||= Date.now();
            return true;
          },
          { timeoutMs: 60_000, everyMs: 100 },
        );
        // fresh clients too: the first ones may still wait on the sends that died with comms
        await closedLoop(WORKERS, () => Date.now() < restartedAt + 5000, work);
        running = false;
        await load;

        // the same key again: the first answer, no second mail
        const sample = [...answered].slice(0, 20);
        let replayMismatch = 0;
        for (const [key, messageId] of sample) {
          const again = await send(key);
          if (again.status !== 200 || again.json<{ message_id: string }>().message_id !== messageId) replayMismatch++;
        }

        const perKey = new Map<string, number>();
        for (const m of fake.sent) {
          const key = /^resilience (.+)$/.exec(m.body.subject ?? '')?.[1];
          if (key) perKey.set(key, (perKey.get(key) ?? 0) + 1);
        }
        const lost = [...answered.keys()].filter((k) => !perKey.get(k)).length;
        const duplicated = [...perKey.values()].filter((n) => n > 1).reduce((s, n) => s + n - 1, 0);
        const inDoubt = [...abandoned].filter((k) => !answered.has(k));
        const recovered = firstFreshSuccessAfterRestart - restartedAt;
        rb.set({
          load: `${WORKERS} clients, ${tried.size} keys (${statuses.total} requests)`,
          fault: `SIGKILL comms after ${beforeKill} keys, restarted 1.5 s later (ready in ${seconds(restartedAt - spawnAt)})`,
          answered2xx: answered.size,
          effects: fake.sent.length,
          lost,
          duplicated,
          recoveredIn: `${seconds(recovered)} after ready (${seconds(firstFreshSuccessAfterRestart - killedAt)} after the kill)`,
          shed: statuses.of503 + probes.of503,
        });
        rb.note(
          `answers: ${statuses.toString()}; slowest ${seconds(statuses.slowestMs)}; probes after the restart: ${probes.toString()}`,
        );
        if (statuses.slowestMs > 40_000)
          rb.note(
            "sends in flight at the kill waited for the gateway's 45 s send deadline (504): NATS cannot tell a requester that its responder died",
          );
        rb.note(
          `${inDoubt.length} keys in doubt (in flight at the kill, still claimed; mails sent for them: ${inDoubt.filter((k) => perKey.get(k)).length})`,
        );
        rb.check(lost === 0, `${lost} keys answered 200 but never sent`);
        rb.check(duplicated === 0, `${duplicated} extra mails for keys already sent`);
        rb.check(
          replayMismatch === 0,
          `${replayMismatch} of ${sample.length} repeated keys did not return the first answer`,
        );
        rb.check(statuses.slowestMs < HANG_MS, `a request hung for ${seconds(statuses.slowestMs)}`);
        rb.check(statuses.of500 + probes.of500 === 0, `${statuses.of500} answers were 500`);
        rb.check(recovered <= 20_000, `first success ${seconds(recovered)} after the restart (limit 20 s)`);
        rb.check(
          inDoubt.length <= WORKERS,
          `${inDoubt.length} keys never answered (more than the ${WORKERS} in flight at the kill)`,
        );
      } finally {
        await fake.stop();
      }
    });
  },
};
