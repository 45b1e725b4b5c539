import { KeyedScheduler } from './keyed-scheduler';

/** A promise settled from outside: a task that finishes when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}
const tick = () => new Promise<void>((r) => setImmediate(r));

describe('KeyedScheduler', () => {
  it('runs one key strictly in submission order, one at a time, while other keys run beside it', async () => {
    const s = new KeyedScheduler({ concurrency: 4, maxHeld: 100 });
    const log: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const task = (name: string) => async () => {
      log.push(`start ${name}`);
      const g = gate();
      gates.set(name, g);
      await g.promise;
      log.push(`end ${name}`);
    };
    await s.submit('A', task('A1'));
    await s.submit('A', task('A2'));
    await s.submit('B', task('B1'));
    await s.submit('A', task('A3'));
    await tick();
    // A1 and B1 run; A2 waits for A1 although slots are free
    expect(log).toEqual(['start A1', 'start B1']);
    gates.get('B1')!.open();
    await tick();
    expect(log).toEqual(['start A1', 'start B1', 'end B1']);
    gates.get('A1')!.open();
    await tick();
    expect(log.slice(3)).toEqual(['end A1', 'start A2']);
    gates.get('A2')!.open();
    await tick();
    expect(log.slice(5)).toEqual(['end A2', 'start A3']);
    gates.get('A3')!.open();
    await s.idle();
    expect(s.held).toBe(0);
  });

  it('never runs more than `concurrency` tasks at once, and keeps every key in order under a random interleaving', async () => {
    const s = new KeyedScheduler({ concurrency: 3, maxHeld: 20 });
    let running = 0;
    let peak = 0;
    const seen = new Map<string, number[]>();
    const keys = ['a', 'b', 'c', 'd', 'e'];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 200; i++) {
      const key = keys[Math.floor(random() * keys.length)];
      const waits = Math.floor(random() * 3);
      await s.submit(key, async () => {
        running++;
        peak = Math.max(peak, running);
        for (let w = 0; w < waits; w++) await tick();
        seen.set(key, [...(seen.get(key) ?? []), i]);
        running--;
      });
    }
    await s.idle();
    expect(peak).toBe(3);
    for (const order of seen.values()) expect(order).toEqual([...order].sort((x, y) => x - y));
    expect([...seen.values()].flat()).toHaveLength(200);
  });

  it('runs unkeyed tasks in parallel with no order between them', async () => {
    const s = new KeyedScheduler({ concurrency: 2, maxHeld: 10 });
    const g = gate();
    const started: number[] = [];
    for (const n of [1, 2, 3])
      await s.submit(undefined, async () => {
        started.push(n);
        await g.promise;
      });
    await tick();
    expect(started).toEqual([1, 2]);
    g.open();
    await s.idle();
    expect(started).toEqual([1, 2, 3]);
  });

  it('with concurrency 1 and no keys is the serial consumer: arrival order, one at a time', async () => {
    const s = new KeyedScheduler({ concurrency: 1, maxHeld: 10 });
    const log: string[] = [];
    for (const n of [1, 2, 3]) {
      await s.submit(undefined, async () => {
        log.push(`start ${n}`);
        await tick();
        log.push(`end ${n}`);
      });
    }
    await s.idle();
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('a paused (retrying) task keeps its key blocked but frees its slot for other keys', async () => {
    const s = new KeyedScheduler({ concurrency: 1, maxHeld: 10 });
    const log: string[] = [];
    let attempts = 0;
    await s.submit('A', async (slot) => {
      for (;;) {
        attempts++;
        log.push(`A1 attempt ${attempts}`);
        if (attempts === 3) return;
        expect(await slot.pause(5)).toBe(true);
      }
    });
    await s.submit('A', () => {
      log.push('A2');
      return Promise.resolve();
    });
    await s.submit('B', () => {
      log.push('B1');
      return Promise.resolve();
    });
    await s.idle();
    // B1 ran in A1's freed slot during its first delay; A2 only after A1 succeeded
    expect(log).toEqual(['A1 attempt 1', 'B1', 'A1 attempt 2', 'A1 attempt 3', 'A2']);
  });

  it('a failing head never lets a later task of its key overtake it, whatever the other keys do', async () => {
    const s = new KeyedScheduler({ concurrency: 2, maxHeld: 50 });
    const done: string[] = [];
    let failures = 0;
    await s.submit('A', async (slot) => {
      while (failures < 4) {
        failures++;
        await slot.pause(1);
      }
      done.push('A1');
    });
    for (let i = 2; i <= 5; i++)
      await s.submit('A', () => {
        done.push(`A${i}`);
        return Promise.resolve();
      });
    for (let i = 1; i <= 10; i++)
      await s.submit('B', () => {
        done.push(`B${i}`);
        return Promise.resolve();
      });
    await s.idle();
    expect(done.filter((d) => d.startsWith('A'))).toEqual(['A1', 'A2', 'A3', 'A4', 'A5']);
    expect(done.filter((d) => d.startsWith('B'))).toEqual(Array.from({ length: 10 }, (_, i) => `B${i + 1}`));
    // B did not wait for A's retries: all of B was done before A1 succeeded
    expect(done.indexOf('B10')).toBeLessThan(done.indexOf('A1'));
  });

  it('submit waits while maxHeld tasks are held, and goes on as soon as one finishes', async () => {
    const s = new KeyedScheduler({ concurrency: 1, maxHeld: 2 });
    const g = gate();
    await s.submit('A', () => g.promise);
    await s.submit('B', () => Promise.resolve());
    let accepted = false;
    const third = s
      .submit('C', () => Promise.resolve())
      .then(() => {
        accepted = true;
      });
    await tick();
    expect(accepted).toBe(false);
    expect(s.held).toBe(2);
    g.open();
    await third;
    expect(accepted).toBe(true);
    await s.idle();
  });

  it('close drops the tasks not started, wakes a paused one (pause answers false) and waits for the running ones', async () => {
    const s = new KeyedScheduler({ concurrency: 2, maxHeld: 10 });
    const g = gate();
    const dropped: string[] = [];
    let pauseAnswer: boolean | null = null;
    let runningDone = false;
    await s.submit(
      'A',
      async () => {
        await g.promise;
        runningDone = true;
      },
      () => dropped.push('A1'),
    );
    await s.submit(
      'A',
      () => Promise.reject(new Error('must not run')),
      () => dropped.push('A2'),
    );
    await s.submit(
      'B',
      async (slot) => {
        pauseAnswer = await slot.pause(60_000);
      },
      () => dropped.push('B1'),
    );
    // behind the paused B1: its slot is free, but its key is not
    await s.submit(
      'B',
      () => Promise.reject(new Error('must not run')),
      () => dropped.push('B2'),
    );
    await tick();
    let closed = false;
    const closing = s.close().then(() => {
      closed = true;
    });
    await tick();
    expect(dropped.sort()).toEqual(['A2', 'B2']);
    expect(pauseAnswer).toBe(false);
    expect(closed).toBe(false); // A1 still runs
    g.open();
    await closing;
    expect(runningDone).toBe(true);
    expect(s.held).toBe(0);
    const late: string[] = [];
    await s.submit(
      'D',
      () => {
        late.push('ran');
        return Promise.resolve();
      },
      () => late.push('dropped'),
    );
    expect(late).toEqual(['dropped']);
  });

  it('a task that throws does not wedge its key', async () => {
    const s = new KeyedScheduler({ concurrency: 1, maxHeld: 10 });
    const log: string[] = [];
    await s.submit('A', () => Promise.reject(new Error('boom')));
    await s.submit('A', () => {
      log.push('A2');
      return Promise.resolve();
    });
    await s.idle();
    expect(log).toEqual(['A2']);
  });
});
