import { Platform, type PlatformOptions } from './platform';
import { RowBuilder, type Row } from './report';
import { scanDatabase, scanMetrics } from './secrets';

export interface Drill {
  id: string;
  name: string;
  run(): Promise<Row>;
}

/**
 * Runs `body` on a platform of its own and always tears it down. Before the teardown the drill's database
 * and every process's /metrics are scanned for secrets; a process that died without being killed by the
 * drill is a failure. An exception in `body` is a failure of the drill, not of the suite.
 */
export async function onPlatform(
  rb: RowBuilder,
  opts: PlatformOptions,
  body: (p: Platform) => Promise<void>,
): Promise<Row> {
  let p: Platform | null = null;
  let peak: Record<string, number> = {};
  try {
    p = await Platform.start(opts);
    await body(p);
  } catch (err) {
    rb.check(false, `drill aborted: ${(err as Error).message}`);
  } finally {
    if (p) {
      try {
        await scanMetrics(p);
        await scanDatabase(p);
      } catch (err) {
        rb.check(false, `secret scan of the drill's database and metrics failed: ${(err as Error).message}`);
      }
      for (const c of p.crashes()) rb.check(false, c);
      peak = p.peakRss();
      await p.stop();
    }
  }
  return rb.finish(peak);
}
