import { Inject, Injectable } from '@nestjs/common';

import { normaliseAddress } from '@app/connectors';
import type { CallReply, CreateCallRequest, SendEmailRequest, SendReply, SendSmsRequest } from '@app/contracts';
import { currentContext } from '@app/observability';
import { Idempotency } from '@app/persistence';
import { SERVICE_CONFIG } from '@app/runtime';

import type { CommsConfig } from '../comms.config';
import { CommsErrors } from '../comms.errors';
import { DispatchService, type Dispatched } from './dispatch.service';

const reply = (d: Dispatched): SendReply => ({
  message_id: d.id,
  status: d.status,
  provider: d.provider,
  ...(d.failoverFrom ? { failover_from: d.failoverFrom } : {}),
});

/** The three send endpoints: content checks, Idempotency-Key, then one dispatch. */
@Injectable()
export class SendService {
  constructor(
    private readonly dispatcher: DispatchService,
    private readonly idempotency: Idempotency,
    @Inject(SERVICE_CONFIG) private readonly config: CommsConfig,
  ) {}

  sendEmail(req: SendEmailRequest): Promise<SendReply> {
    for (const field of ['body_html', 'body_text'] as const) {
      const value = req[field];
      if (value !== undefined && Buffer.byteLength(value, 'utf8') > this.config.COMMS_MAX_HTML_BYTES) {
        throw CommsErrors.htmlTooLarge(field, this.config.COMMS_MAX_HTML_BYTES);
      }
    }
    return this.once('email.send', req, async () =>
      reply(
        await this.dispatcher.dispatch({
          channel: 'email',
          category: 'email',
          to: normaliseAddress('email', req.to),
          customerId: req.customer_id,
          eventType: req.event_type,
          provider: req.provider,
          supports: (c) => !!c.email,
          invoke: (c, config, messageId, opts) =>
            c.email?.send(
              config,
              {
                messageId,
                to: req.to,
                subject: req.subject,
                html: req.body_html,
                text: req.body_text,
                fromEmail: req.from_email,
                fromName: req.from_name,
              },
              opts,
            ) ?? null,
        }),
      ),
    );
  }

  sendSms(req: SendSmsRequest): Promise<SendReply> {
    return this.once('sms.send', req, async () =>
      reply(
        await this.dispatcher.dispatch({
          channel: 'sms',
          category: 'sms',
          to: normaliseAddress('sms', req.to),
          customerId: req.customer_id,
          eventType: req.event_type,
          provider: req.provider,
          supports: (c) => !!c.sms,
          invoke: (c, config, messageId, opts) =>
            c.sms?.send(config, { messageId, to: req.to, body: req.body }, opts) ?? null,
        }),
      ),
    );
  }

  call(req: CreateCallRequest): Promise<CallReply> {
    return this.once('calls.create', req, async () => {
      const d = await this.dispatcher.dispatch({
        channel: 'call',
        category: 'voip',
        to: normaliseAddress('call', req.to),
        customerId: req.customer_id,
        eventType: req.event_type,
        provider: req.provider,
        supports: (c) => !!c.voice,
        invoke: (c, config, messageId, opts) =>
          c.voice?.call(config, { messageId, to: req.to, agent: req.agent, customerId: req.customer_id }, opts) ?? null,
      });
      return {
        call_id: d.id,
        status: d.status,
        provider: d.provider,
        ...(d.failoverFrom ? { failover_from: d.failoverFrom } : {}),
      };
    });
  }

  /** Idempotency-Key: scoped by caller (platform key id) and endpoint; the key itself is not part of the body. */
  private once<T>(endpoint: string, req: { idempotency_key?: string }, work: () => Promise<T>): Promise<T> {
    const { idempotency_key: key, ...body } = req;
    return this.idempotency.run(`${currentContext()?.actor ?? 'internal'}:${endpoint}`, key, body, work);
  }
}
