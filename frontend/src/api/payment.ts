// WeChat Pay, Native mode (the shopper scans a QR code):
//  - unifiedOrder() opens (or reopens) a payment for an order awaiting payment and answers the
//    code_url to draw as a QR code; scan_url only against the server's local emulator
//  - status() is what the payment page polls (GET /order/:order_no/payment), with the record of
//    every attempt, notification, query, close and refund
//  - query() asks WeChat there and then ("I have paid — check now")
//  - refund() gives a paid order's money back, whole or in part (refund_fee in fen)
// Amounts named *_fee are integer fen. Payment errors are codes 40001-40099 (the server's message
// is shown as it is); 30002 means the order is not in a status that allows this.
import { api } from './client';
import { ORDER_STATUS } from './types';
import type { PaymentClosed, PaymentQuery, PaymentStatus, RefundResult, TradeState, UnifiedOrder } from './types';

export type {
  PaymentClosed,
  PaymentQuery,
  PaymentRecord,
  PaymentRecordKind,
  PaymentStatus,
  RefundResult,
  RefundStatus,
  TradeState,
  UnifiedOrder,
} from './types';

export const PAYMENT = {
  orderNotFound: 30001,
  orderStatusConflict: 30002,
  directPayDisabled: 30005,
  /** The range of payment error codes. */
  errorFirst: 40001,
  errorLast: 40099,
} as const;

/** How often the payment page asks for the payment's state, ms. */
export const PAYMENT_POLL_MS = 2000;

export const isPaymentError = (code: number): boolean => code >= PAYMENT.errorFirst && code <= PAYMENT.errorLast;

const orderPath = (orderNo: string) => `/order/${encodeURIComponent(orderNo)}`;

export const paymentApi = {
  /** Silent: the payment page shows a failure in place of the QR code. */
  unifiedOrder: (orderNo: string) =>
    api.post<UnifiedOrder>('/pay/wechat/unified-order', { order_no: orderNo }, { silent: true }),
  /** Silent: polled every 2 s, and optional on the order page. */
  status: (orderNo: string) => api.get<PaymentStatus>(`${orderPath(orderNo)}/payment`, { silent: true }),
  query: (orderNo: string) => api.get<PaymentQuery>('/pay/wechat/query', { params: { order_no: orderNo } }),
  close: (orderNo: string) => api.post<PaymentClosed>('/pay/wechat/close', undefined, { params: { order_no: orderNo } }),
  /** Silent: the refund form shows the failure next to itself. */
  refund: (orderNo: string, refundFee: number) =>
    api.post<RefundResult>('/pay/wechat/refund', undefined, { params: { order_no: orderNo, refund_fee: refundFee }, silent: true }),
};

/** What an order's payment state means to the shopper waiting in front of the QR code. */
export type PaymentOutcome = 'pending' | 'paid' | 'refunded' | 'closed';

const PAID_STATUSES: number[] = [ORDER_STATUS.paid, ORDER_STATUS.shipped, ORDER_STATUS.completed];

/**
 * The order's status decides; WeChat's trade_state fills in while the order has not caught up
 * (SUCCESS: the money is taken; CLOSED / REVOKED: this QR code can no longer be paid).
 */
export function paymentOutcome(s: { order_status?: number | null; trade_state?: TradeState | null }): PaymentOutcome {
  const status = s.order_status;
  if (status !== undefined && status !== null) {
    if (PAID_STATUSES.includes(status)) return 'paid';
    if (status === ORDER_STATUS.refunded) return 'refunded';
    if (status === ORDER_STATUS.cancelled) return 'closed';
  }
  switch (s.trade_state) {
    case 'SUCCESS':
      return 'paid';
    case 'REFUND':
      return 'refunded';
    case 'CLOSED':
    case 'REVOKED':
      return 'closed';
    default:
      return 'pending';
  }
}
