// The payment page's flow against a stubbed API: QR code, polling until paid, the "check now"
// query, an order that is not awaiting payment, the countdown ending, and polling that pauses
// while the tab is hidden and stops on unmount.
import { AxiosError, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { http, resetClientForTests, setNavigator } from '../api/client';
import { PAYMENT } from '../api/payment';
import type { PaymentStatus, UnifiedOrder } from '../api/types';
import { useStore } from '../store';
import { phaseOf, usePayment } from './usePayment';

type Reply = { status: number; body: unknown };
type Payment = ReturnType<typeof usePayment>;
let handler: (config: InternalAxiosRequestConfig) => Reply;
const calls: string[] = [];
const stub: AxiosAdapter = async (config) => {
  const reply = handler(config);
  calls.push(`${config.method} ${config.url}`);
  const response: AxiosResponse = { data: reply.body, status: reply.status, statusText: '', headers: {}, config, request: {} };
  if (reply.status < 300) return response;
  throw new AxiosError('refused', AxiosError.ERR_BAD_REQUEST, config, {}, response);
};
const ok = (data: unknown): Reply => ({ status: 200, body: { code: 0, message: 'success', data } });
const fail = (status: number, code: number, message = `code ${code}`): Reply => ({ status, body: { code, message, data: null } });

const NO = 'ORD1';
const POLL_MS = 25;
const unified: UnifiedOrder = {
  prepay_id: 'p1', code_url: 'weixin://wxpay/bizpayurl?pr=abc', order_no: NO, out_trade_no: 'ORD1P1', total_fee: 990,
  trade_type: 'NATIVE', expires_at: new Date(Date.now() + 900_000).toISOString(),
};
const status = (order_status: number, trade_state: string, extra: Partial<PaymentStatus> = {}): PaymentStatus => ({
  order_no: NO, order_status, total_fee: 990, paid_fee: order_status === 2 ? 990 : 0, refunded_fee: 0, refundable_fee: 0,
  expires_at: unified.expires_at, trade_state, records: [], ...extra,
});
const count = (route: string) => calls.filter((c) => c === route).length;
const STATUS_ROUTE = `get /order/${NO}/payment`;
const UNIFIED_ROUTE = 'post /pay/wechat/unified-order';

let root: Root | null = null;
let latest: Payment | undefined;
const pay = (): Payment => {
  if (!latest) throw new Error('not rendered');
  return latest;
};
const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 3000, interval: 10 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mount(): void {
  function Probe() {
    latest = usePayment(NO, { pollMs: POLL_MS });
    return null;
  }
  latest = undefined;
  root = createRoot(document.createElement('div'));
  root.render(createElement(Probe));
}

let visibility: DocumentVisibilityState = 'visible';
function setVisibility(v: DocumentVisibilityState) {
  visibility = v;
  document.dispatchEvent(new Event('visibilitychange'));
}

beforeEach(() => {
  http.defaults.adapter = stub;
  calls.length = 0;
  resetClientForTests();
  useStore.setState({ token: 'access-1', refreshToken: 'refresh-1', toasts: [], cartCount: 0, locale: 'en' });
  setNavigator(vi.fn() as unknown as (to: string) => void);
  visibility = 'visible';
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
});
afterEach(() => {
  root?.unmount();
  root = null;
});

describe('usePayment', () => {
  it('asks for a QR code once, polls every interval, and ends when the order is paid', async () => {
    let polls = 0;
    handler = (c) => {
      if (c.url === '/pay/wechat/unified-order') return ok(unified);
      polls++;
      return ok(polls < 3 ? status(1, polls === 1 ? 'NOTPAY' : 'USERPAYING') : status(2, 'SUCCESS'));
    };
    mount();
    await waitFor(() => expect(pay().phase).toBe('waiting'));
    expect(pay().payment).toEqual(unified);
    await waitFor(() => expect(pay().phase).toBe('paid'));
    expect(pay().status?.paid_fee).toBe(990);
    expect(count(UNIFIED_ROUTE)).toBe(1);
    const seen = count(STATUS_ROUTE);
    expect(seen).toBe(3);
    await sleep(POLL_MS * 4);
    expect(count(STATUS_ROUTE)).toBe(seen); // a final state stops the polling
  });

  it('shows the live trade state while waiting', async () => {
    handler = (c) => (c.url === '/pay/wechat/unified-order' ? ok(unified) : ok(status(1, 'USERPAYING')));
    mount();
    await waitFor(() => expect(pay().tradeState).toBe('USERPAYING'));
    expect(pay().phase).toBe('waiting');
  });

  it('stops polling on unmount', async () => {
    handler = (c) => (c.url === '/pay/wechat/unified-order' ? ok(unified) : ok(status(1, 'NOTPAY')));
    mount();
    await waitFor(() => expect(count(STATUS_ROUTE)).toBeGreaterThanOrEqual(2));
    root!.unmount();
    root = null;
    const seen = count(STATUS_ROUTE);
    await sleep(POLL_MS * 4);
    expect(count(STATUS_ROUTE)).toBe(seen);
  });

  it('pauses while the tab is hidden and asks at once when it is shown again', async () => {
    handler = (c) => (c.url === '/pay/wechat/unified-order' ? ok(unified) : ok(status(1, 'NOTPAY')));
    mount();
    await waitFor(() => expect(count(STATUS_ROUTE)).toBeGreaterThanOrEqual(2));
    setVisibility('hidden');
    await sleep(POLL_MS * 2); // a request on its way may still land
    const seen = count(STATUS_ROUTE);
    await sleep(POLL_MS * 5);
    expect(count(STATUS_ROUTE)).toBe(seen);
    setVisibility('visible');
    await waitFor(() => expect(count(STATUS_ROUTE)).toBeGreaterThan(seen));
  });

  it('"check now" asks WeChat and ends as paid on SUCCESS', async () => {
    handler = (c) => {
      if (c.url === '/pay/wechat/unified-order') return ok(unified);
      if (c.url === '/pay/wechat/query') return ok({ order_no: NO, trade_state: 'SUCCESS', trade_state_desc: '', transaction_id: 't1', total_fee: 990, order_status: 2 });
      return ok(status(1, 'NOTPAY'));
    };
    mount();
    await waitFor(() => expect(pay().phase).toBe('waiting'));
    await pay().check();
    await waitFor(() => expect(pay().phase).toBe('paid'));
    expect(calls).toContain('get /pay/wechat/query');
    expect(pay().checking).toBe(false);
  });

  it('a poll answered after "check now" found it paid does not undo the ending', async () => {
    let release: (() => void) | undefined;
    let polls = 0;
    const stale = status(1, 'NOTPAY');
    http.defaults.adapter = async (config) => {
      if (config.url === `/order/${NO}/payment` && ++polls === 2) await new Promise<void>((r) => (release = r)); // the second poll hangs
      return stub(config);
    };
    handler = (c) => {
      if (c.url === '/pay/wechat/unified-order') return ok(unified);
      if (c.url === '/pay/wechat/query') return ok({ order_no: NO, trade_state: 'SUCCESS', trade_state_desc: '', transaction_id: 't1', total_fee: 990, order_status: 2 });
      return ok(stale);
    };
    mount();
    await waitFor(() => expect(release).toBeDefined());
    await pay().check();
    await waitFor(() => expect(pay().phase).toBe('paid'));
    release!();
    await sleep(POLL_MS * 3);
    expect(pay().phase).toBe('paid');
    expect(polls).toBe(2);
  });

  it('"check now" says so when nothing is paid yet', async () => {
    handler = (c) => {
      if (c.url === '/pay/wechat/unified-order') return ok(unified);
      if (c.url === '/pay/wechat/query') return ok({ order_no: NO, trade_state: 'NOTPAY', trade_state_desc: '', transaction_id: '', total_fee: 990, order_status: 1 });
      return ok(status(1, 'NOTPAY'));
    };
    mount();
    await waitFor(() => expect(pay().phase).toBe('waiting'));
    await pay().check();
    expect(pay().phase).toBe('waiting');
    expect(useStore.getState().toasts.map((t) => t.text)).toEqual(['No payment yet; after paying, give it a moment']);
  });

  it('an order that was paid meanwhile (30002) shows as paid', async () => {
    handler = (c) => {
      if (c.url === '/pay/wechat/unified-order') return fail(409, PAYMENT.orderStatusConflict);
      if (c.url === `/order/${NO}`) return ok({ order_no: NO, status: 2 });
      return ok(status(2, 'SUCCESS'));
    };
    mount();
    await waitFor(() => expect(pay().phase).toBe('paid'));
    expect(pay().orderStatus).toBe(2);
  });

  it('a cancelled order (30002) is an error that knows the order status, and nothing is polled', async () => {
    handler = (c) => {
      if (c.url === '/pay/wechat/unified-order') return fail(409, PAYMENT.orderStatusConflict);
      if (c.url === `/order/${NO}`) return ok({ order_no: NO, status: 5 });
      return ok(status(5, 'CLOSED'));
    };
    mount();
    await waitFor(() => expect(pay().phase).toBe('error'));
    expect(pay().orderStatus).toBe(5);
    expect(pay().error?.code).toBe(PAYMENT.orderStatusConflict);
    await sleep(POLL_MS * 3);
    expect(count(STATUS_ROUTE)).toBe(0);
  });

  it('keeps the server message of a payment error, silently, and can try again', async () => {
    let refuse = true;
    handler = (c) => {
      if (c.url === '/pay/wechat/unified-order') return refuse ? fail(502, 40003, 'WeChat Pay is not reachable') : ok(unified);
      return ok(status(1, 'NOTPAY'));
    };
    mount();
    await waitFor(() => expect(pay().phase).toBe('error'));
    expect(pay().error).toMatchObject({ code: 40003, message: 'WeChat Pay is not reachable' });
    expect(useStore.getState().toasts).toEqual([]);
    refuse = false;
    pay().restart();
    await waitFor(() => expect(pay().phase).toBe('waiting'));
    expect(count(UNIFIED_ROUTE)).toBe(2);
  });

  it('when the countdown ends: expired, still polling until the server closes the order', async () => {
    let orderStatus = 1;
    handler = (c) => (c.url === '/pay/wechat/unified-order' ? ok(unified) : ok(status(orderStatus, 'NOTPAY')));
    mount();
    await waitFor(() => expect(pay().phase).toBe('waiting'));
    pay().expire();
    await waitFor(() => expect(pay().phase).toBe('expired'));
    expect(pay().timeUp).toBe(true);
    const seen = count(STATUS_ROUTE);
    await waitFor(() => expect(count(STATUS_ROUTE)).toBeGreaterThan(seen));
    orderStatus = 5;
    await waitFor(() => expect(pay().orderStatus).toBe(5));
    const after = count(STATUS_ROUTE);
    await sleep(POLL_MS * 4);
    expect(count(STATUS_ROUTE)).toBe(after);
    expect(pay().phase).toBe('expired');
  });

  it('a payment made in the last second still ends as paid after the countdown', async () => {
    let paid = false;
    handler = (c) => (c.url === '/pay/wechat/unified-order' ? ok(unified) : ok(paid ? status(2, 'SUCCESS') : status(1, 'NOTPAY')));
    mount();
    await waitFor(() => expect(pay().phase).toBe('waiting'));
    pay().expire();
    await waitFor(() => expect(pay().phase).toBe('expired'));
    paid = true;
    await waitFor(() => expect(pay().phase).toBe('paid'));
  });

  it('a closed payment while waiting is expired', async () => {
    handler = (c) => (c.url === '/pay/wechat/unified-order' ? ok(unified) : ok(status(1, 'CLOSED')));
    mount();
    await waitFor(() => expect(pay().phase).toBe('expired'));
    expect(pay().timeUp).toBe(false);
  });
});

describe('phaseOf', () => {
  it('maps outcomes to phases', () => {
    expect(phaseOf('paid', true)).toBe('paid');
    expect(phaseOf('refunded', false)).toBe('refunded');
    expect(phaseOf('closed', false)).toBe('expired');
    expect(phaseOf('pending', true)).toBe('expired');
    expect(phaseOf('pending', false)).toBe('waiting');
  });
});
