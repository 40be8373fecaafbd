// @vitest-environment happy-dom
// Security keys in the web app's components: the dialer hand-off link, the "security keys only" policy with its
// impact preview (members without a key), and the Security page's key list.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import type { Member, Policy, TwoFactorStatus } from '../../shared/schemas.ts';
import { parseHandoff } from '../../web/handoff.ts';
import { policyImpact } from '../../web/pages/admin/policy-impact.ts';
import { PolicyTab } from '../../web/pages/admin/policy-tab.tsx';
import { SecurityKeysCard } from '../../web/components/security-keys-card.tsx';
import { firstMethod } from '../../web/components/security-key-sign-in.tsx';
import { buttonNamed, fakeApi, settle } from './fake-api.ts';

function member(name: string, role: Member['role'], methods: Member['twoFactor']['methods']): Member {
  return {
    userId: name,
    email: `${name}@example.com`,
    name,
    role,
    require2fa: false,
    managed: true,
    twoFactor: {
      enabled: methods.length > 0,
      methods,
      required: false,
      requiredReason: null,
      canReset: methods.length > 0,
      canIssueRecoveryCode: true,
      setupDueBy: null,
      overdue: false,
    },
  };
}

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

describe('dialer hand-off link', () => {
  const hash =
    '#/continue-sign-in?challenge=chal-0123456789abcdefghij&email=dana%40example.com&methods=webauthn,backup_code&preferred=webauthn&expires=2030-01-01T00:10:00Z';
  it('reads the challenge from the fragment', () => {
    expect(parseHandoff(hash)).toEqual({
      email: 'dana@example.com',
      challenge: {
        challengeId: 'chal-0123456789abcdefghij',
        methods: ['webauthn', 'backup_code'],
        preferredMethod: 'webauthn',
        expiresAt: '2030-01-01T00:10:00Z',
      },
    });
  });
  it('ignores anything else: other fragments, odd ids, unknown methods, a preferred method not offered', () => {
    for (const bad of [
      '',
      '#/accept-invite?token=x',
      hash.replace('chal-0123456789abcdefghij', 'x'),
      hash.replace('chal-0123456789abcdefghij', '../../api'),
      hash.replace('methods=webauthn,backup_code', 'methods=carrier_pigeon'),
      hash.replace('preferred=webauthn', 'preferred=totp'),
      hash.replace('&email=dana%40example.com', ''),
    ]) {
      expect(parseHandoff(bad), bad).toBeNull();
    }
  });
});

describe("the challenge page's first method", () => {
  it('is the security key when the user has one and the browser can use it; else the preferred method or the next one', () => {
    expect(firstMethod({ methods: ['totp', 'webauthn', 'backup_code'], preferredMethod: 'totp' }, true)).toBe('webauthn');
    expect(firstMethod({ methods: ['totp', 'webauthn', 'backup_code'], preferredMethod: 'totp' }, false)).toBe('totp');
    expect(firstMethod({ methods: ['webauthn', 'backup_code', 'recovery_code'], preferredMethod: 'webauthn' }, false)).toBe('backup_code');
    expect(firstMethod({ methods: ['totp', 'backup_code'], preferredMethod: 'totp' }, true)).toBe('totp');
  });
});

describe('"security keys only" in the admin dashboard', () => {
  const members = [
    member('Olga', 'owner', ['webauthn']),
    member('Tess', 'member', ['totp']),
    member('Kim', 'member', ['totp', 'webauthn']),
    member('Ned', 'member', []),
  ];

  it('the impact counts only members with an allowed method as set up', () => {
    expect(policyImpact(members, 'all', ['webauthn']).toSetUp.map((m) => m.name)).toEqual(['Tess', 'Ned']);
    expect(policyImpact(members, 'all').toSetUp.map((m) => m.name)).toEqual(['Ned']);
    expect(policyImpact([member('Omar', 'owner', ['totp'])], 'all', ['webauthn']).blockingOwners.map((m) => m.name)).toEqual(['Omar']);
  });

  it('says "security keys only" and lists the members who have no key yet', async () => {
    const policy: Policy = {
      enforce: 'all',
      allowedMethods: ['totp', 'sms', 'email'],
      rememberDeviceDays: 30,
      enforceOutsideIpRanges: [],
      gracePeriodDays: 0,
      updatedAt: '2026-11-23T10:00:00Z',
    };
    const calls = fakeApi({
      'GET /accounts/acc-1/security/2fa-policy': () => ({ body: policy }),
      'GET /accounts/acc-1/members': () => ({ body: members }),
      'PUT /accounts/acc-1/security/2fa-policy': (body) => ({ body: { ...policy, ...(body as object) } }),
    });
    act(() => render(<PolicyTab accountId="acc-1" isOwner selfId="u-self" />, root));
    await settle();
    expect(root.querySelector('[data-testid=keys-only]')).toBeNull();
    act(() => buttonNamed(root, 'Require security keys only').click());
    expect(root.querySelector('[data-testid=keys-only]')!.textContent).toContain('Security keys only');
    const preview = root.querySelector('[data-testid=impact-preview]')!;
    expect(preview.textContent).toContain('Security keys only: 2 members have no security key yet');
    expect([...preview.querySelectorAll('[data-testid=impact-members] li')].map((li) => li.textContent)).toEqual([
      'Tess (Tess@example.com)',
      'Ned (Ned@example.com)',
    ]);
    const checked = [...root.querySelectorAll<HTMLInputElement>('input[name=methods]')].filter((i) => i.checked).map((i) => i.value);
    expect(checked).toEqual(['webauthn']);
    await act(async () => {
      root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await settle();
    expect(calls.find((c) => c.method === 'PUT')!.body).toMatchObject({ enforce: 'all', allowedMethods: ['webauthn'] });
  });
});

describe("the Security page's keys", () => {
  const status = (
    credentials: TwoFactorStatus['methods']['webauthn']['credentials'],
    allowed: TwoFactorStatus['allowedMethods'] = ['totp', 'sms', 'email', 'webauthn'],
  ): TwoFactorStatus => ({
    enabled: credentials.length > 0,
    preferredMethod: credentials.length ? 'webauthn' : null,
    methods: {
      totp: { enabled: false },
      sms: { enabled: false, phone: null, previousPhone: null },
      email: { enabled: false, address: null },
      webauthn: { enabled: credentials.length > 0, credentials },
    },
    backupCodes: { remaining: 10, low: false },
    required: false,
    requiredBy: [],
    allowedMethods: allowed,
    canDisable: true,
  });
  const noop = async () => true;

  it('lists each key with when it was added and last used, and confirms before removing', async () => {
    const calls = fakeApi({ 'DELETE /me/2fa/webauthn/cred-1': () => ({ status: 204 }) });
    const act2 = vi.fn(async (action: () => Promise<unknown>) => {
      await action();
      return true;
    });
    act(() =>
      render(
        <SecurityKeysCard
          status={status([
            { id: 'cred-1', name: 'Blue YubiKey', createdAt: '2026-11-20T10:00:00Z', lastUsedAt: null },
            { id: 'cred-2', name: 'Laptop', createdAt: '2026-11-21T10:00:00Z', lastUsedAt: '2026-11-22T10:00:00Z' },
          ])}
          act={act2}
          run={(c) => c()}
          onAdded={() => undefined}
        />,
        root,
      ),
    );
    const items = [...root.querySelectorAll('[data-testid=key-list] li')].map((li) => li.textContent);
    expect(items[0]).toContain('Blue YubiKey');
    expect(items[0]).toContain('never used yet');
    expect(items[1]).toContain('last used');
    act(() => root.querySelector<HTMLButtonElement>('button[aria-label="Remove Blue YubiKey"]')!.click());
    expect(calls).toEqual([]);
    expect(document.querySelector('[data-testid=remove-key-dialog]')!.textContent).toContain('Remove Blue YubiKey?');
    await act(async () => buttonNamed(document, 'Remove key').click());
    await settle();
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['DELETE /me/2fa/webauthn/cred-1']);
  });

  it('renames a key through a dialog', async () => {
    const calls = fakeApi({
      'PUT /me/2fa/webauthn/cred-1': (body) => ({
        body: { id: 'cred-1', ...(body as object), createdAt: '2026-11-20T10:00:00Z', lastUsedAt: null },
      }),
    });
    const act2 = vi.fn(async (action: () => Promise<unknown>) => {
      await action();
      return true;
    });
    act(() =>
      render(
        <SecurityKeysCard
          status={status([{ id: 'cred-1', name: 'Blue YubiKey', createdAt: '2026-11-20T10:00:00Z', lastUsedAt: null }])}
          act={act2}
          run={(c) => c()}
          onAdded={() => undefined}
        />,
        root,
      ),
    );
    act(() => root.querySelector<HTMLButtonElement>('button[aria-label="Rename Blue YubiKey"]')!.click());
    const field = document.querySelector<HTMLInputElement>('#rename-key')!;
    expect(field.value).toBe('Blue YubiKey');
    act(() => {
      field.value = '  Work key ';
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => {
      document
        .querySelector('[data-testid=rename-key-dialog] form')!
        .dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await settle();
    expect(calls.map((c) => [c.method, c.path, c.body])).toEqual([['PUT', '/me/2fa/webauthn/cred-1', { name: 'Work key' }]]);
  });

  it('offers to add a key only when the policy allows it', () => {
    act(() => render(<SecurityKeysCard status={status([], ['totp'])} act={noop} run={(c) => c()} onAdded={() => undefined} />, root));
    expect(root.textContent).toContain('Not allowed by your account’s policy');
    expect([...root.querySelectorAll('button')].map((b) => b.textContent)).not.toContain('Add a security key');
  });
});
