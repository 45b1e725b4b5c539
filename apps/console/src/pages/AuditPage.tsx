import { useCallback, useEffect, useState, type JSX } from 'react';

import type { Schemas } from '@app/sdk';

import { problemText, useClient } from '../client';
import { ErrorNote, Loading, Page, scrollRegion } from '../ui';

type Entry = Schemas['AuditEntry'];

const PAGE = 50;

export function AuditPage(): JSX.Element {
  const client = useClient();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // the table appears with the first answer: before it, an empty table would claim there are no changes
  const [loaded, setLoaded] = useState(false);

  const load = useCallback(
    async (cursor?: string): Promise<void> => {
      setBusy(true);
      setError(null);
      const { data, error: problem } = await client.GET('/api/platform/audit', {
        params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
      });
      setBusy(false);
      if (problem || !data) {
        setError(problemText(problem));
        return;
      }
      setEntries((old) => (cursor ? [...old, ...data.entries] : data.entries));
      setNext(data.next_cursor);
      setLoaded(true);
    },
    [client],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Page title="Audit">
      {error && <ErrorNote text={error} />}
      {loaded && (
        <div {...scrollRegion}>
          <table className="table">
            <caption>Configuration changes, oldest first ({entries.length} shown)</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Service</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Fields</th>
                <th scope="col">Key</th>
                <th scope="col">Scope</th>
              </tr>
            </thead>
            <tbody>
              {entries.length === 0 ? (
                <tr>
                  <td colSpan={7}>No changes recorded.</td>
                </tr>
              ) : (
                entries.map((e) => (
                  <tr key={`${e.service}:${e.id}`}>
                    <td>{new Date(e.at).toLocaleString()}</td>
                    <td>{e.service}</td>
                    <td>{e.action}</td>
                    <td className="wrap wrap-narrow">{e.target}</td>
                    <td className="wrap">{e.fields.join(', ')}</td>
                    <td>
                      <code>{e.actor}</code>
                    </td>
                    <td>{e.scope}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      )}
      {busy && <Loading />}
      {next && !busy && (
        <button type="button" className="button" onClick={() => void load(next)}>
          Load more
        </button>
      )}
    </Page>
  );
}
