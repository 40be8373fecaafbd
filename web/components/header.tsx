// The signed-in header: the product, where to go, the account switcher, the user's name and Log out.
import type { SessionResponse } from '../../shared/schemas.ts';
import { followLink, navigate } from '../router.ts';
import { roleNames } from '../labels.ts';

interface Props {
  session: SessionResponse;
  path: string;
  accountId: string | null;
  onAccountChange(accountId: string): void;
  onLogout(): void;
}

export function isManager(role: string): boolean {
  return role === 'owner' || role === 'admin';
}

export function Header({ session, path, accountId, onAccountChange, onLogout }: Props) {
  const current = session.accounts.find((a) => a.id === accountId) ?? session.accounts[0];
  const canAdmin = current ? isManager(current.role) : false;
  function change(event: Event) {
    const id = (event.currentTarget as HTMLSelectElement).value;
    onAccountChange(id);
    const next = session.accounts.find((a) => a.id === id);
    if (path.startsWith('/admin') && next && isManager(next.role)) navigate(`/admin/${encodeURIComponent(id)}`);
    else if (path.startsWith('/admin')) navigate('/security');
  }
  return (
    <header class="topbar">
      <div class="topbar__inner">
        <a href="/security" class="brand" onClick={followLink}>
          <span class="brand__mark" aria-hidden="true">
            2
          </span>
          Twofold
        </a>
        <nav class="topbar__nav" aria-label="Main">
          <a href="/security" onClick={followLink} aria-current={path === '/security' || path === '/' ? 'page' : undefined}>
            Security
          </a>
          {canAdmin && current && (
            <a
              href={`/admin/${encodeURIComponent(current.id)}`}
              onClick={followLink}
              aria-current={path.startsWith('/admin') ? 'page' : undefined}
            >
              Admin
            </a>
          )}
        </nav>
        <div class="topbar__end">
          {session.accounts.length > 1 ? (
            <div class="account-switcher">
              <label for="account-switcher" class="visually-hidden">
                Account
              </label>
              <select id="account-switcher" value={current?.id} onChange={change}>
                {session.accounts.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name} ({roleNames[a.role]})
                  </option>
                ))}
              </select>
            </div>
          ) : (
            current && <span class="account-name">{current.name}</span>
          )}
          <span class="user-name" data-testid="user-name">
            {session.user.name}
          </span>
          <button type="button" class="button button--secondary button--small" onClick={onLogout}>
            Log out
          </button>
        </div>
      </div>
    </header>
  );
}
