import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Choice {
  postgres: boolean;
  nats: boolean;
  natsBinary?: string;
  forced: boolean;
}
interface EmbeddedModule {
  decide: (opts: {
    env: Record<string, string | undefined>;
    argv: string[];
    answers: (url: string, port: number) => Promise<boolean>;
    natsBinary?: string;
  }) => Promise<Choice>;
  hydrateSymlinks: (platformPkgDir: string) => number;
}

// tools/ is plain CommonJS shared by `npm start` and `npm run sandbox`
const { decide, hydrateSymlinks } = createRequire(__filename)(
  join(__dirname, '../../../tools/embedded.js'),
) as EmbeddedModule;

const NATS = '/usr/bin/nats-server';
const both = (answer: boolean) => {
  const asked: string[] = [];
  return { asked, answers: (url: string) => (asked.push(url), Promise.resolve(answer)) };
};

describe('embedded Postgres and NATS: the decision', () => {
  it('explicit URLs win, even with --embedded, and nothing is probed', async () => {
    const probe = both(false);
    const choice = await decide({
      env: { DATABASE_URL: 'postgres://u@db.example/app', NATS_URL: 'nats://bus.example:4222' },
      argv: ['--embedded'],
      answers: probe.answers,
      natsBinary: NATS,
    });
    expect(choice).toMatchObject({ postgres: false, nats: false });
    expect(probe.asked).toEqual([]);
  });

  it('defaults that answer are used: no embedding', async () => {
    const probe = both(true);
    const choice = await decide({ env: {}, argv: [], answers: probe.answers, natsBinary: NATS });
    expect(choice).toMatchObject({ postgres: false, nats: false, forced: false });
    expect(probe.asked).toEqual(['postgres://postgres@127.0.0.1:5432/postgres', 'nats://127.0.0.1:4222']);
  });

  it('silent defaults are embedded; NATS only when a nats-server binary is on the PATH', async () => {
    expect(await decide({ env: {}, argv: [], answers: both(false).answers, natsBinary: NATS })).toMatchObject({
      postgres: true,
      nats: true,
      natsBinary: NATS,
    });
    expect(await decide({ env: {}, argv: [], answers: both(false).answers })).toMatchObject({
      postgres: true,
      nats: false,
    });
  });

  it('--embedded forces both though the defaults answer', async () => {
    const choice = await decide({ env: {}, argv: ['--embedded'], answers: both(true).answers, natsBinary: NATS });
    expect(choice).toEqual({ postgres: true, nats: true, natsBinary: NATS, forced: true });
  });

  it('one explicit URL leaves the other to the decision', async () => {
    const choice = await decide({
      env: { NATS_URL: 'nats://127.0.0.1:4222' },
      argv: [],
      answers: both(false).answers,
      natsBinary: NATS,
    });
    expect(choice).toMatchObject({ postgres: true, nats: false });
  });
});

describe('embedded Postgres: shared-library symlinks npm may not have made', () => {
  it('creates the missing ones from native/pg-symlinks.json, relative, and is idempotent', () => {
    const pkg = mkdtempSync(join(tmpdir(), 'pg-symlinks-'));
    try {
      mkdirSync(join(pkg, 'native/lib'), { recursive: true });
      writeFileSync(join(pkg, 'native/lib/libicuuc.so.60.2'), '');
      writeFileSync(
        join(pkg, 'native/pg-symlinks.json'),
        JSON.stringify([
          { source: 'native/lib/libicuuc.so.60.2', target: 'native/lib/libicuuc.so.60' },
          { source: 'native/lib/libicuuc.so.60.2', target: 'native/lib/libicuuc.so' },
        ]),
      );
      expect(hydrateSymlinks(pkg)).toBe(2);
      expect(readlinkSync(join(pkg, 'native/lib/libicuuc.so.60'))).toBe('libicuuc.so.60.2');
      expect(existsSync(join(pkg, 'native/lib/libicuuc.so'))).toBe(true);
      expect(hydrateSymlinks(pkg)).toBe(0);
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
  });
});
