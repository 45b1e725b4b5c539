import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const sdk = join(root, 'libs/sdk');
const node = (args: string[], cwd: string) => execFileSync(process.execPath, args, { cwd, encoding: 'utf8' });

// What a CRM developer writes against the installed package: typed answers, typed problems.
const USE = `
import { createPlatformClient, type Problem, type Schemas } from '@connect-platform/sdk';

const client = createPlatformClient({
  baseUrl: 'http://gateway.test',
  apiKey: 'key-1',
  fetch: async (request: Request) =>
    new Response(JSON.stringify({ message_id: 'm-1', status: 'sent', provider: 'sendgrid', auth: request.headers.get('authorization') }), {
      headers: { 'content-type': 'application/json' },
    }),
});
client
  .POST('/api/platform/integrations/email/send', { body: { to: 'lead@example.com', subject: 'Hi', body_text: 'Hello' } })
  .then(({ data, error }) => {
    const sent: Schemas['SendReply'] | undefined = data;
    const problem: Problem | undefined = error;
    console.log(JSON.stringify({ sent, problem: problem ?? null }));
  });
`;

describe('the SDK package', () => {
  let scratch: string;
  beforeAll(() => (scratch = mkdtempSync(join(tmpdir(), 'sdk-scratch-'))));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('packs with npm pack, installs into a scratch project and sends typed requests from there', () => {
    node(
      [
        join(root, 'node_modules/ts7/bin/tsc'),
        '-p',
        join(sdk, 'tsconfig.json'),
        '--outDir',
        join(scratch, 'build/dist'),
      ],
      root,
    );
    writeFileSync(
      join(scratch, 'build/package.json'),
      node(['-e', 'process.stdout.write(require("fs").readFileSync("package.json"))'], sdk),
    );
    const tarball = execFileSync('npm', ['pack', '--offline', '--silent', '--pack-destination', scratch], {
      cwd: join(scratch, 'build'),
      encoding: 'utf8',
    }).trim();
    const installed = join(scratch, 'app/node_modules/@connect-platform/sdk');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(scratch, tarball), '-C', installed, '--strip-components=1']);
    // its one dependency, as npm would install it (offline: the repository's copy)
    symlinkSync(join(root, 'node_modules/openapi-fetch'), join(scratch, 'app/node_modules/openapi-fetch'));
    writeFileSync(join(scratch, 'app/use.ts'), USE);
    writeFileSync(
      join(scratch, 'app/tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          target: 'es2022',
          lib: ['es2023', 'dom'],
          types: [],
          outDir: 'out',
        },
        files: ['use.ts'],
      }),
    );
    node([join(root, 'node_modules/ts7/bin/tsc'), '-p', 'tsconfig.json'], join(scratch, 'app'));
    expect(JSON.parse(node(['out/use.js'], join(scratch, 'app')))).toEqual({
      sent: { message_id: 'm-1', status: 'sent', provider: 'sendgrid', auth: 'Bearer key-1' },
      problem: null,
    });
  }, 120_000);
});
