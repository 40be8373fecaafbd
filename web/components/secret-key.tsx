// The authenticator key to type by hand, in groups of four so it can be read aloud and checked.
export function groupInFours(secret: string): string {
  return (secret.replace(/\s+/g, '').match(/.{1,4}/g) ?? []).join(' ');
}

export function SecretKey({ secret }: { secret: string }) {
  return <code class="secret-key" data-testid="totp-secret" aria-label={`Key: ${secret.split('').join(' ')}`}>{groupInFours(secret)}</code>;
}
