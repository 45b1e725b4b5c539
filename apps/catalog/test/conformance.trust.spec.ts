import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  CONFORMANCE_RULES,
  ConformanceKit,
  conformanceTable,
  discoverConnectors,
  type ConnectorReport,
} from '@app/testing/conformance';

import { PROVIDER_SEED } from '../src/seed/providers.seed';
import { platform } from './conformance.platform';

// every connector the registry finds, with no list to edit: a connector without a descriptor fails every rule
const found = discoverConnectors();
const reports: ConnectorReport[] = [];
const kit = new ConformanceKit(platform);

describe('connector conformance kit', () => {
  it('finds every connector the catalog seeds', () => {
    expect(found.map((f) => f.connector.manifest.key).sort()).toEqual(PROVIDER_SEED.map((e) => e.key).sort());
  });

  afterAll(() => {
    const table = conformanceTable(reports);
    mkdirSync(join(__dirname, '../../../artifacts'), { recursive: true });
    writeFileSync(join(__dirname, '../../../artifacts/conformance.md'), `${table}\n`);
    process.stdout.write(`\n${table}\n`);
  });

  describe.each(found.map((f) => [f.connector.manifest.key, f] as const))('%s', (_key, f) => {
    let report: ConnectorReport;
    beforeAll(async () => {
      report = await kit.check(f.connector, f.file, f.descriptor);
      reports.push(report);
    });

    it.each([...CONFORMANCE_RULES])('passes the %s rule', (rule) => {
      const r = report.results.find((x) => x.rule === rule)!;
      expect({ rule, outcome: r.outcome, problems: r.problems }).toEqual({
        rule,
        outcome: r.outcome === 'exempt' ? 'exempt' : 'pass',
        problems: [],
      });
      // an exemption says why, in a sentence
      for (const why of r.exempt) expect(why.split(/\s+/).length).toBeGreaterThanOrEqual(6);
    });
  });
});
