import { useState, type FormEvent } from 'react';
import { toApiError } from '../api/client';
import { paymentApi } from '../api/payment';
import type { RefundResult } from '../api/types';
import { useT } from '../i18n';
import { centsToYuanInput, formatCents } from '../utils/money';
import { checkRefundAmount } from '../utils/validation';
import { Field } from './Field';

/**
 * Refund (part of) a paid order. The amount is typed in yuan, prefilled with everything still
 * refundable, and sent in fen read exactly from the digits. Remount it (key) when refundableFee changes.
 */
export function RefundForm({ orderNo, refundableFee, onRefunded }: { orderNo: string; refundableFee: number; onRefunded: (r: RefundResult) => void }) {
  const t = useT();
  const [amount, setAmount] = useState(() => centsToYuanInput(refundableFee));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const max = formatCents(refundableFee);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checked = checkRefundAmount(amount, refundableFee);
    if ('error' in checked) {
      setError(t(checked.error, { max }));
      return;
    }
    if (!window.confirm(t('refund.confirm', { amount: formatCents(checked.fee) }))) return;
    setError(undefined);
    setBusy(true);
    try {
      onRefunded(await paymentApi.refund(orderNo, checked.fee));
    } catch (err) {
      setError(toApiError(err).message); // payment errors (400xx) carry the server's explanation
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="refund-form" onSubmit={submit} noValidate aria-labelledby="refund-title" data-testid="refund-form">
      <h3 id="refund-title">{t('refund.title')}</h3>
      <div className="refund-row">
        <Field
          label={t('refund.amount')}
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          onChange={(e) => {
            setAmount(e.target.value);
            setError(undefined);
          }}
          error={error}
          hint={t('refund.hint', { max })}
          data-testid="refund-amount"
        />
        <button type="submit" className="btn btn-outline" disabled={busy} data-testid="refund-submit">
          {busy ? t('common.submitting') : t('refund.submit')}
        </button>
      </div>
    </form>
  );
}
