// The image picker and the product form around it, against a scripted network (the Axios
// adapter, as the other tests do): choose a file -> upload -> preview + image URL filled in;
// errors shown next to the picker; the URL stays editable by hand.
import { AxiosError, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { createElement, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { http, resetClientForTests, setNavigator } from '../api/client';
import type { ProductInput, UploadedFile } from '../api/types';
import { ProductForm } from '../pages/admin/ProductForm';
import { useStore } from '../store';
import { ImageUpload } from './ImageUpload';

type Reply = { status: number; body: unknown };
let handler: (config: InternalAxiosRequestConfig) => Reply | Promise<Reply>;
const calls: InternalAxiosRequestConfig[] = [];
const stub: AxiosAdapter = async (config) => {
  calls.push(config);
  const { status, body } = await handler(config);
  const response: AxiosResponse = { data: body, status, statusText: '', headers: {}, config, request: {} };
  if (status < 300) return response;
  throw new AxiosError('refused', AxiosError.ERR_BAD_REQUEST, config, {}, response);
};
const URL_1 = `/uploads/${'ab'.repeat(16)}.png`;
const stored: UploadedFile = { url: URL_1, name: `${'ab'.repeat(16)}.png`, type: 'image/png', size: 68, width: 1, height: 1 };
const created = (data: unknown): Reply => ({ status: 201, body: { code: 0, message: 'success', data } });
const png = (name = 'pixel.png') => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], name, { type: 'image/png' });

let root: Root | null = null;
let host: HTMLDivElement;
const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 20 });
const $ = <T extends Element = HTMLElement>(testId: string) => host.querySelector<T>(`[data-testid="${testId}"]`);

/** Rendered outside act(): updates land asynchronously, so this waits for the picker to appear. */
async function render(node: ReturnType<typeof createElement>) {
  host = document.createElement('div');
  document.body.appendChild(host);
  root = createRoot(host);
  root.render(node);
  await waitFor(() => expect($('image-upload-input')).not.toBeNull());
}

/** What a browser does when a file is picked: the input's files change, then "change" fires. */
function pick(file: File) {
  const input = $<HTMLInputElement>('image-upload-input');
  if (!input) throw new Error('no file input');
  Object.defineProperty(input, 'files', { configurable: true, value: [file] });
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

/** Types into a React-controlled input. */
function type(input: HTMLInputElement, value: string) {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

beforeEach(() => {
  http.defaults.adapter = stub;
  calls.length = 0;
  resetClientForTests();
  useStore.setState({ token: 'access-1', refreshToken: 'refresh-1', toasts: [], cartCount: 0, locale: 'en' });
  setNavigator(() => undefined);
});
afterEach(() => {
  root?.unmount();
  root = null;
  host?.remove();
});

describe('ImageUpload', () => {
  function Harness({ onUploaded }: { onUploaded?: (f: UploadedFile) => void }) {
    const [url, setUrl] = useState('');
    return createElement('div', null,
      createElement('output', { 'data-testid': 'url' }, url),
      createElement(ImageUpload, { value: url, onUploaded: (f: UploadedFile) => { setUrl(f.url); onUploaded?.(f); } }),
    );
  }

  it('uploads the chosen file, shows busy then the preview, and hands the stored file over', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    handler = async () => {
      await gate;
      return created(stored);
    };
    const onUploaded = vi.fn();
    await render(createElement(Harness, { onUploaded }));
    expect($('image-upload-button')?.textContent).toBe('Upload image');

    pick(png());
    await waitFor(() => expect($('image-upload')?.getAttribute('aria-busy')).toBe('true'));
    expect($('image-upload-button')?.textContent).toBe('Uploading… 0%');
    expect($<HTMLButtonElement>('image-upload-button')?.disabled).toBe(true);
    expect(host.querySelector('progress')).not.toBeNull();

    release();
    await waitFor(() => expect($('url')?.textContent).toBe(URL_1));
    expect(onUploaded).toHaveBeenCalledWith(stored);
    expect($<HTMLImageElement>('image-upload-preview')?.getAttribute('src')).toBe(URL_1);
    expect($('image-upload')?.getAttribute('aria-busy')).toBe('false');
    expect($('image-upload-done')?.textContent).toBe('Uploaded (1×1, 68 B)');
    expect($('image-upload-button')?.textContent).toBe('Replace image');
    expect(calls).toHaveLength(1);
    expect((calls[0].data as FormData).get('file')).toBeInstanceOf(File);
  });

  it('shows the server refusing the image next to the picker', async () => {
    handler = () => ({ status: 415, body: { code: 70002, message: 'file: not a JPEG, PNG, GIF or WebP image', data: { field: 'file' } } });
    await render(createElement(Harness));
    pick(png('fake.png'));
    await waitFor(() => expect($('image-upload-error')?.textContent).toBe('Unsupported file type: only JPEG, PNG, GIF and WebP images'));
    expect($('image-upload-error')?.getAttribute('role')).toBe('alert');
    expect($('url')?.textContent).toBe('');
    expect($('image-upload-preview')).toBeNull();
    expect(useStore.getState().toasts).toHaveLength(0);
    expect($<HTMLButtonElement>('image-upload-button')?.disabled).toBe(false);
  });

  it('shows the client-side check without sending anything', async () => {
    handler = () => {
      throw new Error('must not be sent');
    };
    await render(createElement(Harness));
    pick(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
    await waitFor(() => expect($('image-upload-error')?.textContent).toBe('"notes.txt" is not a supported image; choose a JPEG, PNG, GIF or WebP file'));
    expect(calls).toHaveLength(0);
  });
});

describe('ProductForm with the image picker', () => {
  it('fills image_url with the uploaded URL, keeps it editable, and saves it', async () => {
    handler = () => created(stored);
    const onSave = vi.fn(async (input: ProductInput) => void input);
    await render(createElement(ProductForm, { product: null, categories: [], onSave, onClose: () => undefined }));
    const imageUrl = $<HTMLInputElement>('pf-image-url')!;
    expect(imageUrl.value).toBe('');

    type($<HTMLInputElement>('pf-name')!, 'Pixel lamp');
    type($<HTMLInputElement>('pf-price')!, '12.50');
    pick(png());
    await waitFor(() => expect(imageUrl.value).toBe(URL_1));
    expect($<HTMLInputElement>('pf-name')?.value).toBe('Pixel lamp'); // typed fields survive the upload
    expect($<HTMLImageElement>('image-upload-preview')?.getAttribute('src')).toBe(URL_1);

    // still editable by hand; the preview follows
    type(imageUrl, '/images/products/lamp.png');
    await waitFor(() => expect($<HTMLImageElement>('image-upload-preview')?.getAttribute('src')).toBe('/images/products/lamp.png'));
    type(imageUrl, URL_1);

    $<HTMLButtonElement>('pf-save')!.click();
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    expect(onSave.mock.calls[0][0]).toMatchObject({ name: 'Pixel lamp', price: '12.50', image_url: URL_1 });
  });

  it('holds the save while an upload is running', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    handler = async () => {
      await gate;
      return created(stored);
    };
    const onSave = vi.fn(async () => undefined);
    await render(createElement(ProductForm, { product: null, categories: [], onSave, onClose: () => undefined }));
    type($<HTMLInputElement>('pf-name')!, 'Pixel lamp');
    type($<HTMLInputElement>('pf-price')!, '12.50');
    pick(png());
    await waitFor(() => expect($<HTMLButtonElement>('pf-save')?.disabled).toBe(true));
    release();
    await waitFor(() => expect($<HTMLButtonElement>('pf-save')?.disabled).toBe(false));
    expect($<HTMLInputElement>('pf-image-url')?.value).toBe(URL_1);
  });
});
