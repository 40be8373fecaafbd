// IP rules: the ranges API keys may be used from.
import { useEffect, useState } from 'preact/hooks';
import { api, describeError } from '../../api-client.ts';
import { ErrorMessage } from '../../components/alert.tsx';
import { useReauth } from '../../components/reauth.tsx';
import { useToast } from '../../components/toast.tsx';
import { parseRanges } from './policy-tab.tsx';

export function IpRulesTab({ accountId, isOwner }: { accountId: string; isOwner: boolean }) {
  const url = `/accounts/${encodeURIComponent(accountId)}/security/ip-rules`;
  const [ranges, setRanges] = useState<string | null>(null);
  const [error, setError] = useState('');
  const { withReauth, dialog } = useReauth();
  const { show: notify, clear: clearNotice, toast } = useToast();
  useEffect(() => {
    api<{ apiAllowedRanges: string[] }>('GET', url).then(
      (r) => setRanges(r.apiAllowedRanges.join('\n')),
      (e) => {
        setRanges('');
        setError(describeError(e));
      },
    );
  }, [accountId]);
  async function submit(event: Event) {
    event.preventDefault();
    setError('');
    clearNotice();
    try {
      const answer = await withReauth(() =>
        api<{ apiAllowedRanges: string[] }>('PUT', url, { body: { apiAllowedRanges: parseRanges(ranges ?? '') } }),
      );
      setRanges(answer.apiAllowedRanges.join('\n'));
      notify('IP rules saved.');
    } catch (e) {
      setError(describeError(e));
    }
  }
  return (
    <section aria-labelledby="ip-title">
      <h2 id="ip-title">IP rules</h2>
      <p class="muted">API keys work only from these address ranges. Leave empty to refuse API keys from everywhere.</p>
      <form class="card stack" onSubmit={submit}>
        <div class="field">
          <label for="api-ranges">Allowed ranges (one CIDR range a line)</label>
          <textarea
            id="api-ranges"
            value={ranges ?? ''}
            disabled={ranges === null || !isOwner}
            placeholder="10.0.0.0/8&#10;2001:db8::/32"
            onInput={(e) => setRanges((e.currentTarget as HTMLTextAreaElement).value)}
          />
        </div>
        <ErrorMessage>{error}</ErrorMessage>
        {isOwner ? (
          <button type="submit" class="button">
            Save IP rules
          </button>
        ) : (
          <p class="hint">Only owners can change IP rules.</p>
        )}
      </form>
      {dialog}
      {toast}
    </section>
  );
}
