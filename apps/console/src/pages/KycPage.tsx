import { useState, type FormEvent, type JSX } from 'react';

import type { Schemas } from '@app/sdk';

import { problemText, useClient } from '../client';
import { ErrorNote, Loading, Page, scrollRegion } from '../ui';

type KycRecord = Schemas['KycRecordView'];
type Gate = 'pass' | 'fail' | 'pending';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const GATES: { key: 'identity' | 'document' | 'country' | 'age' | 'screening'; label: string }[] = [
  { key: 'identity', label: 'Identity (KYC approved)' },
  { key: 'document', label: 'Document (accepted, unexpired type)' },
  { key: 'country', label: 'Country (not restricted)' },
  { key: 'age', label: 'Age (18 or older)' },
  { key: 'screening', label: 'Screening (no rejection label)' },
];

function badge(gate: Gate): string {
  return gate === 'pass' ? 'badge badge-ok' : gate === 'fail' ? 'badge badge-off' : 'badge badge-warn';
}

export function KycPage(): JSX.Element {
  const client = useClient();
  const [customerId, setCustomerId] = useState('');
  const [record, setRecord] = useState<KycRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function find(event: FormEvent): Promise<void> {
    event.preventDefault();
    const id = customerId.trim();
    if (!UUID.test(id)) {
      setError('Customer id: enter a customer id (a UUID).');
      return;
    }
    setBusy(true);
    setError(null);
    const { data, error: problem } = await client.GET('/api/platform/kyc/customers/{customer_id}', {
      params: { path: { customer_id: id } },
    });
    setBusy(false);
    if (problem || !data) {
      setRecord(null);
      setError(problemText(problem));
    } else setRecord(data);
  }

  return (
    <Page title="KYC">
      <form className="toolbar form-row" onSubmit={(e) => void find(e)}>
        <div className="field">
          <label htmlFor="kyc-customer">Customer id</label>
          <input id="kyc-customer" value={customerId} onChange={(e) => setCustomerId(e.target.value)} />
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          Find customer
        </button>
      </form>
      {error && <ErrorNote text={error} />}
      {busy && <Loading />}
      {record && (
        <>
          <section className="card" aria-labelledby="kyc-status">
            <h2 id="kyc-status">
              Status <span className="badge">{record.status}</span>
            </h2>
            <dl>
              <dt>Customer</dt>
              <dd>{record.customer_id}</dd>
              <dt>Provider</dt>
              <dd>
                {record.provider}
                {record.provider_id ? ` (${record.provider_id})` : ''}
              </dd>
              <dt>Document</dt>
              <dd>
                {record.doc_type ?? 'none yet'}
                {record.doc_country ? `, ${record.doc_country}` : ''}
              </dd>
              <dt>Reject labels</dt>
              <dd>{record.reject_labels.length ? record.reject_labels.join(', ') : 'none'}</dd>
              <dt>Updated</dt>
              <dd>{new Date(record.updated_at).toLocaleString()}</dd>
            </dl>
          </section>
          <section className="card" aria-labelledby="kyc-gates">
            <h2 id="kyc-gates">
              Gates{' '}
              <span className={record.gates.all_passed ? 'badge badge-ok' : 'badge badge-warn'}>
                {record.gates.all_passed ? 'all passed' : 'not all passed'}
              </span>
            </h2>
            <ul className="gates">
              {GATES.map((g) => (
                <li key={g.key}>
                  {g.label}: <span className={badge(record.gates[g.key])}>{record.gates[g.key]}</span>
                </li>
              ))}
            </ul>
          </section>
          <div {...scrollRegion}>
            <table className="table">
              <caption>KYC history of customer {record.customer_id}</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                  <th scope="col">Provider status</th>
                  <th scope="col">Source</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {record.history.map((h, i) => (
                  <tr key={i}>
                    <td>{new Date(h.at).toLocaleString()}</td>
                    <td>{h.type}</td>
                    <td>{h.status ?? ''}</td>
                    <td>{h.provider_status ?? ''}</td>
                    <td>{h.source}</td>
                    <td>{h.outcome ?? 'processing'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Page>
  );
}
