// The admin dashboard of one account: tabs for members, 2FA policy, IP rules, API keys and the audit log.
import type { SessionResponse } from '../../../shared/schemas.ts';
import { followLink } from '../../router.ts';
import { roleNames } from '../../labels.ts';
import { MembersTab } from './members-tab.tsx';
import { PolicyTab } from './policy-tab.tsx';
import { IpRulesTab } from './ip-rules-tab.tsx';
import { ApiKeysTab } from './api-keys-tab.tsx';
import { AuditTab } from './audit-tab.tsx';

interface Props {
  session: SessionResponse;
  accountId: string;
  tab: string;
}

const tabs = [
  { id: 'members', label: 'Members' },
  { id: 'policy', label: '2FA policy' },
  { id: 'ip-rules', label: 'IP rules' },
  { id: 'api-keys', label: 'API keys' },
  { id: 'audit', label: 'Audit log' },
] as const;

export function AdminPage({ session, accountId, tab }: Props) {
  const account = session.accounts.find((a) => a.id === accountId);
  if (!account || account.role === 'member') {
    return (
      <main class="page">
        <h1>Admin</h1>
        <p role="alert" class="alert alert--error">
          Only owners and admins can manage this account.
        </p>
      </main>
    );
  }
  const isOwner = account.role === 'owner';
  const base = `/admin/${encodeURIComponent(accountId)}`;
  const current = tabs.find((t) => t.id === tab)?.id ?? 'members';
  return (
    <main class="page page--wide" aria-labelledby="admin-title">
      <div class="admin-head">
        <h1 id="admin-title">{account.name}</h1>
        <span class="muted">You are an {roleNames[account.role].toLowerCase()} of this account</span>
      </div>
      <nav class="tabs" aria-label="Account administration">
        {tabs.map((t) => (
          <a key={t.id} href={`${base}/${t.id}`} onClick={followLink} aria-current={t.id === current ? 'page' : undefined}>
            {t.label}
          </a>
        ))}
      </nav>
      {current === 'members' && (
        <MembersTab
          key={accountId}
          accountId={accountId}
          isOwner={isOwner}
          selfId={session.user.id}
          selfVerified={session.user.emailVerified}
        />
      )}
      {current === 'policy' && <PolicyTab key={accountId} accountId={accountId} isOwner={isOwner} selfId={session.user.id} />}
      {current === 'ip-rules' && <IpRulesTab key={accountId} accountId={accountId} isOwner={isOwner} />}
      {current === 'api-keys' && <ApiKeysTab key={accountId} accountId={accountId} isOwner={isOwner} />}
      {current === 'audit' && <AuditTab key={accountId} accountId={accountId} />}
    </main>
  );
}
