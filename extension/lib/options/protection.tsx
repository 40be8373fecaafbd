// How the kept authenticators are protected, said plainly: this computer's account only, or a passphrase (set,
// unlock, lock now, lock after, change, remove). An authenticator offered for keeping waits here for the choice.
import { useState } from 'preact/hooks';
import { send } from '../browser-api.ts';
import type { VaultStatus } from '../messages.ts';
import { ErrorAlert, describeFailure } from '../ui/errors.tsx';
import { UnlockForm } from '../ui/unlock-form.tsx';
import { PassphraseField } from '../ui/passphrase-field.tsx';

const IDLE_CHOICES: Array<[string, number | null]> = [
  ['1 minute', 1],
  ['5 minutes', 5],
  ['15 minutes', 15],
  ['1 hour', 60],
  ['4 hours', 240],
  ['only when the browser closes', null],
];

function idleText(minutes: number | null): string {
  const label = IDLE_CHOICES.find(([, m]) => m === minutes)?.[0] ?? `${minutes} minutes`;
  return minutes === null ? 'It locks when the browser closes.' : `It locks after ${label} without use, and when the browser closes.`;
}

interface Props {
  status: VaultStatus;
  onStatus(status: VaultStatus): void;
}

/** New passphrase twice, and the current one when there is one. */
function PassphraseForm({ status, onStatus, submitLabel }: Props & { submitLabel: string }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const hasOne = status.protection === 'passphrase';

  async function save(event: Event) {
    event.preventDefault();
    if (next !== repeat) {
      setError('The two passphrases are not the same.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      onStatus(await send('vault:set-passphrase', { passphrase: next, current: hasOne ? current : null }));
    } catch (e) {
      setError(describeFailure(e));
    }
    setBusy(false);
  }

  const id = hasOne ? 'change' : 'new';
  return (
    <form class="stack" onSubmit={save} data-testid={`passphrase-form-${id}`}>
      {hasOne && <PassphraseField id={`${id}-current`} label="Current passphrase" value={current} onValue={setCurrent} />}
      <PassphraseField
        id={`${id}-next`}
        label={hasOne ? 'New passphrase' : 'Passphrase'}
        value={next}
        onValue={setNext}
        minLength={8}
        hint="At least 8 characters. A few unrelated words are easy to remember and hard to guess. Nobody can recover it for you: if you forget it, keep your authenticators again."
      />
      <PassphraseField id={`${id}-repeat`} label="Type it again" value={repeat} onValue={setRepeat} />
      <ErrorAlert message={error} />
      <button type="submit" class="button" disabled={busy}>
        {busy ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}

function RemovePassphrase({ onStatus }: Pick<Props, 'onStatus'>) {
  const [current, setCurrent] = useState('');
  const [error, setError] = useState('');
  async function remove(event: Event) {
    event.preventDefault();
    setError('');
    try {
      onStatus(await send('vault:set-passphrase', { passphrase: null, current }));
    } catch (e) {
      setError(describeFailure(e));
    }
  }
  return (
    <form class="stack" onSubmit={remove}>
      <p class="hint">Without a passphrase, anyone with a copy of this browser’s profile can read your kept codes.</p>
      <PassphraseField id="remove-current" label="Current passphrase" value={current} onValue={setCurrent} />
      <ErrorAlert message={error} />
      <button type="submit" class="button button--secondary">
        Remove the passphrase
      </button>
    </form>
  );
}

export function Protection({ status, onStatus }: Props) {
  const [error, setError] = useState('');
  const act = (run: Promise<VaultStatus>) => run.then(onStatus, (e) => setError(describeFailure(e)));

  if (status.protection !== 'passphrase') {
    return (
      <section class="stack" aria-labelledby="protection-title" data-testid="protection" data-protection={status.protection}>
        <h2 id="protection-title">Protection</h2>
        {status.pendingKeep && (
          <p class="alert alert--warning" data-testid="pending-keep">
            “{status.pendingKeep}” is waiting to be kept. Choose a passphrase for it (recommended), or keep it without one.
          </p>
        )}
        <p data-testid="protection-summary">
          <strong>No passphrase.</strong> What protects your kept codes is your account on this computer: anyone who can use it as you can
          have them filled. What does not protect them: a copy of this browser’s profile (a backup, a synced folder, someone with the disk)
          holds everything needed to read them.
        </p>
        <p class="hint">
          A passphrase protects them against a copy too: Twofold then writes only a locked key, and asks for the passphrase again after some
          time without use and when the browser restarts.
        </p>
        <PassphraseForm status={status} onStatus={onStatus} submitLabel="Set passphrase" />
        {status.pendingKeep && status.protection === 'unset' && (
          <button
            type="button"
            class="button button--secondary"
            onClick={() => void act(send('vault:set-passphrase', { passphrase: null, current: null }))}
          >
            Keep it without a passphrase
          </button>
        )}
        <ErrorAlert message={error} />
      </section>
    );
  }

  return (
    <section
      class="stack"
      aria-labelledby="protection-title"
      data-testid="protection"
      data-protection="passphrase"
      data-locked={String(status.locked)}
    >
      <h2 id="protection-title">Protection</h2>
      {status.pendingKeep && (
        <p class="alert alert--warning" data-testid="pending-keep">
          “{status.pendingKeep}” is kept as soon as you unlock.
        </p>
      )}
      <p data-testid="protection-summary">
        <strong>Protected by your passphrase.</strong> A copy of this browser’s profile holds only a locked key.{' '}
        {status.locked ? 'Locked now.' : 'Unlocked now.'} {idleText(status.idleMinutes)}
      </p>
      {status.locked ? (
        <UnlockForm why="Type your passphrase to let Twofold fill your codes." onUnlocked={onStatus} />
      ) : (
        <button type="button" class="button button--secondary" onClick={() => void act(send('vault:lock', {}))}>
          Lock now
        </button>
      )}
      <div>
        <label for="idle">Lock after</label>
        <select
          id="idle"
          value={String(status.idleMinutes)}
          onChange={(e) => {
            const value = e.currentTarget.value;
            void act(send('vault:set-idle', { minutes: value === 'null' ? null : Number(value) }));
          }}
        >
          {IDLE_CHOICES.map(([label, minutes]) => (
            <option key={label} value={String(minutes)}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <ErrorAlert message={error} />
      <details>
        <summary>Change or remove the passphrase</summary>
        <div class="stack">
          <PassphraseForm status={status} onStatus={onStatus} submitLabel="Change passphrase" />
          <RemovePassphrase onStatus={onStatus} />
        </div>
      </details>
    </section>
  );
}
