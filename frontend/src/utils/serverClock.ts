// The server's clock as seen from the browser. Every countdown and every "has it started?"
// decision uses serverNow(), never the raw browser clock: a shopper whose computer runs
// 2 minutes fast must not see the buy button enable early.
//
// A sample is taken around an API call that reports server_time_ms:
//   offset = server_time_ms - (sentAt + receivedAt) / 2
// (the server stamped its answer, on average, half a round trip before it arrived).
// The sample with the smallest round trip among the last few is the most trustworthy.

export interface ClockSample {
  offset: number;
  rtt: number;
  at: number;
}

/** offset (ms to add to Date.now()) from one request/response pair. */
export function offsetFromSample(serverMs: number, sentAt: number, receivedAt: number): { offset: number; rtt: number } {
  const rtt = Math.max(0, receivedAt - sentAt);
  return { offset: Math.round(serverMs - (sentAt + rtt / 2)), rtt };
}

export class ServerClock {
  private samples: ClockSample[] = [];
  private current = 0;
  private known = false;
  private listeners = new Set<() => void>();

  constructor(
    private readonly keep = 5,
    private readonly browserNow: () => number = () => Date.now(),
  ) {}

  /** Record a sample; returns the offset now in use. */
  sample(serverMs: number, sentAt: number, receivedAt: number): number {
    if (!Number.isFinite(serverMs) || serverMs <= 0) return this.current;
    const { offset, rtt } = offsetFromSample(serverMs, sentAt, receivedAt);
    this.samples.push({ offset, rtt, at: receivedAt });
    if (this.samples.length > this.keep) this.samples.shift();
    const best = this.samples.reduce((a, b) => (b.rtt < a.rtt || (b.rtt === a.rtt && b.at > a.at) ? b : a));
    const changed = !this.known || best.offset !== this.current;
    this.current = best.offset;
    this.known = true;
    if (changed) this.listeners.forEach((fn) => fn());
    return this.current;
  }

  get offset(): number {
    return this.current;
  }

  get synced(): boolean {
    return this.known;
  }

  now(): number {
    return this.browserNow() + this.current;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  reset(): void {
    this.samples = [];
    this.current = 0;
    this.known = false;
  }
}

/** The application's clock (one per page). */
export const serverClock = new ServerClock();
export const serverNow = (): number => serverClock.now();

/** ms from `now` until `target` (ISO string or epoch ms); negative once passed. */
export function msUntil(target: string | number, now: number): number {
  const t = typeof target === 'number' ? target : Date.parse(target);
  return Number.isFinite(t) ? t - now : 0;
}

/**
 * Delay for the next timer so that ticks land on whole seconds before `target`, and the
 * last one exactly at it (1000 when the target has passed or is unknown).
 */
export function nextTickDelay(target: number | null | undefined, now: number): number {
  if (target === null || target === undefined || !Number.isFinite(target)) return 1000;
  const left = target - now;
  if (left <= 0) return 1000;
  return left % 1000 || 1000;
}

export interface CountdownParts {
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
  totalSeconds: number;
}

/** Remaining ms -> parts, rounding up (10.2 s left shows 11, so "00:00" means started). */
export function countdownParts(ms: number): CountdownParts {
  const totalSeconds = Math.max(0, Math.ceil(ms / 1000));
  return {
    days: Math.floor(totalSeconds / 86400),
    hours: Math.floor((totalSeconds % 86400) / 3600),
    minutes: Math.floor((totalSeconds % 3600) / 60),
    seconds: totalSeconds % 60,
    totalSeconds,
  };
}

/** "mm:ss", "h:mm:ss", or "{d}d hh:mm:ss" (dayLabel localises the d). */
export function formatRemaining(ms: number, dayLabel = 'd'): string {
  const p = countdownParts(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (p.days > 0) return `${p.days}${dayLabel} ${pad(p.hours)}:${pad(p.minutes)}:${pad(p.seconds)}`;
  if (p.hours > 0) return `${p.hours}:${pad(p.minutes)}:${pad(p.seconds)}`;
  return `${pad(p.minutes)}:${pad(p.seconds)}`;
}

/** ISO string or epoch ms -> epoch ms (NaN-safe: unknown -> 0). */
export function timeOfTarget(target: string | number): number {
  const t = typeof target === 'number' ? target : Date.parse(target);
  return Number.isFinite(t) ? t : 0;
}
