// The backup codes, with the three ways to keep them: copy, download as .txt, print.
import { useState } from 'preact/hooks';

interface Props {
  codes: string[];
  /** Called once the codes were copied, downloaded or printed. */
  onSaved?(how: 'copied' | 'downloaded' | 'printed'): void;
}

export function backupCodesText(codes: string[]): string {
  return ['Twofold backup codes', '', 'Each code works once. Keep them somewhere safe.', '', ...codes, '', `Created ${new Date().toISOString().slice(0, 10)}`, ''].join('\n');
}

export function BackupCodesPanel({ codes, onSaved }: Props) {
  const [done, setDone] = useState<string | null>(null);
  function saved(how: 'copied' | 'downloaded' | 'printed', message: string) {
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
    const url = URL.createObjectURL(new Blob([backupCodesText(codes)], { type: 'text/plain' }));
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
    <section class="backup-codes printable" aria-label="Backup codes">
      <ol class="backup-codes__list" data-testid="backup-codes">
        {codes.map((code) => <li key={code}><code>{code}</code></li>)}
      </ol>
      <div class="button-row no-print">
        <button type="button" class="button button--secondary" onClick={copy}>Copy codes</button>
        <button type="button" class="button button--secondary" onClick={download}>Download .txt</button>
        <button type="button" class="button button--secondary" onClick={print}>Print</button>
      </div>
      <p class="hint no-print" role="status">{done ?? '\u00a0'}</p>
    </section>
  );
}
