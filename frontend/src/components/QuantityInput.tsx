import { useEffect, useState } from 'react';
import { useT } from '../i18n';

interface Props {
  value: number;
  min?: number;
  max: number;
  disabled?: boolean;
  label: string;
  onChange: (n: number) => void;
  testId?: string;
}

/** − [n] + stepper; typing is committed on blur or Enter, clamped to [min, max]. */
export function QuantityInput({ value, min = 1, max, disabled, label, onChange, testId }: Props) {
  const t = useT();
  const [text, setText] = useState(String(value));
  useEffect(() => {
    setText(String(value));
  }, [value]);
  const upper = Math.max(min, max);
  const commit = (raw: string) => {
    const n = Math.min(upper, Math.max(min, Math.trunc(Number(raw)) || min));
    setText(String(n));
    if (n !== value) onChange(n);
  };
  return (
    <div className="qty" data-testid={testId}>
      <button type="button" className="qty-btn" aria-label={t('detail.decrease')} disabled={disabled || value <= min} onClick={() => onChange(value - 1)}>
        −
      </button>
      <input
        className="qty-input"
        inputMode="numeric"
        aria-label={label}
        value={text}
        disabled={disabled}
        onChange={(e) => setText(e.target.value.replace(/[^\d]/g, ''))}
        onBlur={(e) => commit(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit((e.target as HTMLInputElement).value);
        }}
      />
      <button type="button" className="qty-btn" aria-label={t('detail.increase')} disabled={disabled || value >= upper} onClick={() => onChange(value + 1)}>
        +
      </button>
    </div>
  );
}
