/**
 * The suite's own settings (README, "Resilience drills"): a bad value stops the run at once, naming the
 * variable, rather than running a drill that means nothing.
 */
export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > 1_000_000) {
    process.stderr.write(`resilience: ${name} must be a whole number from 1 to 1000000\n`);
    process.exit(2);
  }
  return n;
}
