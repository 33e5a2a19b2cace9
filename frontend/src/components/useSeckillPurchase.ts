import { useCallback, useEffect, useRef, useState } from 'react';
import { SECKILL, isFinal, seckillApi } from '../api/seckill';
import { toApiError, type ApiError } from '../api/client';
import type { SeckillActivity, SeckillResult } from '../api/types';
import { serverNow } from '../utils/serverClock';
import { timeOf } from '../utils/seckill';

export type PurchasePhase = 'idle' | 'submitting' | 'queued' | 'success' | 'failed' | 'error';

export interface PurchaseState {
  phase: PurchasePhase;
  orderNo?: string | null;
  reason?: string | null;
  error?: ApiError;
  /** Successful buys of this shopper in this activity (for the per-user limit). */
  bought: number;
  /** Every phase this card went through, oldest first (shown as data-history for tests). */
  history: PurchasePhase[];
}

/** How long "queued" stays on screen at least, so the shopper sees the step even when the answer is instant. */
const MIN_QUEUED_MS = 700;
/** A 60003 "not started" within this long after the start (clock skew of a few ms) is retried. */
const NOT_STARTED_GRACE_MS = 3000;
const NOT_STARTED_RETRY_MS = 300;

const countSuccess = (r: SeckillResult) =>
  r.reservations ? r.reservations.filter((x) => x.status === 'success').length : r.status === 'success' ? 1 : 0;

/**
 * Buy flow of one flash-sale card: purchase (with an anti-bot token when the server asks for one)
 * -> queued -> (event stream | polling) -> success/failed.
 * Guards against double submits; follows an already queued purchase found on mount.
 */
export function useSeckillPurchase(
  activity: SeckillActivity,
  { signedIn, onRejected }: { signedIn: boolean; onRejected?: (code: number) => void },
) {
  const [state, setState] = useState<PurchaseState>({ phase: 'idle', bought: 0, history: ['idle'] });
  const busy = useRef(false);
  const abort = useRef<AbortController | null>(null);
  const queuedAt = useRef(0);
  const finalTimer = useRef<number | undefined>(undefined);
  const productId = activity.product_id;
  const tokenFirst = activity.token_required === true;

  const go = useCallback((patch: Partial<PurchaseState> & { phase: PurchasePhase }) => {
    setState((s) => ({ ...s, ...patch, history: s.history[s.history.length - 1] === patch.phase ? s.history : [...s.history, patch.phase] }));
  }, []);

  const settle = useCallback(
    (r: SeckillResult) => {
      const apply = () => {
        busy.current = false;
        if (r.status === 'success') go({ phase: 'success', orderNo: r.order_no ?? null, bought: Math.max(countSuccess(r), 1) });
        else go({ phase: 'failed', reason: r.reason ?? null });
      };
      const wait = queuedAt.current + MIN_QUEUED_MS - Date.now();
      if (wait > 0) finalTimer.current = window.setTimeout(apply, wait);
      else apply();
    },
    [go],
  );

  const follow = useCallback(async () => {
    abort.current?.abort();
    const ctl = new AbortController();
    abort.current = ctl;
    try {
      const r = await seckillApi.watch(productId, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      if (r && isFinal(r)) settle(r);
    } catch (e) {
      if (ctl.signal.aborted) return;
      busy.current = false;
      go({ phase: 'error', error: toApiError(e) });
    }
  }, [productId, settle, go]);

  // On mount (signed in, after the start): what happened to this shopper's earlier attempts?
  const started = serverNow() >= timeOf(activity.start_time);
  useEffect(() => {
    if (!signedIn || !started) return;
    let live = true;
    seckillApi.result(productId).then(
      (r) => {
        if (!live || busy.current) return;
        const bought = countSuccess(r);
        if (r.status === 'queued') {
          busy.current = true;
          queuedAt.current = Date.now();
          go({ phase: 'queued', bought });
          void follow();
        } else if (r.status === 'success') go({ phase: 'success', orderNo: r.order_no ?? null, bought: Math.max(bought, 1) });
        else if (r.status === 'failed') go({ phase: 'failed', reason: r.reason ?? null, bought });
      },
      () => undefined, // nothing to show
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signedIn, started, productId]);

  useEffect(
    () => () => {
      abort.current?.abort();
      window.clearTimeout(finalTimer.current);
    },
    [],
  );

  const buy = useCallback(async () => {
    if (busy.current) return; // a second click while the first is on its way
    busy.current = true;
    go({ phase: 'submitting', error: undefined, reason: undefined });
    const start = timeOf(activity.start_time);
    for (let attempt = 0; ; attempt++) {
      try {
        // With the anti-bot gate on, a single-use token first (or after a 60008, if the gate was switched
        // on since the listing); a token asked for a few ms too early is refused with 60003 like the
        // purchase and retried below.
        await seckillApi.purchaseWithTokenRetry(productId, tokenFirst);
        queuedAt.current = Date.now();
        go({ phase: 'queued' });
        void follow();
        return;
      } catch (e) {
        const err = toApiError(e);
        const sinceStart = serverNow() - start;
        if (err.code === SECKILL.notStarted && sinceStart >= -500 && sinceStart < NOT_STARTED_GRACE_MS && attempt < 5) {
          await new Promise((r) => window.setTimeout(r, NOT_STARTED_RETRY_MS));
          continue;
        }
        busy.current = false;
        go({ phase: 'error', error: err });
        onRejected?.(err.code);
        return;
      }
    }
  }, [activity.start_time, productId, tokenFirst, follow, go, onRejected]);

  return { ...state, buy };
}
