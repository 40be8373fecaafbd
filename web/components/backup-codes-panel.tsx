// The backup codes, with the ways to keep them: copy, download as .txt, print (a one-page sheet with the
// product, the user's email, the date, the codes and how to use them), or "I have saved them".
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Checkbox } from '../../shared/ui/checkbox.tsx';

export type SavedHow = 'copied' | 'downloaded' | 'printed' | 'ticked';

interface Props {
  codes: string[];
  /** Whose codes they are: printed on the sheet. */
  email?: string;
  /** Called once the codes were copied, downloaded, printed, or the person ticked that they saved them. */
  onSaved?(how: SavedHow): void;
  /** Offer "I have saved them" (where finishing waits for the codes to be kept). */
  offerTick?: boolean;
}

const today = () => new Date().toLocaleDateString(undefined, { dateStyle: 'long' });

export function backupCodesText(codes: string[], email?: string): string {
  return [
    'Twofold backup codes',
    ...(email ? [`For ${email}`] : []),
    '',
    'Each code works once. Keep them somewhere safe.',
    '',
    ...codes,
    '',
    `Created ${new Date().toISOString().slice(0, 10)}`,
    '',
  ].join('\n');
}

/** The printed page: outside the app (and any dialog), shown only by the print style sheet. */
function PrintSheet({ codes, email }: { codes: string[]; email?: string }) {
  return (
    <article class="print-sheet__page">
      <h1>Twofold backup codes</h1>
      <p>
        {email ? (
          <>
            For <strong>{email}</strong> ·{' '}
          </>
        ) : null}
        Created {today()}
      </p>
      <ol class="print-sheet__codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <h2>How to use them</h2>
      <ul>
        <li>When Twofold asks for a code and you cannot use your usual method, choose “Use a backup code” and type one of these.</li>
        <li>Each code works once. Cross it out when you have used it.</li>
        <li>
          Keep this page somewhere safe and private. If you lose it, create new codes in Twofold’s Security settings: these then stop
          working.
        </li>
      </ul>
    </article>
  );
}

function usePrintSheet(codes: string[], email?: string): void {
  useEffect(() => {
    const host = document.createElement('div');
    host.className = 'print-sheet';
    host.setAttribute('aria-hidden', 'true');
    document.body.append(host);
    render(<PrintSheet codes={codes} email={email} />, host);
    return () => {
      render(null, host);
      host.remove();
    };
  }, [codes.join(), email]);
}

export function BackupCodesPanel({ codes, email, onSaved, offerTick }: Props) {
  const [done, setDone] = useState<string | null>(null);
  const [ticked, setTicked] = useState(false);
  usePrintSheet(codes, email);
  function saved(how: SavedHow, message: string) {
    setDone(message);
    onSaved?.(how);
  }
  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      saved('copied', 'Copied to the clipboard.');
    } catch {
      setDone('Your browser did not allow copying. Download or print the codes instead.');
    }
  }
  function download() {
    const url = URL.createObjectURL(new Blob([backupCodesText(codes, email)], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'twofold-backup-codes.txt';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    saved('downloaded', 'Downloaded twofold-backup-codes.txt.');
  }
  function print() {
    window.print();
    saved('printed', 'Sent to the printer.');
  }
  return (
    <section class="backup-codes" aria-label="Backup codes">
      <ol class="backup-codes__list" data-testid="backup-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div class="button-row">
        <button type="button" class="button button--secondary" onClick={copy}>
          Copy codes
        </button>
        <button type="button" class="button button--secondary" onClick={download}>
          Download .txt
        </button>
        <button type="button" class="button button--secondary" onClick={print}>
          Print
        </button>
      </div>
      {offerTick && (
        <Checkbox
          id="codes-saved"
          class="backup-codes__tick"
          label="I have saved them somewhere safe"
          checked={ticked}
          onCheck={(on) => {
            setTicked(on);
            if (on) saved('ticked', 'Thanks for keeping them safe.');
          }}
        />
      )}
      <p class="hint" role="status">
        {done ?? '\u00a0'}
      </p>
    </section>
  );
}
