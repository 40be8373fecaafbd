// The 2FA policy form: enforcement, allowed methods, remember-device days, IP ranges; an impact preview
// before saving, and the emailed confirmation code when the change loosens the policy.
import { useState } from 'preact/hooks';
import type { EnrollableMethod, Enforce, Member, Policy, PolicyUpdate } from '../../../shared/schemas.ts';
import { api, ApiError, describeError } from '../../api-client.ts';
import { ErrorMessage } from '../../components/alert.tsx';
import { CodeInput } from '../../components/code-input.tsx';
import { useReauth } from '../../components/reauth.tsx';
import { Skeleton } from '../../components/skeleton.tsx';
import { useToast } from '../../components/toast.tsx';
import { useTabData } from './use-tab-data.ts';
import { methodNames } from '../../labels.ts';
import { isKeysOnly, policyImpact } from './policy-impact.ts';
import { PolicyImpactView, SetUpYourselfFirst } from './policy-impact-view.tsx';
import { GraceDeadlines, useGracePreview } from './grace-impact.tsx';
import { TextField } from '../../../shared/ui/text-field.tsx';

interface Props {
  accountId: string;
  isOwner: boolean;
  selfId: string;
}

const enforceOptions: { value: Enforce; title: string; text: string }[] = [
  { value: 'off', title: 'Optional', text: 'Members choose for themselves.' },
  { value: 'admins', title: 'Owners and admins', text: 'Everyone who can change settings must use it.' },
  { value: 'all', title: 'Everyone', text: 'Every member must use two-factor authentication.' },
];
const allMethods: EnrollableMethod[] = ['totp', 'sms', 'email', 'webauthn'];

export function parseRanges(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function PolicyTab({ accountId, isOwner, selfId }: Props) {
  const base = `/accounts/${encodeURIComponent(accountId)}`;
  const [saved, setSaved] = useState<Policy | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [enforce, setEnforce] = useState<Enforce>('off');
  const [methods, setMethods] = useState<EnrollableMethod[]>(allMethods);
  const [days, setDays] = useState('30');
  const [ranges, setRanges] = useState('');
  const [grace, setGrace] = useState('0');
  const [error, setError] = useState('');
  const [selfBlocked, setSelfBlocked] = useState(false);
  const { show: notify, clear: clearNotice, toast } = useToast();
  const [pending, setPending] = useState<{ confirmationId: string; sentTo: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const { withReauth, dialog } = useReauth();

  function show(policy: Policy) {
    setSaved(policy);
    setEnforce(policy.enforce);
    setMethods(policy.allowedMethods);
    setDays(String(policy.rememberDeviceDays));
    setRanges(policy.enforceOutsideIpRanges.join('\n'));
    setGrace(String(policy.gracePeriodDays));
  }
  const load = useTabData(
    accountId,
    saved !== null,
    async () => {
      const [policy, list] = await Promise.all([
        api<Policy>('GET', `${base}/security/2fa-policy`),
        api<Member[]>('GET', `${base}/members`),
      ]);
      show(policy);
      setMembers(list);
    },
    setError,
  );

  const impact = policyImpact(members, enforce, methods);
  const keysOnly = isKeysOnly(methods);
  const graceDays = Number(grace);
  const withGrace = enforce !== 'off' && Number.isInteger(graceDays) && graceDays > 0 && graceDays <= 30;
  const dueMembers = useGracePreview(
    base,
    withGrace ? { enforce, allowedMethods: methods, enforceOutsideIpRanges: parseRanges(ranges), gracePeriodDays: graceDays } : null,
  );
  const blocked = enforce !== 'off' && impact.blockingOwners.length > 0;

  async function submit(event: Event) {
    event.preventDefault();
    setError('');
    setSelfBlocked(false);
    clearNotice();
    if (methods.length === 0) {
      setError('Allow at least one method.');
      return;
    }
    const update: PolicyUpdate = {
      enforce,
      allowedMethods: methods,
      rememberDeviceDays: Number(days),
      enforceOutsideIpRanges: parseRanges(ranges),
      gracePeriodDays: graceDays,
    };
    setBusy(true);
    try {
      const answer = await withReauth(() =>
        api<Policy | { confirmationId: string; sentTo: string }>('PUT', `${base}/security/2fa-policy`, { body: update }),
      );
      if ('confirmationId' in answer) setPending(answer);
      else {
        show(answer);
        await load();
        notify('Policy saved. It applies from now on.');
      }
    } catch (e) {
      const owners = e instanceof ApiError && e.code === 'owners_without_2fa' ? ownerIds(e.detail.owners) : null;
      if (owners?.includes(selfId)) setSelfBlocked(true);
      else if (owners) setError('Every owner must set up two-factor authentication before you can require it.');
      else setError(describeError(e));
    }
    setBusy(false);
  }

  if (!saved)
    return (
      <section aria-label="Two-factor authentication policy">
        <ErrorMessage>{error}</ErrorMessage>
        {!error && (
          <div class="card">
            <Skeleton label="Loading the policy" shape="card" rows={6} />
          </div>
        )}
      </section>
    );
  if (pending) {
    return (
      <>
        <ConfirmLoosening
          base={base}
          pending={pending}
          onDone={async () => {
            setPending(null);
            await load();
            notify('Policy change confirmed and saved.');
          }}
          onCancel={() => {
            setPending(null);
            show(saved);
            notify('Change cancelled. Nothing was changed.');
          }}
        />
        {toast}
      </>
    );
  }
  const disabled = !isOwner;
  return (
    <section aria-labelledby="policy-title">
      <h2 id="policy-title">Two-factor authentication policy</h2>
      {!isOwner && <p class="notice notice--info">Only owners can change the policy. You can see it here.</p>}
      <form class="card stack" onSubmit={submit}>
        <fieldset disabled={disabled}>
          <legend>Who must use two-factor authentication</legend>
          <div class="radio-list">
            {enforceOptions.map((o) => (
              <label class="radio" key={o.value}>
                <input type="radio" name="enforce" value={o.value} checked={enforce === o.value} onChange={() => setEnforce(o.value)} />
                <span>
                  {o.title}
                  <small>{o.text}</small>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <DaysField {...DAY_FIELDS.grace} value={grace} disabled={disabled} onValue={setGrace} />
        <PolicyImpactView
          enforce={enforce}
          impact={impact}
          keysOnly={keysOnly}
          selfId={selfId}
          changed={enforce !== saved.enforce || graceDays !== saved.gracePeriodDays || methods.join() !== saved.allowedMethods.join()}
          deadlines={
            withGrace ? (
              dueMembers ? (
                <GraceDeadlines members={dueMembers.filter((m) => m.role !== 'owner')} />
              ) : (
                <p class="muted">Working out the dates…</p>
              )
            ) : undefined
          }
        />
        <fieldset disabled={disabled}>
          <legend>Allowed methods</legend>
          <div class="radio-list">
            {allMethods.map((m) => (
              <label class="radio" key={m}>
                <input
                  type="checkbox"
                  name="methods"
                  value={m}
                  checked={methods.includes(m)}
                  onChange={(e) =>
                    setMethods((list) =>
                      (e.currentTarget as HTMLInputElement).checked
                        ? allMethods.filter((x) => x === m || list.includes(x))
                        : list.filter((x) => x !== m),
                    )
                  }
                />
                <span>
                  {methodNames[m]}
                  {m === 'sms' && <small>Text messages can be intercepted; the app is safer.</small>}
                  {m === 'webauthn' && <small>Phishing-resistant: fake sign-in pages can’t use them.</small>}
                </span>
              </label>
            ))}
          </div>
          {isOwner && !keysOnly && (
            <p class="hint">
              <button type="button" class="link-button" onClick={() => setMethods(['webauthn'])}>
                Require security keys only
              </button>
            </p>
          )}
          {keysOnly && (
            <p class="notice notice--info" data-testid="keys-only">
              <strong>Security keys only.</strong> Members sign in with a security key or passkey, the one method phishing can’t relay.
            </p>
          )}
        </fieldset>
        <DaysField {...DAY_FIELDS.remember} value={days} disabled={disabled} onValue={setDays} />
        <div class="field">
          <label for="enforce-ranges">Trusted networks (one CIDR range a line)</label>
          <p class="hint" id="enforce-ranges-hint">
            When set, two-factor is asked only of sign-ins from outside these ranges, e.g. 203.0.113.0/24.
          </p>
          <textarea
            id="enforce-ranges"
            value={ranges}
            disabled={disabled}
            aria-describedby="enforce-ranges-hint"
            onInput={(e) => setRanges((e.currentTarget as HTMLTextAreaElement).value)}
          />
        </div>
        <ErrorMessage>{selfBlocked ? <SetUpYourselfFirst keysOnly={keysOnly} /> : error}</ErrorMessage>
        {isOwner && (
          <div class="button-row">
            <button type="submit" class="button" disabled={busy || blocked}>
              Save policy
            </button>
            <span class="hint">Loosening the policy (a longer grace period too) needs a code we email to you.</span>
          </div>
        )}
      </form>
      {dialog}
      {toast}
    </section>
  );
}

interface DaysProps {
  id: string;
  label: string;
  max: number;
  value: string;
  disabled: boolean;
  onValue(value: string): void;
  hint: string;
}

/** The policy's two counts of days: what each box says, and its largest value. */
const DAY_FIELDS = {
  grace: {
    id: 'grace-days',
    label: 'Days to set it up (grace period)',
    max: 30,
    hint: 'When two-factor becomes required for someone, they get this many days, with a reminder on every page. 0 asks at their next sign-in. At most 30.',
  },
  remember: {
    id: 'remember-days',
    label: 'Remember a device for (days)',
    max: 60,
    hint: '0 turns “remember this device” off. At most 60.',
  },
} as const;

/** A whole number of days, 0 to `max`, with its hint above the box. */
function DaysField({ max, ...field }: DaysProps) {
  return <TextField type="number" min={0} max={max} step={1} required hintAbove {...field} />;
}

/** The user ids of `owners` in a 409 owners_without_2fa (objects with userId, or ids). */
function ownerIds(owners: unknown): string[] {
  if (!Array.isArray(owners)) return [];
  return owners
    .map((o) => (typeof o === 'string' ? o : ((o as { userId?: string; id?: string })?.userId ?? (o as { id?: string })?.id ?? '')))
    .filter(Boolean);
}

function ConfirmLoosening({
  base,
  pending,
  onDone,
  onCancel,
}: {
  base: string;
  pending: { confirmationId: string; sentTo: string };
  onDone(): void;
  onCancel(): void;
}) {
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api('POST', `${base}/security/2fa-policy/confirm`, { body: { confirmationId: pending.confirmationId, code } });
      onDone();
    } catch (e) {
      setError(describeError(e, { invalid_code: 'That code is not right. Check the latest email and try again.' }));
      setBusy(false);
    }
  }
  return (
    <section class="card stack" aria-labelledby="confirm-title">
      <h2 id="confirm-title">Confirm this change</h2>
      <p>
        This change makes the account less strict, so we need to be sure it’s you. We emailed a code to <strong>{pending.sentTo}</strong>.
        Nothing changes until you enter it.
      </p>
      <form class="stack" onSubmit={submit}>
        <CodeInput id="policy-confirm-code" label="Confirmation code" value={code} onChange={setCode} invalid={!!error} />
        <ErrorMessage>{error}</ErrorMessage>
        <div class="button-row">
          <button type="submit" class="button" disabled={busy}>
            Confirm change
          </button>
          <button type="button" class="button button--secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
