// Keeps a dashboard's figures coming: the event stream while it can be had (reopened when the
// server ends it), polling the JSON route when every stream place is taken or the stream breaks,
// and a stop with an error for answers that will not get better (401, 403, 404).
import { toApiError, type ApiError } from '../api/client';

export type FeedMode = 'connecting' | 'live' | 'polling' | 'stopped';

export interface FeedOptions<T> {
  /** Follow the event stream until it ends; throws StreamUnavailable when it cannot be opened. */
  stream: (onFrame: (data: T) => void, signal: AbortSignal) => Promise<void>;
  /** Read the figures once. */
  poll: () => Promise<T>;
  onData: (data: T) => void;
  onMode: (mode: FeedMode) => void;
  onError: (error: ApiError | null) => void;
  signal: AbortSignal;
  pollMs?: number;
  /** Polling rounds before the stream is tried again. */
  pollRounds?: number;
  /** For tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const FINAL_STATUSES = [401, 403, 404];

export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const id = setTimeout(done, ms);
    function done() {
      clearTimeout(id);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Runs until `signal` aborts or an answer that will not get better arrives. */
export async function runDashboardFeed<T>(opts: FeedOptions<T>): Promise<void> {
  const { stream, poll, onData, onMode, onError, signal, pollMs = 2000, pollRounds = 10 } = opts;
  const sleep = opts.sleep ?? sleepUnlessAborted;
  onMode('connecting');
  while (!signal.aborted) {
    try {
      await stream((data) => {
        onData(data);
        onMode('live');
        onError(null);
      }, signal);
      // The server ended the stream (its time limit): open it again at once.
      continue;
    } catch {
      if (signal.aborted) return;
    }
    // No stream for now (every place taken, the network, or a refusal the JSON route will
    // explain): poll for a while, then try the stream again.
    onMode('polling');
    for (let round = 0; round < pollRounds && !signal.aborted; round += 1) {
      try {
        onData(await poll());
        onError(null);
      } catch (e) {
        const err = toApiError(e);
        if (FINAL_STATUSES.includes(err.status)) {
          onError(err);
          onMode('stopped');
          return;
        }
        onError(err);
      }
      await sleep(pollMs, signal);
    }
  }
}
