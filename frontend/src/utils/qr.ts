// A QR code as an SVG path, drawn here from the text (the `qrcode` package computes the modules;
// nothing is fetched). One path keeps the DOM small: a run of dark modules in a row is one rectangle.
import { create } from 'qrcode';

export interface QrSymbol {
  /** Modules per side, without the quiet zone. */
  size: number;
  /** Path of the dark modules, in module units, offset by the quiet zone. */
  path: string;
  /** Modules per side including the quiet zone on both sides: the viewBox. */
  extent: number;
}

/** The quiet zone the standard asks for, in modules. */
export const QR_QUIET_ZONE = 4;

export function qrSymbol(text: string, quietZone = QR_QUIET_ZONE): QrSymbol {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const parts: string[] = [];
  for (let row = 0; row < n; row++) {
    let col = 0;
    while (col < n) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < n && modules.get(row, col)) col++;
      parts.push(`M${start + quietZone} ${row + quietZone}h${col - start}v1h${start - col}z`);
    }
  }
  return { size: n, path: parts.join(''), extent: n + 2 * quietZone };
}
