import { useMemo } from 'react';
import { qrSymbol } from '../utils/qr';

/** A QR code of `value`, drawn as SVG (black on white, with its quiet zone), `size` CSS pixels wide. */
export function QrCode({ value, label, size = 220, testId = 'qr' }: { value: string; label: string; size?: number; testId?: string }) {
  const symbol = useMemo(() => qrSymbol(value), [value]);
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${symbol.extent} ${symbol.extent}`}
      width={size}
      height={size}
      shapeRendering="crispEdges"
      data-testid={testId}
      data-value={value}
    >
      <rect width={symbol.extent} height={symbol.extent} fill="#fff" />
      <path d={symbol.path} fill="#000" />
    </svg>
  );
}
