// The trusted-device token ("remember this device"), kept in this browser and sent back at login.
const KEY = 'twofold.deviceToken';

export function readDeviceToken(): string | undefined {
  try { return localStorage.getItem(KEY) ?? undefined; } catch { return undefined; }
}

export function saveDeviceToken(token: string | undefined): void {
  try { if (token) localStorage.setItem(KEY, token); } catch { /* private mode: the device is simply not remembered */ }
}

export function forgetDeviceToken(): void {
  try { localStorage.removeItem(KEY); } catch { /* nothing kept */ }
}
