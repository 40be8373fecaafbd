// How a user's own phone numbers and addresses are shown: enough to recognise, not enough to reuse.
export function maskPhone(e164: string, countryCallingCode?: string): string {
  const digits = e164.replace(/^\+/, '');
  const cc = countryCallingCode ?? digits.slice(0, Math.min(2, Math.max(1, digits.length - 4)));
  const hidden = Math.max(0, digits.length - cc.length - 4);
  return `+${cc}${'•'.repeat(hidden)}${digits.slice(-4)}`;
}

export function maskEmail(address: string): string {
  const [local = '', domain = ''] = address.split('@');
  return `${local.slice(0, 1)}${'•'.repeat(Math.max(1, Math.min(local.length - 1, 5)))}@${domain}`;
}
