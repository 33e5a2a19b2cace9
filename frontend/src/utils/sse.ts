// Incremental parser for text/event-stream (the HTML "server-sent events" format).
// Chunks may split anywhere (mid-line, mid-CRLF, mid-UTF-8 when fed bytes through a
// streaming TextDecoder); push() returns the events completed by this chunk.

export interface SseEvent {
  /** "message" when the frame has no event: line. */
  event: string;
  /** data: lines joined with "\n". */
  data: string;
  id?: string;
  retry?: number;
}

export class SseParser {
  private buffer = '';
  private pendingCR = false;
  private data: string[] = [];
  private hasData = false;
  private event = '';
  private id: string | undefined;
  private retry: number | undefined;

  /** Feed text; returns the events whose blank-line terminator arrived. */
  push(chunk: string): SseEvent[] {
    const out: SseEvent[] = [];
    let text = chunk;
    // A CR at the end of the last chunk and an LF at the start of this one are one line break.
    if (this.pendingCR) {
      this.pendingCR = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (ch !== '\n' && ch !== '\r') continue;
      const line = this.buffer.slice(start, i);
      if (ch === '\r') {
        if (i + 1 < this.buffer.length) {
          if (this.buffer[i + 1] === '\n') i++;
        } else {
          this.pendingCR = true;
        }
      }
      start = i + 1;
      this.line(line, out);
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  /** The stream ended: a frame without its final blank line is dropped, as browsers do. */
  end(): SseEvent[] {
    this.buffer = '';
    this.reset();
    return [];
  }

  private reset(): void {
    this.data = [];
    this.hasData = false;
    this.event = '';
    this.retry = undefined;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.hasData) {
        const ev: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
        if (this.id !== undefined) ev.id = this.id;
        if (this.retry !== undefined) ev.retry = this.retry;
        out.push(ev);
      }
      this.reset();
      return;
    }
    if (line.startsWith(':')) return; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }
}

/** Parse a complete stream body at once. */
export function parseSse(text: string): SseEvent[] {
  const p = new SseParser();
  return p.push(text);
}
