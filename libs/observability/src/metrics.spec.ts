import { Histogram, Registry } from 'prom-client';

import { LabelledHistogram } from './metrics';

function histogram(): Histogram<'route' | 'status'> {
  return new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['route', 'status'], registers: [new Registry()] });
}

async function counts(h: Histogram<'route' | 'status'>): Promise<Record<string, number>> {
  const { values } = await h.get();
  return Object.fromEntries(
    values
      .filter((v) => v.metricName === 'h_seconds_count')
      .map((v) => [`${v.labels.route} ${v.labels.status}`, v.value]),
  );
}

describe(LabelledHistogram.name, () => {
  it('records each sample under its own labels, through one child per key', async () => {
    const h = histogram();
    const l = new LabelledHistogram(h);
    l.observe('a 200', { route: '/a', status: '200' }, 0.1);
    l.observe('a 200', { route: '/a', status: '200' }, 0.2);
    l.observe('b 500', { route: '/b', status: '500' }, 0.3);
    expect(await counts(h)).toEqual({ '/a 200': 2, '/b 500': 1 });
  });

  it('keeps recording past its child limit, and after the histogram is reset', async () => {
    const h = histogram();
    const l = new LabelledHistogram(h, 1);
    l.observe('a', { route: '/a', status: '200' }, 0.1);
    l.observe('b', { route: '/b', status: '200' }, 0.1);
    l.observe('b', { route: '/b', status: '200' }, 0.1);
    expect(await counts(h)).toEqual({ '/a 200': 1, '/b 200': 2 });
    h.reset();
    l.observe('a', { route: '/a', status: '200' }, 0.1);
    expect(await counts(h)).toEqual({ '/a 200': 1 });
  });
});
