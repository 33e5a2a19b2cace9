// The upload API against a scripted network (the Axios adapter): the form it sends, the
// client-side check, and how failures become messages.
import { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { beforeEach, describe, expect, it } from 'vitest';
import { useStore } from '../store';
import { ApiError, api, http, resetClientForTests, setNavigator } from './client';
import { MAX_UPLOAD_BYTES, UPLOAD, UploadError, checkImageFile, uploadImage, uploadImages } from './upload';

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
const created = (data: unknown): Reply => ({ status: 201, body: { code: 0, message: 'success', data, trace_id: 't'.repeat(32) } });
const fail = (status: number, code: number, message: string, field = 'file'): Reply => ({
  status,
  body: { code, message, data: { field }, trace_id: 'f'.repeat(32) },
});

const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (name = 'cat.png', bytes: BlobPart = PNG_BYTES) => new File([bytes], name, { type: 'image/png' });
const stored = (n: number) => ({ url: `/uploads/${String(n).repeat(32)}.png`, name: `${String(n).repeat(32)}.png`, type: 'image/png', size: 8, width: 1, height: 1 });

beforeEach(() => {
  http.defaults.adapter = stub;
  calls.length = 0;
  resetClientForTests();
  localStorage.clear();
  useStore.setState({ token: 'access-1', refreshToken: 'refresh-1', user: null, toasts: [], cartCount: 0, locale: 'en' });
  setNavigator(() => undefined);
});

describe('uploadImage', () => {
  it('posts a form with the file in the field "file", signed in, without a JSON content type', async () => {
    handler = () => created(stored(1));
    const file = png();
    await expect(uploadImage(file)).resolves.toEqual(stored(1));
    expect(calls).toHaveLength(1);
    const c = calls[0];
    expect(c.method).toBe('post');
    expect(c.url).toBe('/upload');
    expect(c.data).toBeInstanceOf(FormData);
    const form = c.data as FormData;
    expect([...form.keys()]).toEqual(['file']);
    const sent = form.get('file') as File;
    expect(sent).toBeInstanceOf(File);
    expect(sent.name).toBe('cat.png');
    expect(sent.size).toBe(PNG_BYTES.length);
    const headers = AxiosHeaders.from(c.headers);
    expect(headers.get('Authorization')).toBe('Bearer access-1');
    expect(String(headers.get('Content-Type') ?? '')).not.toMatch(/json/);
  });

  it('keeps sending JSON for ordinary calls', async () => {
    handler = () => created(null);
    await api.post('/cart', { product_id: 1, quantity: 1 });
    expect(calls[0].data).toBe('{"product_id":1,"quantity":1}');
    expect(AxiosHeaders.from(calls[0].headers).get('Content-Type')).toMatch(/application\/json/);
  });

  it('reports the upload progress in percent', async () => {
    handler = (c) => {
      c.onUploadProgress?.({ loaded: 50, total: 200, bytes: 50, lengthComputable: true, upload: true });
      c.onUploadProgress?.({ loaded: 200, total: 200, bytes: 150, lengthComputable: true, upload: true });
      return created(stored(2));
    };
    const seen: number[] = [];
    await uploadImage(png(), { onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([25, 100]);
  });

  it.each([
    [400, UPLOAD.noFile, 'No file arrived; choose the image again'],
    [415, UPLOAD.unsupportedType, 'Unsupported file type: only JPEG, PNG, GIF and WebP images'],
    [413, UPLOAD.tooLarge, 'The file is larger than the server accepts'],
    [400, UPLOAD.tooManyFiles, 'Too many files in one upload'],
    [400, UPLOAD.malformed, 'The upload arrived incomplete; please try again'],
    [400, UPLOAD.imageTooLarge, 'The image is too large (width or height over the limit)'],
  ])('maps HTTP %i code %i to a translated message and keeps the server text', async (status, code, message) => {
    handler = () => fail(status, code, `server text ${code}`);
    const err = await uploadImage(png()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadError);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code, status, message, serverMessage: `server text ${code}`, field: 'file', traceId: 'f'.repeat(32) });
    expect(useStore.getState().toasts).toHaveLength(0); // the picker shows it inline
  });

  it('translates in the current language', async () => {
    useStore.setState({ locale: 'zh' });
    handler = () => fail(415, UPLOAD.unsupportedType, 'file: unsupported image type');
    await expect(uploadImage(png())).rejects.toMatchObject({ message: '不支持的文件类型，仅支持 JPEG、PNG、GIF、WebP 图片' });
  });

  it('treats a bare 413 from a proxy as "too large"', async () => {
    handler = () => ({ status: 413, body: '<html>413 Request Entity Too Large</html>' });
    await expect(uploadImage(png())).rejects.toMatchObject({ code: UPLOAD.tooLarge, status: 413, message: 'The file is larger than the server accepts' });
  });

  it('passes other failures through unchanged', async () => {
    handler = () => fail(500, 50000, 'internal error');
    const err = await uploadImage(png()).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(UploadError);
    expect(err).toMatchObject({ code: 50000, status: 500, message: 'internal error' });
  });

  it('refreshes an expired session and sends the form again', async () => {
    handler = (c) => {
      if (c.url === '/auth/refresh-token') return created({ token: 'access-2', refresh_token: 'refresh-2', expires_in: 900, user: { id: 1 } });
      if (AxiosHeaders.from(c.headers).get('Authorization') !== 'Bearer access-2') return fail(401, 10006, 'token expired');
      return created(stored(3));
    };
    await expect(uploadImage(png())).resolves.toEqual(stored(3));
    const uploads = calls.filter((c) => c.url === '/upload');
    expect(uploads).toHaveLength(2);
    expect((uploads[1].data as FormData).get('file')).toBeInstanceOf(File);
  });
});

describe('the client-side check (nothing is sent)', () => {
  beforeEach(() => {
    handler = () => {
      throw new Error('must not be sent');
    };
  });

  it('refuses a type other than JPEG, PNG, GIF or WebP', async () => {
    const pdf = new File(['%PDF-1.7'], 'menu.pdf', { type: 'application/pdf' });
    const err = await uploadImage(pdf).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: UPLOAD.unsupportedType, status: 0, message: '"menu.pdf" is not a supported image; choose a JPEG, PNG, GIF or WebP file' });
    const svg = new File(['<svg/>'], 'logo.svg', { type: 'image/svg+xml' });
    await expect(uploadImage(svg)).rejects.toMatchObject({ code: UPLOAD.unsupportedType });
    const unknown = new File(['x'], 'photo', { type: '' });
    await expect(uploadImage(unknown)).rejects.toMatchObject({ code: UPLOAD.unsupportedType });
    expect(calls).toHaveLength(0);
  });

  it('refuses a file over 5 MiB and accepts one of exactly 5 MiB', async () => {
    const big = png('huge.png', new Uint8Array(MAX_UPLOAD_BYTES + 1));
    await expect(uploadImage(big)).rejects.toMatchObject({ code: UPLOAD.tooLarge, status: 0, message: '"huge.png" is 5242881 B; an image can be at most 5 MB' });
    expect(calls).toHaveLength(0);
    expect(checkImageFile(png('edge.png', new Uint8Array(MAX_UPLOAD_BYTES)))).toBeNull();
    const bigger = png('bigger.png', new Uint8Array(7 * 1024 * 1024));
    expect(checkImageFile(bigger)?.message).toBe('"bigger.png" is 7 MB; an image can be at most 5 MB');
  });

  it('refuses an empty file', async () => {
    await expect(uploadImage(png('empty.png', new Uint8Array(0)))).rejects.toMatchObject({ code: UPLOAD.noFile, message: '"empty.png" is empty' });
    expect(calls).toHaveLength(0);
  });

  it('accepts the four image types', () => {
    for (const type of ['image/jpeg', 'image/png', 'image/gif', 'image/webp']) {
      expect(checkImageFile(new File(['x'], 'x', { type }))).toBeNull();
    }
  });
});

describe('uploadImages', () => {
  it('posts every file in the field "files" and returns the list', async () => {
    handler = () => created({ files: [stored(1), stored(2)] });
    await expect(uploadImages([png('a.png'), png('b.png')])).resolves.toEqual([stored(1), stored(2)]);
    expect(calls[0].url).toBe('/upload/multi');
    const form = calls[0].data as FormData;
    expect([...form.keys()]).toEqual(['files', 'files']);
    expect(form.getAll('files').map((f) => (f as File).name)).toEqual(['a.png', 'b.png']);
  });

  it('checks the count and every file before sending', async () => {
    handler = () => {
      throw new Error('must not be sent');
    };
    await expect(uploadImages(Array.from({ length: 10 }, (_, i) => png(`${i}.png`)))).rejects.toMatchObject({ code: UPLOAD.tooManyFiles, message: 'At most 9 images at a time' });
    await expect(uploadImages([])).rejects.toMatchObject({ code: UPLOAD.noFile });
    await expect(uploadImages([png('a.png'), new File(['x'], 'b.txt', { type: 'text/plain' })])).rejects.toMatchObject({ code: UPLOAD.unsupportedType });
    expect(calls).toHaveLength(0);
  });

  it('maps the server refusing one of them', async () => {
    handler = () => fail(400, UPLOAD.imageTooLarge, 'files: image is 20000x20000 pixels', 'files');
    await expect(uploadImages([png('a.png')])).rejects.toMatchObject({ code: UPLOAD.imageTooLarge, field: 'files', message: 'The image is too large (width or height over the limit)' });
  });
});
