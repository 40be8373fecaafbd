// @vitest-environment happy-dom
// The audit log in sentences, with detail on expand, a type filter that keeps every option, and a CSV export
// that a spreadsheet cannot mistake for formulas.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import type { AuditEvent, Member } from '../../shared/schemas.ts';
import { AuditTab, auditCsv } from '../../web/pages/admin/audit-tab.tsx';
import { describeEvent, eventKinds } from '../../web/pages/admin/audit-words.ts';
import { buttonNamed, fakeApi, settle } from './fake-api.ts';

const base = '/accounts/acc-1';
const twoFactor = {
  enabled: true,
  methods: ['totp' as const],
  required: false,
  requiredReason: null,
  canReset: true,
  canIssueRecoveryCode: true,
  setupDueBy: null,
  overdue: false,
};
const members: Member[] = [
  { userId: 'grace', email: 'grace@example.com', name: 'Grace Hopper', role: 'owner', require2fa: false, managed: true, twoFactor },
  { userId: 'alan', email: 'alan@example.com', name: 'Alan Turing', role: 'member', require2fa: true, managed: true, twoFactor },
];
const event = (
  id: string,
  type: string,
  detail: Record<string, unknown> = {},
  actor: string | null = 'grace',
  subject: string | null = 'alan',
): AuditEvent => ({ id, at: '2026-11-23T10:00:00Z', actorUserId: actor, subjectUserId: subject, type, ip: '203.0.113.9', detail });
const names = new Map(members.map((m) => [m.userId, m.name]));
const nameOf = (id: string | null) => (id ? (names.get(id) ?? null) : null);

let root: HTMLElement;
beforeEach(() => {
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  act(() => render(null, root));
  root.remove();
  vi.unstubAllGlobals();
});

describe('audit log words', () => {
  it('reads as sentences with names', () => {
    expect(describeEvent(event('1', 'member.require_2fa_changed', { require2fa: true }), nameOf)).toBe(
      'Grace Hopper required 2FA of Alan Turing',
    );
    expect(describeEvent(event('2', 'member.require_2fa_changed', { require2fa: false }), nameOf)).toBe(
      'Grace Hopper stopped requiring 2FA of Alan Turing',
    );
    expect(describeEvent(event('3', 'login.locked_out', { minutes: 15 }, null), nameOf)).toBe(
      'Alan Turing was locked out of code entry for 15 minutes after too many wrong codes',
    );
    expect(describeEvent(event('4', '2fa.enabled', { method: 'totp' }, 'alan'), nameOf)).toBe(
      'Alan Turing turned on two-factor authentication with authenticator app',
    );
    expect(describeEvent(event('5', 'member.2fa_reset', {}, 'grace', 'gone'), nameOf)).toBe(
      'Grace Hopper reset the two-factor authentication of a former member',
    );
    expect(describeEvent(event('6', 'member.invitation_revoked', {}), nameOf)).toBe('Grace Hopper: member invitation revoked');
  });

  it('exports CSV with every field quoted and formula-looking cells defused', () => {
    const hostile = (id: string | null) => (id === 'grace' ? '=SUM(A1:A9)' : nameOf(id));
    const csv = auditCsv([event('1', 'api_key.created', { name: 'Billing "sync"' })], hostile);
    const [header, row] = csv.trim().split('\r\n');
    expect(header).toBe('"Time (UTC)","Event type","What happened","By","By (user id)","About","About (user id)","Address","Detail"');
    expect(row).toContain('"\'=SUM(A1:A9) created the API key “Billing ""sync""”"');
    expect(row).toContain(',"\'=SUM(A1:A9)","grace",');
  });
});

describe('audit tab', () => {
  it('shows sentences, the detail on expand, and keeps every event type in the filter whatever is shown', async () => {
    const calls = fakeApi({
      [`GET ${base}/members`]: () => ({ body: members }),
      [`GET ${base}/audit-events`]: () => ({
        body: { events: [event('7', 'member.2fa_reset', { methods: ['totp'], backupCodes: 7, devices: 1 })], nextCursor: null },
      }),
    });
    act(() => render(<AuditTab accountId="acc-1" />, root));
    await settle();
    const row = root.querySelector('[data-event="member.2fa_reset"]')!;
    expect(row.textContent).toContain('Grace Hopper reset the two-factor authentication of Alan Turing');
    act(() => buttonNamed(row, 'Details').click());
    expect(row.textContent).toContain('Backup codes7');
    expect(row.textContent).toContain('MethodsAuthenticator app');
    const options = () => [...root.querySelectorAll('#audit-type option')].map((o) => (o as HTMLOptionElement).value).filter(Boolean);
    expect(options()).toEqual(Object.keys(eventKinds));
    const select = root.querySelector('#audit-type') as HTMLSelectElement;
    act(() => {
      select.value = 'member.2fa_reset';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await settle();
    expect(calls.at(-1)!.path).toBe(`${base}/audit-events?type=member.2fa_reset`);
    expect(options()).toEqual(Object.keys(eventKinds));
  });

  it('never shows an error and "Loading" at once: a failed load offers to try again', async () => {
    fakeApi({
      [`GET ${base}/members`]: () => ({ body: members }),
      [`GET ${base}/audit-events`]: () => ({
        status: 500,
        body: { error: { code: 'internal_error', message: 'Something went wrong on our side.' } },
      }),
    });
    act(() => render(<AuditTab accountId="acc-1" />, root));
    await settle();
    expect(root.textContent).toContain('Something went wrong on our side.');
    expect(root.querySelector('[data-testid=skeleton]')).toBeNull();
    expect(root.textContent).not.toContain('Loading');
    expect(buttonNamed(root, 'Try again')).toBeTruthy();
  });
});
