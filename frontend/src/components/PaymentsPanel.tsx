import { useState } from 'react';
import { paymentApi } from '../api/payment';
import type { RefundResult } from '../api/types';
import { paymentKindKey, useT } from '../i18n';
import { useStore } from '../store';
import { formatCents } from '../utils/money';
import { formatDateTime } from '../utils/time';
import { useRequest } from '../utils/useRequest';
import { Price } from './Price';
import { RefundForm } from './RefundForm';

function refundMessage(r: RefundResult, t: ReturnType<typeof useT>): string {
  const amount = formatCents(r.refund_fee);
  if (r.status === 'SUCCESS') return t('refund.success', { amount });
  if (r.status === 'PROCESSING') return t('refund.processing', { amount });
  return t('refund.other', { amount, status: r.status });
}

/**
 * The order's payments: what was paid and refunded, every record (attempts, notifications,
 * queries, closes, refunds), and a refund form while something is refundable. Hidden when the
 * order has no payment yet, or the server has no payment route.
 */
export function PaymentsPanel({ orderNo, orderStatus, onChanged }: { orderNo: string; orderStatus: number; onChanged: () => void }) {
  const t = useT();
  const locale = useStore((s) => s.locale);
  const payment = useRequest(() => paymentApi.status(orderNo), [orderNo, orderStatus]);
  const [result, setResult] = useState<RefundResult>();

  const p = payment.data;
  if (!p || (p.records.length === 0 && p.paid_fee === 0 && !result)) return null;

  return (
    <section className="card panel payments" aria-labelledby="payments-title" data-testid="payments">
      <h2 id="payments-title" className="section-title">{t('payments.title')}</h2>
      <dl className="info-list info-inline payments-totals">
        <dt>{t('payments.paid')}</dt>
        <dd data-testid="payments-paid" data-fee={p.paid_fee}><Price cents={p.paid_fee} /></dd>
        <dt>{t('payments.refunded')}</dt>
        <dd data-testid="payments-refunded" data-fee={p.refunded_fee}><Price cents={p.refunded_fee} /></dd>
        <dt>{t('payments.refundable')}</dt>
        <dd data-testid="payments-refundable" data-fee={p.refundable_fee}><Price cents={p.refundable_fee} /></dd>
      </dl>
      {p.records.length === 0 ? (
        <p className="muted">{t('payments.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table payment-records">
            <thead>
              <tr>
                <th scope="col">{t('payments.kind')}</th>
                <th scope="col" className="num">{t('payments.amount')}</th>
                <th scope="col">{t('payments.status')}</th>
                <th scope="col">{t('payments.time')}</th>
              </tr>
            </thead>
            <tbody>
              {p.records.map((r) => (
                <tr key={r.id} data-testid="payment-record" data-kind={r.kind} data-status={r.status}>
                  <td title={r.detail || undefined}>{t(paymentKindKey(r.kind))}</td>
                  <td className="num">{formatCents(r.amount_fee)}</td>
                  <td className="mono">{r.status || '—'}</td>
                  <td className="nowrap">{formatDateTime(r.created_at, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result && (
        <p className={`notice ${result.status === 'SUCCESS' ? 'notice-ok' : 'notice-info'}`} role="status" data-testid="refund-result" data-status={result.status}>
          {refundMessage(result, t)}
        </p>
      )}
      {p.refundable_fee > 0 && (
        <RefundForm
          key={p.refundable_fee}
          orderNo={orderNo}
          refundableFee={p.refundable_fee}
          onRefunded={(r) => {
            setResult(r);
            payment.reload();
            onChanged();
          }}
        />
      )}
    </section>
  );
}
