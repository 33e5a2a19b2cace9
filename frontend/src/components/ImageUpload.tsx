import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import { toApiError } from '../api/client';
import type { UploadedFile } from '../api/types';
import { ACCEPT_ATTRIBUTE, formatBytes, uploadImage } from '../api/upload';
import { useT } from '../i18n';
import { ProductImage } from './ProductImage';

interface Props {
  /** The image URL the form holds now (typed by hand or uploaded): previewed here. */
  value: string;
  /** An upload succeeded: the form puts file.url into its image URL. */
  onUploaded: (file: UploadedFile) => void;
  /** An upload started (true) or ended (false); the form holds its save meanwhile. */
  onBusyChange?: (busy: boolean) => void;
  disabled?: boolean;
}

/** Choose an image, upload it, preview it. The URL field next to it stays the source of truth. */
export function ImageUpload({ value, onUploaded, onBusyChange, disabled }: Props) {
  const t = useT();
  const statusId = useId();
  const input = useRef<HTMLInputElement>(null);
  const running = useRef<AbortController | null>(null);
  const [busy, setBusy] = useState(false);
  const [percent, setPercent] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [uploaded, setUploaded] = useState<UploadedFile | null>(null);
  const src = value.trim();

  useEffect(() => () => running.current?.abort(), []);

  const choose = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = ''; // so that choosing the same file again is a change again
    if (!file) return;
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    setError(null);
    setUploaded(null);
    setPercent(0);
    setBusy(true);
    onBusyChange?.(true);
    try {
      const stored = await uploadImage(file, { onProgress: setPercent, signal: controller.signal });
      if (controller.signal.aborted) return;
      setUploaded(stored);
      onUploaded(stored);
    } catch (err) {
      if (!controller.signal.aborted) setError(toApiError(err).message);
    } finally {
      if (running.current === controller) {
        running.current = null;
        setBusy(false);
        onBusyChange?.(false);
      }
    }
  };

  const showDone = uploaded !== null && uploaded.url === src;
  return (
    <div className="image-upload" data-testid="image-upload" aria-busy={busy}>
      <div className="image-upload-preview">
        {/* keyed by the URL: a new URL gets a fresh try even after a broken one */}
        <ProductImage key={src} src={src} alt={t('upload.preview')} testId="image-upload-preview" />
      </div>
      <div className="image-upload-body">
        <button
          type="button"
          className="btn btn-outline btn-sm"
          onClick={() => input.current?.click()}
          disabled={busy || disabled}
          aria-describedby={statusId}
          data-testid="image-upload-button"
        >
          {busy ? t('upload.uploading', { percent }) : src ? t('upload.replace') : t('upload.choose')}
        </button>
        <input
          ref={input}
          type="file"
          className="sr-only"
          tabIndex={-1}
          aria-hidden="true"
          accept={ACCEPT_ATTRIBUTE}
          onChange={choose}
          disabled={busy || disabled}
          data-testid="image-upload-input"
        />
        {busy && <progress className="image-upload-progress" max={100} value={percent} aria-label={t('upload.uploading', { percent })} />}
        {error ? (
          <p className="field-error" id={statusId} role="alert" data-testid="image-upload-error">
            {error}
          </p>
        ) : showDone ? (
          <p className="field-hint" id={statusId} role="status" data-testid="image-upload-done">
            {t('upload.done', { width: uploaded.width, height: uploaded.height, size: formatBytes(uploaded.size) })}
          </p>
        ) : (
          <p className="field-hint" id={statusId}>
            {t('upload.hint')}
          </p>
        )}
      </div>
    </div>
  );
}
