import { useCallback, useEffect, useState, type FormEvent, type JSX } from 'react';

import type { Schemas } from '@app/sdk';

import { problemText, useClient } from '../client';
import { ErrorNote, Loading, Page, scrollRegion } from '../ui';

type Affiliate = Schemas['AffiliateView'];
type Stats = Schemas['StatsView'];
type Attempt = Schemas['AttemptView'];

interface Row {
  affiliate: Affiliate;
  stats: Stats;
}

interface Bucket {
  hour: string;
  delivered: number;
  failed: number;
}

function ok(attempt: Attempt): boolean {
  return attempt.status_code !== null && attempt.status_code >= 200 && attempt.status_code < 300;
}

/** Delivery outcomes per hour, oldest first, from the attempt log. */
export function bucketByHour(attempts: Attempt[]): Bucket[] {
  const buckets = new Map<string, Bucket>();
  for (const a of attempts) {
    const d = new Date(a.at);
    d.setMinutes(0, 0, 0);
    const hour = d.toISOString();
    const b = buckets.get(hour) ?? { hour, delivered: 0, failed: 0 };
    if (ok(a)) b.delivered += 1;
    else b.failed += 1;
    buckets.set(hour, b);
  }
  return [...buckets.values()].sort((x, y) => x.hour.localeCompare(y.hour));
}

function hourLabel(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit' });
}

function rate(stats: Stats): string {
  return stats.success_rate === null ? 'no attempts' : `${Math.round(stats.success_rate * 1000) / 10}%`;
}

const PLOT_HEIGHT = 180;
const AXIS_WIDTH = 36;
const LABEL_ROW = 28;
const COLORS = { delivered: '#1b6e3a', failed: '#b3261e' };

/** Up to five whole-number ticks from 0 to at least `max`. */
function ticks(max: number): number[] {
  const step = Math.max(1, Math.ceil(max / 4));
  return Array.from({ length: Math.max(1, Math.ceil(max / step)) + 1 }, (_, i) => i * step);
}

/** An hour under its bar; near either edge it is anchored to that edge, so it is never cut off. */
function HourLabel({ index, slot, y, text }: { index: number; slot: number; y: number; text: string }): JSX.Element {
  const centre = index * slot + slot / 2;
  const [x, anchor]: [number, 'start' | 'middle' | 'end'] =
    centre < 20 ? [index * slot, 'start'] : centre > 80 ? [(index + 1) * slot, 'end'] : [centre, 'middle'];
  return (
    <text x={`${x}%`} y={y} textAnchor={anchor}>
      {text}
    </text>
  );
}

/**
 * Stacked bars per hour, drawn with percentage coordinates inside an SVG as wide as its box: it fits any
 * width at once (no measuring after a resize, so nothing is ever drawn wider and clipped), and its text
 * keeps its size instead of scaling with a viewBox. The y axis is a fixed-width SVG of its own.
 */
function BarsSvg({ buckets }: { buckets: Bucket[] }): JSX.Element {
  const yTicks = ticks(Math.max(1, ...buckets.map((b) => b.delivered + b.failed)));
  const top = yTicks[yTicks.length - 1];
  const y = (n: number) => 8 + PLOT_HEIGHT - (n / top) * PLOT_HEIGHT;
  const slot = 100 / Math.max(1, buckets.length);
  // at most three hour labels, so they never overlap on a phone
  const every = Math.max(1, Math.ceil(buckets.length / 3));
  const height = 8 + PLOT_HEIGHT + LABEL_ROW;
  return (
    <div className="chart-plot">
      <svg width={AXIS_WIDTH} height={height} className="chart-axis" aria-hidden="true" focusable="false">
        {yTicks.map((t) => (
          <text key={t} x={AXIS_WIDTH - 6} y={y(t)} textAnchor="end" dominantBaseline="middle">
            {t}
          </text>
        ))}
      </svg>
      <svg width="100%" height={height} aria-hidden="true" focusable="false">
        {yTicks.map((t) => (
          <line key={t} x1="0" x2="100%" y1={y(t)} y2={y(t)} className="chart-grid" />
        ))}
        {buckets.map((b, i) => {
          const x = `${i * slot + slot * 0.1}%`;
          const width = `${slot * 0.8}%`;
          const label = hourLabel(b.hour);
          return (
            <g key={b.hour}>
              <title>{`${label}: ${b.delivered} delivered, ${b.failed} failed`}</title>
              <rect x={x} width={width} y={y(b.delivered)} height={y(0) - y(b.delivered)} fill={COLORS.delivered} />
              <rect
                x={x}
                width={width}
                y={y(b.delivered + b.failed)}
                height={y(b.delivered) - y(b.delivered + b.failed)}
                fill={COLORS.failed}
              />
              {i % every === Math.floor((every - 1) / 2) ? (
                <HourLabel index={i} slot={slot} y={height - 8} text={label} />
              ) : null}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function OutcomeChart({ attempts, affiliateId }: { attempts: Attempt[]; affiliateId: string }): JSX.Element {
  const buckets = bucketByHour(attempts);
  const delivered = buckets.reduce((n, b) => n + b.delivered, 0);
  const failed = buckets.reduce((n, b) => n + b.failed, 0);
  const summary = `Delivery outcomes of ${affiliateId} over ${buckets.length} hour(s): ${delivered} delivered, ${failed} failed.`;
  return (
    <figure className="card">
      <figcaption>{summary}</figcaption>
      <div role="img" aria-label={summary} className="chart">
        <BarsSvg buckets={buckets} />
        <p className="chart-legend" aria-hidden="true">
          <span className="swatch swatch-delivered" /> Delivered <span className="swatch swatch-failed" /> Failed
        </p>
      </div>
      <details>
        <summary>Chart data as a table</summary>
        <div {...scrollRegion}>
          <table className="table">
            <caption>Delivery outcomes per hour</caption>
            <thead>
              <tr>
                <th scope="col">Hour</th>
                <th scope="col">Delivered</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((b) => (
                <tr key={b.hour}>
                  <td>{hourLabel(b.hour)}</td>
                  <td>{b.delivered}</td>
                  <td>{b.failed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

export function AffiliatesPage(): JSX.Element {
  const client = useClient();
  const [affiliateId, setAffiliateId] = useState('');
  const [rows, setRows] = useState<Row[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [attempts, setAttempts] = useState<Attempt[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fetchRow = useCallback(
    async (id: string): Promise<Row | null> => {
      const [a, s] = await Promise.all([
        client.GET('/api/platform/affiliates/{affiliate_id}', { params: { path: { affiliate_id: id } } }),
        client.GET('/api/platform/affiliates/{affiliate_id}/stats', { params: { path: { affiliate_id: id } } }),
      ]);
      if (a.error || !a.data) {
        setError(problemText(a.error));
        return null;
      }
      if (s.error || !s.data) {
        setError(problemText(s.error));
        return null;
      }
      return { affiliate: a.data, stats: s.data };
    },
    [client],
  );

  const showDeliveries = useCallback(
    async (id: string): Promise<void> => {
      setSelected(id);
      const { data, error: problem } = await client.GET('/api/platform/affiliates/{affiliate_id}/deliveries', {
        params: { path: { affiliate_id: id }, query: { limit: 100 } },
      });
      if (problem || !data) {
        setAttempts(null);
        setError(problemText(problem));
      } else setAttempts(data.deliveries);
    },
    [client],
  );

  // every affiliate of the list endpoint, each with its stats
  const loadAll = useCallback(async (): Promise<void> => {
    setBusy(true);
    const found: Affiliate[] = [];
    let cursor: string | undefined;
    for (;;) {
      const { data, error: problem } = await client.GET('/api/platform/affiliates', {
        params: { query: { limit: 500, ...(cursor ? { cursor } : {}) } },
      });
      if (problem || !data) {
        setError(problemText(problem));
        break;
      }
      found.push(...data.affiliates);
      if (!data.next_cursor) break;
      cursor = data.next_cursor;
    }
    const withStats = await Promise.all(
      found.map(async (affiliate): Promise<Row | null> => {
        const s = await client.GET('/api/platform/affiliates/{affiliate_id}/stats', {
          params: { path: { affiliate_id: affiliate.affiliate_id } },
        });
        return s.data ? { affiliate, stats: s.data } : null;
      }),
    );
    setRows(withStats.filter((r): r is Row => r !== null));
    setBusy(false);
  }, [client]);

  useEffect(() => {
    void loadAll();
  }, [loadAll]);

  async function add(event: FormEvent): Promise<void> {
    event.preventDefault();
    const id = affiliateId.trim();
    if (!id) {
      setError('Affiliate id: enter an affiliate id.');
      return;
    }
    setBusy(true);
    setError(null);
    const row = await fetchRow(id);
    if (row) {
      setRows((old) => [...old.filter((r) => r.affiliate.affiliate_id !== id), row]);
      await showDeliveries(id);
    }
    setBusy(false);
  }

  async function redeliver(id: string, attempt: Attempt): Promise<void> {
    if (!window.confirm(`Send batch ${attempt.delivery_id} to ${id} again?`)) return;
    const { data, error: problem } = await client.POST(
      '/api/platform/affiliates/{affiliate_id}/deliveries/{delivery_id}/redeliver',
      { params: { path: { affiliate_id: id, delivery_id: attempt.delivery_id } } },
    );
    if (problem || !data) return setError(problemText(problem));
    setNotice(`Batch ${data.delivery_id} queued for redelivery.`);
  }

  async function refresh(): Promise<void> {
    setBusy(true);
    setError(null);
    await loadAll();
    setBusy(true);
    if (selected) await showDeliveries(selected);
    setBusy(false);
  }

  return (
    <Page title="Affiliates">
      <form className="toolbar form-row" onSubmit={(e) => void add(e)}>
        <div className="field">
          <label htmlFor="affiliate-id">Affiliate id</label>
          <input id="affiliate-id" value={affiliateId} onChange={(e) => setAffiliateId(e.target.value)} />
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          Show affiliate
        </button>
        {rows.length > 0 && (
          <button type="button" className="button" onClick={() => void refresh()} disabled={busy}>
            Refresh
          </button>
        )}
      </form>
      {error && <ErrorNote text={error} />}
      {notice && (
        <p role="status" className="muted">
          {notice}
        </p>
      )}
      {busy && <Loading />}
      {rows.length > 0 && (
        <div {...scrollRegion}>
          <table className="table">
            <caption>Affiliates and their delivery stats</caption>
            <thead>
              <tr>
                <th scope="col">Affiliate</th>
                <th scope="col">Active</th>
                <th scope="col">Success rate</th>
                <th scope="col">Avg latency</th>
                <th scope="col">Last failure</th>
                <th scope="col">Pending</th>
                <th scope="col">Suppressed</th>
                <th scope="col">Attempts</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ affiliate: a, stats: s }) => (
                <tr key={a.affiliate_id}>
                  <td>
                    <button
                      type="button"
                      className="button"
                      aria-pressed={selected === a.affiliate_id}
                      onClick={() => void showDeliveries(a.affiliate_id)}
                    >
                      {a.name} ({a.affiliate_id})
                    </button>
                  </td>
                  <td>
                    <span className={a.is_active ? 'badge badge-ok' : 'badge badge-off'}>
                      {a.is_active ? 'active' : `off${a.disabled_reason ? `: ${a.disabled_reason}` : ''}`}
                    </span>
                  </td>
                  <td>{rate(s)}</td>
                  <td>{s.avg_latency_ms === null ? '' : `${Math.round(s.avg_latency_ms)} ms`}</td>
                  <td>
                    {s.last_failure_at
                      ? `${new Date(s.last_failure_at).toLocaleString()}: ${s.last_failure_reason ?? ''}`
                      : 'none'}
                  </td>
                  <td>{s.pending_events}</td>
                  <td>{s.suppressed_events}</td>
                  <td>{s.total_attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && attempts && (
        <>
          <OutcomeChart attempts={attempts} affiliateId={selected} />
          <div {...scrollRegion}>
            <table className="table">
              <caption>Attempt log of {selected}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">Leads</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Latency</th>
                  <th scope="col">Error</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {attempts.length === 0 ? (
                  <tr>
                    <td colSpan={8}>No delivery attempts yet.</td>
                  </tr>
                ) : (
                  attempts.map((a) => (
                    <tr key={`${a.delivery_id}:${a.attempt}`}>
                      <td>{new Date(a.at).toLocaleString()}</td>
                      <td>{a.event}</td>
                      <td>{a.lead_count}</td>
                      <td>
                        {a.attempt}
                        {a.manual ? ' (manual)' : ''}
                      </td>
                      <td>
                        <span className={ok(a) ? 'badge badge-ok' : 'badge badge-off'}>
                          {a.status_code ?? 'no answer'}
                        </span>
                      </td>
                      <td>{a.latency_ms} ms</td>
                      <td className="wrap">{a.error ?? ''}</td>
                      <td>
                        <button
                          type="button"
                          className="button"
                          aria-label={`Redeliver batch ${a.delivery_id}`}
                          onClick={() => void redeliver(selected, a)}
                        >
                          Redeliver
                        </button>
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Page>
  );
}
