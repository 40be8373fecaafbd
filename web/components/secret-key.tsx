// The authenticator key to type by hand, in groups of four so it can be read aloud and checked, with a Copy
// button for an authenticator on the same device (the key is copied without the spaces).
import { useState } from 'preact/hooks';

export function groupInFours(secret: string): string {
  return (secret.replace(/\s+/g, '').match(/.{1,4}/g) ?? []).join(' ');
}

export function SecretKey({ secret }: { secret: string }) {
  const [copied, setCopied] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret.replace(/\s+/g, ''));
      setCopied('Key copied.');
    } catch {
      setCopied('Your browser did not allow copying: select the key and copy it.');
    }
  }
  return (
    <span class="secret-key-row">
      {/* Read aloud one character at a time; the grouped key is for the eye. */}
      <span class="visually-hidden">{`Key: ${secret.split('').join(' ')}`}</span>
      <code class="secret-key" data-testid="totp-secret" aria-hidden="true">
        {groupInFours(secret)}
      </code>
      <button type="button" class="button button--secondary button--small" onClick={copy}>
        Copy key
      </button>
      <span class="hint secret-key-row__status" role="status">
        {copied}
      </span>
    </span>
  );
}
