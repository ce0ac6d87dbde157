/** Saves a Blob or URL as a file via a temporary link (works in Electron and browsers). */
export function downloadHref(href: string, filename: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** Saves text as a file. */
export function downloadText(text: string, filename: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  downloadHref(url, filename);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe version of a title. */
export function slug(title: string): string {
  return (
    title
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'chart'
  );
}

/** Saves bytes as a file. */
export function downloadBytes(bytes: Uint8Array, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  downloadHref(url, filename);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
