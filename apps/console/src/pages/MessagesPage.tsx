import { useState, type FormEvent, type JSX } from 'react';

import type { Schemas } from '@app/sdk';

import { problemText, useClient } from '../client';
import { ErrorNote, Loading, Page, scrollRegion } from '../ui';

type Message = Schemas['MessageView'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function when(at: string): string {
  return new Date(at).toLocaleString();
}

/** One timeline of a message: its provider events and send attempts, oldest first. */
function Timeline({ message }: { message: Message }): JSX.Element {
  const rows = [
    ...message.events.map((e) => ({
      at: e.at,
      kind: 'event',
      what: `${e.status ?? 'unmapped'} (${e.provider_status})`,
      note: e.applied ? '' : 'history only (out of order or no change)',
    })),
    ...message.attempts.map((a) => ({
      at: a.at,
      kind: 'attempt',
      what: `${a.provider}: ${a.outcome}`,
      note: a.error ?? '',
    })),
  ].sort((x, y) => x.at.localeCompare(y.at));
  return (
    <section className="card" aria-labelledby={`msg-${message.message_id}`}>
      <h2 id={`msg-${message.message_id}`}>
        {message.channel} to {message.to} <span className="badge">{message.status}</span>
      </h2>
      <p className="muted">
        Message {message.message_id} · provider {message.provider}
        {message.provider_message_id ? ` (${message.provider_message_id})` : ''}
        {message.customer_id ? ` · customer ${message.customer_id}` : ''} · created {when(message.created_at)}
      </p>
      <div {...scrollRegion}>
        <table className="table">
          <caption>Status timeline of message {message.message_id}</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">What</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={4}>No events or attempts yet.</td>
              </tr>
            ) : (
              rows.map((r, i) => (
                <tr key={i}>
                  <td>{when(r.at)}</td>
                  <td>{r.kind}</td>
                  <td>{r.what}</td>
                  <td className="wrap">{r.note}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function MessagesPage(): JSX.Element {
  const client = useClient();
  const [messageId, setMessageId] = useState('');
  const [customerId, setCustomerId] = useState('');
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function byId(event: FormEvent): Promise<void> {
    event.preventDefault();
    const id = messageId.trim();
    if (!UUID.test(id)) {
      setError('Message id: enter a message id (a UUID).');
      return;
    }
    setBusy(true);
    setError(null);
    const { data, error: problem } = await client.GET('/api/platform/integrations/messages/{id}', {
      params: { path: { id } },
    });
    setBusy(false);
    if (problem || !data) {
      setMessages(null);
      setError(problemText(problem));
    } else setMessages([data]);
  }

  async function byCustomer(event: FormEvent): Promise<void> {
    event.preventDefault();
    const customer = customerId.trim();
    if (!customer) {
      setError('Customer id: enter a customer id.');
      return;
    }
    setBusy(true);
    setError(null);
    const { data, error: problem } = await client.GET('/api/platform/integrations/messages', {
      params: { query: { customer_id: customer, limit: 50 } },
    });
    setBusy(false);
    if (problem || !data) {
      setMessages(null);
      setError(problemText(problem));
    } else setMessages(data.messages);
  }

  return (
    <Page title="Messages">
      <div className="toolbar">
        <form className="form-row" onSubmit={(e) => void byId(e)}>
          <div className="field">
            <label htmlFor="message-id">Message id</label>
            <input id="message-id" value={messageId} onChange={(e) => setMessageId(e.target.value)} />
          </div>
          <button type="submit" className="button button-primary" disabled={busy}>
            Find message
          </button>
        </form>
        <form className="form-row" onSubmit={(e) => void byCustomer(e)}>
          <div className="field">
            <label htmlFor="customer-id">Customer id</label>
            <input id="customer-id" value={customerId} onChange={(e) => setCustomerId(e.target.value)} />
          </div>
          <button type="submit" className="button" disabled={busy}>
            Find customer&apos;s messages
          </button>
        </form>
      </div>
      {error && <ErrorNote text={error} />}
      {busy && <Loading />}
      {messages && messages.length === 0 && <p>No messages for this customer.</p>}
      {messages?.map((m) => (
        <Timeline key={m.message_id} message={m} />
      ))}
    </Page>
  );
}
