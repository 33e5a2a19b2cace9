import { useState } from 'react';

/** A product picture; falls back to a neutral drawing when missing or broken. */
export function ProductImage({
  src,
  alt,
  className,
  testId,
}: {
  src?: string | null;
  alt: string;
  className?: string;
  testId?: string;
}) {
  const [broken, setBroken] = useState(false);
  if (!src || broken) {
    return (
      <div className={`img-fallback ${className ?? ''}`} role="img" aria-label={alt}>
        <svg viewBox="0 0 64 64" aria-hidden="true">
          <rect x="10" y="14" width="44" height="36" rx="5" fill="none" stroke="currentColor" strokeWidth="3" />
          <circle cx="24" cy="27" r="4.5" fill="currentColor" />
          <path d="M14 46l13-12 9 8 6-5 10 9" fill="none" stroke="currentColor" strokeWidth="3" strokeLinejoin="round" />
        </svg>
      </div>
    );
  }
  return (
    <img
      className={className}
      src={src}
      alt={alt}
      loading="lazy"
      decoding="async"
      onError={() => setBroken(true)}
      data-testid={testId}
    />
  );
}
