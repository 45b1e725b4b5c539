import { useCallback, useEffect, useState, type FormEvent, type JSX } from 'react';

import type { Schemas } from '@app/sdk';

import { problemText, useClient } from '../client';
import { ErrorNote, Loading, Page, scrollRegion } from '../ui';

type DeadLetter = Schemas['DeadLetterView'];

export function DeadLettersPage(): JSX.Element {
  const client = useClient();
  const [consumer, setConsumer] = useState('');
  const [filter, setFilter] = useState('');
  const [letters, setLetters] = useState<DeadLetter[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    async (only: string, after?: string): Promise<void> => {
      setBusy(true);
      setError(null);
      const { data, error: problem } = await client.GET('/api/platform/ops/dead-letters', {
        params: { query: { limit: 50, ...(only ? { consumer: only } : {}), ...(after ? { cursor: after } : {}) } },
      });
      setBusy(false);
      if (problem || !data) {
        setError(problemText(problem));
        return;
      }
      setLetters((old) => (after && old ? [...old, ...data.dead_letters] : data.dead_letters));
      setCursor(data.next_cursor);
    },
    [client],
  );

  useEffect(() => {
    void load('');
  }, [load]);

  function applyFilter(event: FormEvent): void {
    event.preventDefault();
    const only = consumer.trim();
    setFilter(only);
    setNotice(null);
    void load(only);
  }

  async function replay(letter: DeadLetter): Promise<void> {
    if (!window.confirm(`Replay dead letter ${letter.id} to ${letter.consumer}?`)) return;
    const { error: problem } = await client.POST('/api/platform/ops/dead-letters/{id}/replay', {
      params: { path: { id: letter.id } },
    });
    if (problem) return setError(problemText(problem));
    setNotice(`Dead letter ${letter.id} handed to ${letter.consumer} again.`);
    await load(filter);
  }

  async function discard(letter: DeadLetter): Promise<void> {
    if (!window.confirm(`Discard dead letter ${letter.id}? It will never be handled.`)) return;
    const { error: problem } = await client.DELETE('/api/platform/ops/dead-letters/{id}', {
      params: { path: { id: letter.id } },
    });
    if (problem) return setError(problemText(problem));
    setNotice(`Dead letter ${letter.id} discarded.`);
    await load(filter);
  }

  async function replayAll(): Promise<void> {
    if (!window.confirm(`Replay every dead letter of ${filter}?`)) return;
    const { data, error: problem } = await client.POST('/api/platform/ops/dead-letters/replay', {
      params: { query: { consumer: filter } },
    });
    if (problem || !data) return setError(problemText(problem));
    setNotice(`${data.replayed} dead letters of ${filter} handed over again.`);
    await load(filter);
  }

  async function discardAll(): Promise<void> {
    if (!window.confirm(`Discard every dead letter of ${filter}? They will never be handled.`)) return;
    const { data, error: problem } = await client.DELETE('/api/platform/ops/dead-letters', {
      params: { query: { consumer: filter } },
    });
    if (problem || !data) return setError(problemText(problem));
    setNotice(`${data.discarded} dead letters of ${filter} discarded.`);
    await load(filter);
  }

  return (
    <Page title="Dead letters">
      <form className="toolbar form-row" onSubmit={applyFilter}>
        <div className="field">
          <label htmlFor="dl-consumer">Consumer</label>
          <input
            id="dl-consumer"
            placeholder="e.g. kyc-webhook-processor"
            value={consumer}
            onChange={(e) => setConsumer(e.target.value)}
          />
        </div>
        <button type="submit" className="button button-primary">
          Show
        </button>
        {filter && (
          <>
            <button type="button" className="button" onClick={() => void replayAll()}>
              Replay all of {filter}
            </button>
            <button type="button" className="button button-danger" onClick={() => void discardAll()}>
              Discard all of {filter}
            </button>
          </>
        )}
      </form>
      {error && <ErrorNote text={error} />}
      {notice && (
        <p role="status" className="muted">
          {notice}
        </p>
      )}
      {busy && <Loading />}
      {letters && (
        <div {...scrollRegion}>
          <table className="table">
            <caption>
              Dead letters{filter ? ` of ${filter}` : ''}, oldest first ({letters.length} shown)
            </caption>
            <thead>
              <tr>
                <th scope="col">Consumer</th>
                <th scope="col">Subject</th>
                <th scope="col">Error</th>
                <th scope="col">Attempts</th>
                <th scope="col">Parked</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {letters.length === 0 ? (
                <tr>
                  <td colSpan={6}>No dead letters.</td>
                </tr>
              ) : (
                letters.map((l) => (
                  <tr key={l.id}>
                    <td>{l.consumer}</td>
                    <td>
                      <code>{l.subject}</code>
                    </td>
                    <td className="wrap">{l.error}</td>
                    <td>{l.attempts}</td>
                    <td>{new Date(l.parked_at).toLocaleString()}</td>
                    <td>
                      <button
                        type="button"
                        className="button"
                        aria-label={`Replay dead letter ${l.id}`}
                        onClick={() => void replay(l)}
                      >
                        Replay
                      </button>{' '}
                      <button
                        type="button"
                        className="button button-danger"
                        aria-label={`Discard dead letter ${l.id}`}
                        onClick={() => void discard(l)}
                      >
                        Discard
                      </button>
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" className="button" onClick={() => void load(filter, cursor)}>
          Load more
        </button>
      )}
    </Page>
  );
}
