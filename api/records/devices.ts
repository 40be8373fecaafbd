// Trusted devices ("remember this device"): a 256-bit token kept as a hash, bound to the user, valid for the
// strictest rememberDeviceDays of the user's accounts. It skips only the second factor, never the password.
import type { Device } from '../../shared/schemas.ts';
import { iso, isoOrNull, type Db } from '../db/db.ts';
import { hashToken, newTokenRow } from '../crypto/secrets.ts';

const DAY_MS = 24 * 60 * 60_000;

export interface DeviceRow {
  id: string;
  token_hash: string;
  user_id: string;
  name: string;
  created_at: number;
  expires_at: number;
  last_used_at: number | null;
}

export async function trustDevice(db: Db, input: { userId: string; userAgent: string | null; days: number; now: number }): Promise<string> {
  const { token, ...key } = newTokenRow();
  await db('trusted_devices').insert({
    ...key,
    user_id: input.userId,
    name: deviceName(input.userAgent),
    created_at: input.now,
    expires_at: input.now + input.days * DAY_MS,
  });
  return token;
}

/** The user's live device for this token; another user's token, an expired or unknown one is undefined. */
export async function findTrustedDevice(db: Db, userId: string, token: string, now: number): Promise<DeviceRow | undefined> {
  if (token.length > 100) return undefined;
  const row = await db<DeviceRow>('trusted_devices')
    .where({ token_hash: hashToken(token), user_id: userId })
    .where('expires_at', '>', now)
    .first();
  if (row) await db('trusted_devices').where({ id: row.id }).update({ last_used_at: now });
  return row;
}

export async function listDevices(db: Db, userId: string, now: number): Promise<Device[]> {
  const rows = await db<DeviceRow>('trusted_devices')
    .where({ user_id: userId })
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc');
  return rows.map((d) => ({
    id: d.id,
    name: d.name,
    createdAt: iso(d.created_at),
    expiresAt: iso(d.expires_at),
    lastUsedAt: isoOrNull(d.last_used_at),
  }));
}

export async function forgetDevice(db: Db, userId: string, id: string): Promise<boolean> {
  return (await db('trusted_devices').where({ user_id: userId, id }).delete()) > 0;
}

export async function forgetAllDevices(db: Db, userId: string): Promise<number> {
  return db('trusted_devices').where({ user_id: userId }).delete();
}

/** "Chrome on macOS", from the user agent; a name for people, not a security signal. */
export function deviceName(userAgent: string | null): string {
  const ua = userAgent ?? '';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'A browser';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Android/.test(ua)
      ? 'Android'
      : /iPhone|iPad/.test(ua)
        ? 'iOS'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : 'an unknown system';
  return `${browser} on ${os}`;
}

/** A shorter "remember this device" in an account's policy shortens its members' trusted devices at once. */
export async function capDevicesOfMembers(db: Db, accountId: string, maxAgeMs: number): Promise<void> {
  await db('trusted_devices')
    .whereIn('user_id', db('memberships').select('user_id').where('account_id', accountId))
    .where('expires_at', '>', db.raw('created_at + ?', [maxAgeMs]))
    .update({ expires_at: db.raw('created_at + ?', [maxAgeMs]) });
}
