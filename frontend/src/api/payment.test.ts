// The WeChat Pay API against a scripted network (the Axios adapter): routes, parameters, the
// envelope, which calls are silent, and what a payment state means for the payment page.
import { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { beforeEach, describe, expect, it } from 'vitest';
import { useStore } from '../store';
import { ApiError, http, resetClientForTests, setNavigator } from './client';
import { PAYMENT, isPaymentError, paymentApi, paymentOutcome } from './payment';
import type { PaymentStatus, RefundResult, UnifiedOrder } from './types';

type Reply = { status: number; body: unknown };
let handler: (config: InternalAxiosRequestConfig) => Reply;
const calls: InternalAxiosRequestConfig[] = [];
const stub: AxiosAdapter = async (config) => {
  calls.push(config);
  const { status, body } = handler(config);
  const response: AxiosResponse = { data: body, status, statusText: String(status), headers: {}, config, request: {} };
  if (status >= 200 && status < 300) return response;
  throw new AxiosError(`Request failed with status code ${status}`, AxiosError.ERR_BAD_REQUEST, config, {}, response);
};
const ok = (data: unknown): Reply => ({ status: 200, body: { code: 0, message: 'success', data, trace_id: 't'.repeat(32) } });
const fail = (status: number, code: number, message: string): Reply => ({ status, body: { code, message, data: null, trace_id: 'f'.repeat(32) } });

const ORDER_NO = 'ORD20260101120000123';
const unified: UnifiedOrder = {
  prepay_id: 'wx_prepay_1',
  code_url: 'weixin://wxpay/bizpayurl?pr=abc123',
  order_no: ORDER_NO,
  out_trade_no: `${ORDER_NO}P1`,
  total_fee: 12990,
  trade_type: 'NATIVE',
  expires_at: '2026-01-01T12:15:00Z',
  scan_url: 'http://127.0.0.1:9999/emulator/scan?pr=abc123',
};
const status: PaymentStatus = {
  order_no: ORDER_NO,
  order_status: 1,
  total_fee: 12990,
  paid_fee: 0,
  refunded_fee: 0,
  refundable_fee: 0,
  expires_at: '2026-01-01T12:15:00Z',
  trade_state: 'NOTPAY',
  records: [],
};

beforeEach(() => {
  http.defaults.adapter = stub;
  calls.length = 0;
  resetClientForTests();
  localStorage.clear();
  useStore.setState({ token: 'access-1', refreshToken: 'refresh-1', user: null, toasts: [], cartCount: 0, locale: 'en' });
  setNavigator(() => undefined);
});

describe('paymentApi: routes and envelope', () => {
  it('unified-order posts the order number as JSON, signed in, and answers the QR code data', async () => {
    handler = () => ok(unified);
    await expect(paymentApi.unifiedOrder(ORDER_NO)).resolves.toEqual(unified);
    const c = calls[0];
    expect(c.method).toBe('post');
    expect(c.url).toBe('/pay/wechat/unified-order');
    expect(c.data).toBe(`{"order_no":"${ORDER_NO}"}`);
    expect(AxiosHeaders.from(c.headers).get('Authorization')).toBe('Bearer access-1');
  });

  it('reads the payment state of an order under /order/:order_no/payment', async () => {
    handler = () => ok(status);
    await expect(paymentApi.status(ORDER_NO)).resolves.toEqual(status);
    expect(calls[0].method).toBe('get');
    expect(calls[0].url).toBe(`/order/${ORDER_NO}/payment`);
  });

  it('escapes an order number in the path', async () => {
    handler = () => ok(status);
    await paymentApi.status('A/B?C');
    expect(calls[0].url).toBe('/order/A%2FB%3FC/payment');
  });

  it('query, close and refund send the order number (and the refund in fen) as query parameters', async () => {
    handler = (c) => {
      if (c.url === '/pay/wechat/query') return ok({ order_no: ORDER_NO, trade_state: 'SUCCESS', trade_state_desc: 'ok', transaction_id: '42', total_fee: 12990, order_status: 2 });
      if (c.url === '/pay/wechat/close') return ok({ order_no: ORDER_NO, trade_state: 'CLOSED' });
      const r: RefundResult = { order_no: ORDER_NO, out_refund_no: 'R1', refund_id: 'wxr1', refund_fee: 1001, status: 'SUCCESS', refunded_fee: 1001, refundable_fee: 11989, order_status: 2 };
      return ok(r);
    };
    expect((await paymentApi.query(ORDER_NO)).trade_state).toBe('SUCCESS');
    expect((await paymentApi.close(ORDER_NO)).trade_state).toBe('CLOSED');
    expect((await paymentApi.refund(ORDER_NO, 1001)).refundable_fee).toBe(11989);
    expect(calls.map((c) => [c.method, c.url, c.params])).toEqual([
      ['get', '/pay/wechat/query', { order_no: ORDER_NO }],
      ['post', '/pay/wechat/close', { order_no: ORDER_NO }],
      ['post', '/pay/wechat/refund', { order_no: ORDER_NO, refund_fee: 1001 }],
    ]);
  });

  it('turns a payment error into an ApiError with the server message; silent calls show no toast', async () => {
    handler = () => fail(400, 40007, 'refund exceeds the refundable amount');
    const err = await paymentApi.refund(ORDER_NO, 999999).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 40007, status: 400, message: 'refund exceeds the refundable amount' });
    expect(isPaymentError((err as ApiError).code)).toBe(true);
    expect(useStore.getState().toasts).toEqual([]);

    handler = () => fail(409, PAYMENT.orderStatusConflict, 'order status conflict');
    await expect(paymentApi.unifiedOrder(ORDER_NO)).rejects.toMatchObject({ code: 30002, status: 409 });
    await expect(paymentApi.status(ORDER_NO)).rejects.toMatchObject({ code: 30002 });
    expect(useStore.getState().toasts).toEqual([]);
  });

  it('shows the server message of a failed "check now" query as a toast', async () => {
    handler = () => fail(502, 40003, 'WeChat Pay is not reachable');
    await expect(paymentApi.query(ORDER_NO)).rejects.toMatchObject({ code: 40003 });
    expect(useStore.getState().toasts.map((t) => t.text)).toEqual(['WeChat Pay is not reachable']);
  });

  it('knows the payment error range', () => {
    expect(isPaymentError(40001)).toBe(true);
    expect(isPaymentError(40099)).toBe(true);
    expect(isPaymentError(40100)).toBe(false);
    expect(isPaymentError(30002)).toBe(false);
  });
});

describe('paymentOutcome', () => {
  it('follows the order status first', () => {
    expect(paymentOutcome({ order_status: 1, trade_state: 'NOTPAY' })).toBe('pending');
    expect(paymentOutcome({ order_status: 2, trade_state: 'NOTPAY' })).toBe('paid');
    expect(paymentOutcome({ order_status: 3 })).toBe('paid');
    expect(paymentOutcome({ order_status: 4 })).toBe('paid');
    expect(paymentOutcome({ order_status: 2, trade_state: 'REFUND' })).toBe('paid'); // partly refunded
    expect(paymentOutcome({ order_status: 6, trade_state: 'REFUND' })).toBe('refunded');
    expect(paymentOutcome({ order_status: 5, trade_state: 'NOTPAY' })).toBe('closed');
  });

  it("uses WeChat's trade_state while the order is still awaiting payment", () => {
    expect(paymentOutcome({ order_status: 1, trade_state: 'SUCCESS' })).toBe('paid');
    expect(paymentOutcome({ order_status: 1, trade_state: 'CLOSED' })).toBe('closed');
    expect(paymentOutcome({ order_status: 1, trade_state: 'REVOKED' })).toBe('closed');
    expect(paymentOutcome({ order_status: 1, trade_state: 'USERPAYING' })).toBe('pending');
    expect(paymentOutcome({ order_status: 1, trade_state: 'PAYERROR' })).toBe('pending');
    expect(paymentOutcome({ order_status: 1, trade_state: '' })).toBe('pending');
    expect(paymentOutcome({ trade_state: 'SUCCESS' })).toBe('paid');
  });
});
