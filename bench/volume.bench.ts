import { affiliatesBench } from './affiliates.bench';
import { commsBench } from './comms.bench';
import { kycBench } from './kyc.bench';
import { report, type Comparison } from './lib/measure';
import { SEED_SIZES, volumeFindings } from './lib/volume';

/**
 * Flat as data grows: the send (comms), webhook (kyc) and affiliate suites, first on empty tables, then
 * on tables seeded with SEED_SIZES rows (lib/volume.ts). Each comparison is the seeded ratio over the
 * empty one (aim >= 0.8); each seeded run also reports every sequential scan of a seeded table and the
 * hot queries' plans. Run by name only (`npm run bench -- volume`): it repeats three suites.
 */
const PARTS: { name: string; run: () => Promise<Comparison[]> }[] = [
  { name: 'comms', run: commsBench },
  { name: 'kyc', run: kycBench },
  { name: 'affiliates', run: affiliatesBench },
];

export async function volumeBench(): Promise<Comparison[]> {
  const out: Comparison[] = [];
  const seeded = `${SEED_SIZES.messages} messages, ${SEED_SIZES.leadEvents} lead events, ${SEED_SIZES.kycRecords} KYC records`;
  for (const part of PARTS) {
    process.stdout.write(`\nvolume: ${part.name} on empty tables\n`);
    delete process.env.BENCH_SEED;
    const empty = await part.run();
    process.stdout.write(`\nvolume: ${part.name} on seeded tables (its own tables of: ${seeded})\n`);
    process.env.BENCH_SEED = '1';
    const full = await part.run().finally(() => delete process.env.BENCH_SEED);
    for (const e of empty) {
      const f = full.find((x) => x.name === e.name);
      if (!f || e.aim === '(context)') continue;
      const c: Comparison = {
        name: `volume: ${e.name} — seeded ratio / empty ratio`,
        metric: 'ratio',
        baseline: e.ratio,
        subject: f.ratio,
        ratio: f.ratio / e.ratio,
        aim: '>= 0.8',
        rounds: e.rounds,
      };
      report(c);
      out.push(c);
    }
  }
  process.stdout.write(
    `\nvolume: sequential scans or plans without an index on seeded tables: ${volumeFindings.length ? `\n  ${volumeFindings.join('\n  ')}` : 'none'}\n`,
  );
  return out;
}

export const suite = { name: 'volume', run: volumeBench, onlyWhenNamed: true };
