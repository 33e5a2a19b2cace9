import { useCallback } from 'react';
import { useStore, type Locale } from '../store';
import { en, zh, type MessageKey } from './messages';

export type { MessageKey };
export type Params = Record<string, string | number>;

const catalogs: Record<Locale, Record<MessageKey, string>> = { zh, en };

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const text = catalogs[locale][key] ?? zh[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Translate with the current locale, outside React. */
export function t(key: MessageKey, params?: Params): string {
  return translate(useStore.getState().locale, key, params);
}

/** Hook: a translate function bound to the current locale (re-renders on switch). */
export function useT() {
  const locale = useStore((s) => s.locale);
  return useCallback((key: MessageKey, params?: Params) => translate(locale, key, params), [locale]);
}

/** Key lookups for numeric enums such as order status. */
export function statusKey(status: number): MessageKey {
  const key = `order.status.${status}`;
  return (key in zh ? key : 'common.none') as MessageKey;
}

export function payTypeKey(payType: number): MessageKey {
  const key = `order.payType.${payType}`;
  return (key in zh ? key : 'common.none') as MessageKey;
}

export function roleKey(role: number): MessageKey {
  const key = `profile.role.${role}`;
  return (key in zh ? key : 'common.none') as MessageKey;
}

/** WeChat's trade_state ("" = no attempt yet, shown as waiting). */
export function tradeStateKey(state: string): MessageKey {
  const key = `pay.state.${state || 'NOTPAY'}`;
  return (key in zh ? key : 'pay.state.unknown') as MessageKey;
}

export function paymentKindKey(kind: string): MessageKey {
  const key = `payments.kind.${kind}`;
  return (key in zh ? key : 'payments.kind.other') as MessageKey;
}
