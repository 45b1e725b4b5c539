/** What a running task may do besides finishing: give its slot up while it waits (a retry delay). */
export interface TaskSlot {
  /**
   * Frees this task's concurrency slot for `ms`, then waits for a slot again; the task's key stays
   * blocked meanwhile (nothing behind it runs). False when the scheduler was closed during the wait.
   */
  pause(ms: number): Promise<boolean>;
}

export interface KeyedSchedulerOptions {
  /** Tasks running at once (a paused task does not count). */
  concurrency: number;
  /** Tasks accepted (queued, running or paused) at most; `submit` waits for room beyond it. */
  maxHeld: number;
}

interface Task {
  key: string | symbol;
  run: (slot: TaskSlot) => Promise<void>;
  drop?: () => void;
}

/**
 * Runs tasks with bounded concurrency, strictly one after another per key and in the order they were
 * submitted; tasks of different keys (and tasks without a key) run in parallel. Keys whose head task
 * can run take turns in the order they became ready, so a long queue of one key does not delay others
 * by more than one task each. No sockets, no timers but those of `pause`: unit-testable.
 */
export class KeyedScheduler {
  private readonly lanes = new Map<string | symbol, Task[]>();
  /** Keys whose head task waits for a slot, in the order they became ready. */
  private readonly runnable: (string | symbol)[] = [];
  /** Paused tasks whose wait is over, waiting for a slot: they go before any new task. */
  private readonly resuming: (() => void)[] = [];
  private readonly roomWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly sleeping = new Set<() => void>();
  private running = 0;
  private heldCount = 0;
  private closed = false;

  constructor(private readonly opts: KeyedSchedulerOptions) {
    if (!(opts.concurrency >= 1) || !(opts.maxHeld >= 1))
      throw new Error('KeyedScheduler needs concurrency >= 1 and maxHeld >= 1');
  }

  /** Tasks accepted and not finished (queued, running or paused). */
  get held(): number {
    return this.heldCount;
  }

  /** Tasks holding a slot now. */
  get active(): number {
    return this.running;
  }

  /**
   * Accepts a task once there is room (resolves then, not when it has run). `key` undefined: no order
   * with any other task. `drop` is called instead of `run` when the scheduler is closed before the task started.
   */
  async submit(key: string | undefined, run: (slot: TaskSlot) => Promise<void>, drop?: () => void): Promise<void> {
    while (this.heldCount >= this.opts.maxHeld && !this.closed)
      await new Promise<void>((r) => this.roomWaiters.push(r));
    if (this.closed) {
      drop?.();
      return;
    }
    const task: Task = { key: key ?? Symbol('unkeyed'), run, drop };
    this.heldCount++;
    const lane = this.lanes.get(task.key);
    if (lane) {
      lane.push(task);
    } else {
      this.lanes.set(task.key, [task]);
      this.runnable.push(task.key);
      this.dispatch();
    }
  }

  /**
   * Stops: tasks not started are dropped, paused ones wake at once (their pause answers false), and
   * the promise resolves when the running ones have finished.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const key of this.runnable.splice(0)) {
      const lane = this.lanes.get(key)!;
      this.lanes.delete(key);
      this.dropAll(lane);
    }
    // lanes with a running head: drop what waits behind it
    for (const lane of this.lanes.values()) this.dropAll(lane.splice(1));
    for (const wake of [...this.sleeping]) wake();
    for (const r of this.roomWaiters.splice(0)) r();
    await this.idle();
  }

  /** Resolves when no task is held. */
  idle(): Promise<void> {
    if (this.heldCount === 0) return Promise.resolve();
    return new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private dropAll(tasks: Task[]): void {
    for (const t of tasks) {
      this.heldCount--;
      try {
        t.drop?.();
      } catch {
        // a drop callback's failure must not stop the others
      }
    }
    this.released();
  }

  private dispatch(): void {
    while (this.running < this.opts.concurrency) {
      const resume = this.resuming.shift();
      if (resume) {
        this.running++;
        resume();
        continue;
      }
      const key = this.runnable.shift();
      if (key === undefined) return;
      this.start(this.lanes.get(key)![0]);
    }
  }

  private start(task: Task): void {
    this.running++;
    const slot: TaskSlot = { pause: (ms) => this.pause(ms) };
    void (async () => {
      try {
        await task.run(slot);
      } catch {
        // a task handles its own failures; one that throws anyway must not wedge its key
      }
      this.running--;
      this.heldCount--;
      const lane = this.lanes.get(task.key);
      if (lane && lane[0] === task) lane.shift();
      if (lane && lane.length > 0 && !this.closed) this.runnable.push(task.key);
      else this.lanes.delete(task.key);
      this.released();
      this.dispatch();
    })();
  }

  private async pause(ms: number): Promise<boolean> {
    this.running--;
    this.dispatch();
    let interrupted = this.closed;
    if (!interrupted) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.sleeping.delete(wake);
          interrupted = true;
          resolve();
        };
        const timer = setTimeout(() => {
          this.sleeping.delete(wake);
          resolve();
        }, ms);
        this.sleeping.add(wake);
      });
    }
    if (interrupted || this.closed) {
      // closing: the task finishes at once (it gives its message back), without waiting for a slot
      this.running++;
      return false;
    }
    await new Promise<void>((r) => {
      this.resuming.push(r);
      this.dispatch();
    });
    return !this.closed;
  }

  private released(): void {
    // every waiter looks again (it waits again when another took the room)
    if (this.heldCount < this.opts.maxHeld) for (const r of this.roomWaiters.splice(0)) r();
    if (this.heldCount === 0) for (const r of this.idleWaiters.splice(0)) r();
  }
}
