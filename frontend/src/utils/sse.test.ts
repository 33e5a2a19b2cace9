import { describe, expect, it } from 'vitest';
import { SseParser, parseSse } from './sse';

describe('SSE frame parser', () => {
  it('parses an event frame with a JSON data line', () => {
    expect(parseSse('event: result\ndata: {"status":"queued"}\n\n')).toEqual([{ event: 'result', data: '{"status":"queued"}' }]);
  });

  it('defaults the event name to "message" and joins multi-line data with \\n', () => {
    expect(parseSse('data: a\ndata: b\n\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('yields nothing until the blank line arrives, across arbitrary chunk splits', () => {
    const text = 'event: result\ndata: {"status":"queued"}\n\nevent: result\ndata: {"status":"success","order_no":"ORD1"}\n\n';
    for (let size = 1; size <= 9; size++) {
      const p = new SseParser();
      const out = [];
      for (let i = 0; i < text.length; i += size) out.push(...p.push(text.slice(i, i + size)));
      expect(out.map((e) => JSON.parse(e.data).status)).toEqual(['queued', 'success']);
    }
    const p = new SseParser();
    expect(p.push('event: result\ndata: {}')).toEqual([]);
    expect(p.push('\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'result', data: '{}' }]);
  });

  it('accepts CRLF and CR line endings, including a CRLF split between chunks', () => {
    expect(parseSse('event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r')).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
    ]);
    const p = new SseParser();
    expect(p.push('data: x\r')).toEqual([]);
    // the LF completes the CRLF of line 1; the CR that follows ends the blank line at once
    expect(p.push('\n\r')).toEqual([{ event: 'message', data: 'x' }]);
    expect(p.push('\n')).toEqual([]); // ...and this LF belongs to that CR, not a new line
    expect(p.push('data: y\n\n')).toEqual([{ event: 'message', data: 'y' }]);
  });

  it('ignores comments, unknown fields and frames without data; strips only one leading space', () => {
    expect(parseSse(': keep-alive\n\nfoo: bar\nevent: ping\n\ndata:  two spaces\nid: 7\nretry: 1500\n\n')).toEqual([
      { event: 'message', data: ' two spaces', id: '7', retry: 1500 },
    ]);
  });

  it('resets the event name between frames and handles a field line without a colon', () => {
    expect(parseSse('event: result\ndata: 1\n\ndata\n\n')).toEqual([
      { event: 'result', data: '1' },
      { event: 'message', data: '' },
    ]);
  });

  it('drops an unterminated frame at the end of the stream', () => {
    const p = new SseParser();
    expect(p.push('data: partial')).toEqual([]);
    expect(p.end()).toEqual([]);
    expect(p.push('\n\n')).toEqual([]);
  });
});
