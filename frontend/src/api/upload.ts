// Image uploads: POST /upload (one file, form field `file`) and POST /upload/multi (field
// `files`, up to 9). Signed in; the answer's url (/uploads/<32 hex>.<ext>) is what goes into a
// product's image_url.
//  - the file is checked here first (type and size), so an obvious mistake gets a clear message
//    without sending megabytes; the server decides the type from the content regardless
//  - failures are ApiErrors; upload codes 70001-70006 (and a bare 413 from a proxy) carry a
//    translated message, the server's own text stays available as `serverMessage`
//  - calls are silent: the picker shows the error next to itself
import { ApiError, api, toApiError } from './client';
import { t, type MessageKey } from '../i18n';
import type { UploadedFile, UploadedFiles } from './types';

export const UPLOAD = {
  noFile: 70001,
  unsupportedType: 70002,
  tooLarge: 70003,
  tooManyFiles: 70004,
  malformed: 70005,
  imageTooLarge: 70006,
} as const;

/** The server's defaults (upload.max_file_bytes, upload.max_files). */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
export const MAX_UPLOAD_FILES = 9;
export const ACCEPTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
/** For <input type="file" accept=…>. */
export const ACCEPT_ATTRIBUTE = ACCEPTED_IMAGE_TYPES.join(',');

/** An upload failure with a translated message; `serverMessage` is what the server said, if it answered. */
export class UploadError extends ApiError {
  readonly serverMessage?: string;

  constructor(base: ApiError, message: string, serverMessage?: string) {
    super({ code: base.code, message, status: base.status, field: base.field, traceId: base.traceId });
    this.name = 'UploadError';
    this.serverMessage = serverMessage;
  }
}

export interface UploadOptions {
  /** 0-100 while the request body is being sent (when the browser reports it). */
  onProgress?: (percent: number) => void;
  signal?: AbortSignal;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

const checkFailed = (code: number, key: MessageKey, params?: Record<string, string | number>) =>
  new UploadError(new ApiError({ code, message: '', status: 0, field: 'file' }), t(key, params));

/**
 * The client-side check: one of the four image types, not empty, at most 5 MiB.
 * Returns the error to show, or null. (status 0: nothing was sent.)
 */
export function checkImageFile(file: File): UploadError | null {
  if (!(ACCEPTED_IMAGE_TYPES as readonly string[]).includes(file.type)) {
    return checkFailed(UPLOAD.unsupportedType, 'upload.badType', { name: file.name });
  }
  if (file.size === 0) return checkFailed(UPLOAD.noFile, 'upload.empty', { name: file.name });
  if (file.size > MAX_UPLOAD_BYTES) {
    const max = formatBytes(MAX_UPLOAD_BYTES);
    const size = formatBytes(file.size) === max ? `${file.size} B` : formatBytes(file.size); // just over: say by how much
    return checkFailed(UPLOAD.tooLarge, 'upload.tooBig', { name: file.name, size, max });
  }
  return null;
}

const codeKey = (code: number): MessageKey | null =>
  /^7000[1-6]$/.test(String(code)) ? (`upload.err.${code}` as MessageKey) : null;

/** Any failure of an upload call to an ApiError whose message suits the person uploading. */
export function toUploadError(err: unknown): ApiError {
  const e = toApiError(err);
  if (e instanceof UploadError) return e;
  // A proxy in front of the server may refuse a big body itself, without an envelope.
  const code = e.code === 413 && e.status === 413 ? UPLOAD.tooLarge : e.code;
  const key = codeKey(code);
  if (!key) return e;
  const base = code === e.code ? e : new ApiError({ code, message: e.message, status: e.status, field: e.field, traceId: e.traceId });
  return new UploadError(base, t(key), e.message);
}

function progressOf(onProgress: UploadOptions['onProgress']) {
  if (!onProgress) return undefined;
  return (event: { loaded: number; total?: number }) => {
    if (event.total) onProgress(Math.min(100, Math.round((event.loaded / event.total) * 100)));
  };
}

/** Upload one image; resolves with where the server stored it. */
export async function uploadImage(file: File, { onProgress, signal }: UploadOptions = {}): Promise<UploadedFile> {
  const invalid = checkImageFile(file);
  if (invalid) throw invalid;
  const form = new FormData();
  form.append('file', file, file.name);
  try {
    return await api.post<UploadedFile>('/upload', form, { silent: true, signal, onUploadProgress: progressOf(onProgress), timeout: 120_000 });
  } catch (err) {
    throw toUploadError(err);
  }
}

/** Upload up to 9 images in one request; resolves with them in the order sent. */
export async function uploadImages(files: File[], { onProgress, signal }: UploadOptions = {}): Promise<UploadedFile[]> {
  if (files.length === 0) throw checkFailed(UPLOAD.noFile, 'upload.err.70001');
  if (files.length > MAX_UPLOAD_FILES) throw checkFailed(UPLOAD.tooManyFiles, 'upload.tooMany', { max: MAX_UPLOAD_FILES });
  for (const file of files) {
    const invalid = checkImageFile(file);
    if (invalid) throw invalid;
  }
  const form = new FormData();
  for (const file of files) form.append('files', file, file.name);
  try {
    const data = await api.post<UploadedFiles>('/upload/multi', form, { silent: true, signal, onUploadProgress: progressOf(onProgress), timeout: 300_000 });
    return data.files;
  } catch (err) {
    throw toUploadError(err);
  }
}

export const uploadApi = { uploadImage, uploadImages };
