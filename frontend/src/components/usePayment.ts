import { useCallback, useEffect, useRef, useState } from 'react';
import { toApiError, type ApiError } from '../api/client';
import { ordersApi } from '../api/orders';
import { PAYMENT, PAYMENT_POLL_MS, paymentApi, paymentOutcome, type PaymentOutcome } from '../api/payment';
import type { PaymentStatus, TradeState, UnifiedOrder } from '../api/types';
import { ORDER_STATUS } from '../api/types';
import { t } from '../i18n';
import { useStore } from '../store';
import { usePolling } from '../utils/usePolling';

/**
 * starting: asking for a QR code; waiting: the QR code is up, polling; paid / refunded: done;
 * expired: the code can no longer be paid (time up, closed, order cancelled); error: no QR code.
 */
export type PayPhase = 'starting' | 'waiting' | 'paid' | 'refunded' | 'expired' | 'error';

export interface PayState {
  phase: PayPhase;
  /** The answer of unified-order (the QR code, amount, deadline). */
  payment?: UnifiedOrder;
  /** The last answer of the status route (or of a query, merged in). */
  status?: PaymentStatus;
  /** WeChat's latest word on the payment. */
  tradeState: TradeState;
  /** The order's status as last seen (unknown until the first answer). */
  orderStatus?: number;
  /** The countdown reached expires_at. */
  timeUp: boolean;
  error?: ApiError;
  /** The "check now" query is on its way. */
  checking: boolean;
}

const INITIAL: PayState = { phase: 'starting', tradeState: '', timeUp: false, checking: false };

/** The phase a payment state leads to; `timeUp` turns a still pending payment into expired. */
export function phaseOf(outcome: PaymentOutcome, timeUp: boolean): PayPhase {
  if (outcome === 'paid') return 'paid';
  if (outcome === 'refunded') return 'refunded';
  if (outcome === 'closed' || timeUp) return 'expired';
  return 'waiting';
}

/**
 * The payment page's flow for one order: unified-order on open -> QR code -> poll the payment's
 * state every 2 s (paused while the tab is hidden) until it is paid, refunded or closed.
 * check() asks WeChat at once; restart() asks for a new QR code (after it expired).
 * After the countdown ends it keeps polling until the server closes the payment (a payment made in
 * the last second still shows as paid).
 */
export function usePayment(orderNo: string, { pollMs = PAYMENT_POLL_MS }: { pollMs?: number } = {}) {
  const [state, setState] = useState<PayState>(INITIAL);
  const live = useRef(true);
  const starting = useRef<{ orderNo: string; promise: Promise<UnifiedOrder> } | null>(null);
  const attempt = useRef(0);

  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  /** Apply what the server says about the payment (status route, query, refusal). */
  const learn = useCallback((seen: { order_status?: number | null; trade_state?: TradeState | null }, status?: PaymentStatus) => {
    setState((s) => {
      if (s.phase === 'starting' || s.phase === 'error') return s;
      const orderStatus = seen.order_status ?? s.orderStatus;
      const tradeState = seen.trade_state ?? s.tradeState;
      const phase = phaseOf(paymentOutcome({ order_status: orderStatus, trade_state: tradeState }), s.timeUp);
      // Paid stays paid: an answer that left before the payment went through must not undo it.
      if ((s.phase === 'paid' || s.phase === 'refunded') && phase !== 'paid' && phase !== 'refunded') return s;
      return { ...s, status: status ?? s.status, orderStatus, tradeState, phase };
    });
  }, []);

  const start = useCallback(() => {
    const mine = ++attempt.current;
    setState(INITIAL);
    // One request even when React runs the effect twice (StrictMode): both runs share it.
    if (!starting.current || starting.current.orderNo !== orderNo) {
      const promise = paymentApi.unifiedOrder(orderNo);
      starting.current = { orderNo, promise };
      const clear = () => {
        if (starting.current?.promise === promise) starting.current = null;
      };
      promise.then(clear, clear);
    }
    starting.current.promise.then(
      (payment) => {
        if (!live.current || mine !== attempt.current) return;
        setState({ ...INITIAL, phase: 'waiting', payment, tradeState: 'NOTPAY', orderStatus: ORDER_STATUS.awaitingPayment });
      },
      async (e: unknown) => {
        const error = toApiError(e);
        let orderStatus: number | undefined;
        if (error.code === PAYMENT.orderStatusConflict) {
          // Not awaiting payment: find out what it is (already paid is good news).
          orderStatus = await ordersApi.get(orderNo).then(
            (o) => o.status,
            () => undefined,
          );
        }
        if (!live.current || mine !== attempt.current) return;
        const outcome = orderStatus === undefined ? 'pending' : paymentOutcome({ order_status: orderStatus });
        if (outcome === 'paid' || outcome === 'refunded') setState({ ...INITIAL, phase: outcome, orderStatus });
        else setState({ ...INITIAL, phase: 'error', error, orderStatus });
      },
    );
  }, [orderNo]);

  useEffect(() => {
    start();
  }, [start]);

  const waitingForServer = state.phase === 'waiting' || (state.phase === 'expired' && state.orderStatus === ORDER_STATUS.awaitingPayment && state.tradeState !== 'CLOSED');
  usePolling(
    async () => {
      const status = await paymentApi.status(orderNo);
      if (live.current) learn(status, status);
    },
    pollMs,
    waitingForServer,
  );

  const check = useCallback(async () => {
    setState((s) => ({ ...s, checking: true }));
    try {
      const q = await paymentApi.query(orderNo);
      if (!live.current) return;
      learn(q);
      if (paymentOutcome(q) === 'pending') useStore.getState().pushToast(t('pay.notYet'), 'info');
    } catch {
      // the API layer showed the server's message
    } finally {
      if (live.current) setState((s) => ({ ...s, checking: false }));
    }
  }, [orderNo, learn]);

  const expire = useCallback(() => {
    setState((s) => (s.phase === 'waiting' ? { ...s, timeUp: true, phase: 'expired' } : { ...s, timeUp: true }));
  }, []);

  return { ...state, check, restart: start, expire };
}
