// A modal <dialog>: focus moves in, Escape closes it, the page behind is inert. A dialog that must not close yet
// (new backup codes not saved) keeps Escape and × from closing it, and says why through onBlockedClose.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface Props {
  title: string;
  onClose(): void;
  children: ComponentChildren;
  testId?: string;
  /** False while the dialog must stay open; Escape then calls onBlockedClose instead of onClose. */
  canClose?: boolean;
  onBlockedClose?(): void;
}

export function Dialog({ title, onClose, children, testId, canClose = true, onBlockedClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const closable = useRef(canClose);
  closable.current = canClose;
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
    // Browsers may close a modal on Escape even when its cancel event is refused (Chromium's close watchers skip
    // a second refusal): open it again while it must stay, and otherwise let the page know it closed.
    const closed = () => {
      if (!dialog?.isConnected || dialog.open) return;
      if (closable.current) close.current();
      else dialog.showModal?.();
    };
    dialog?.addEventListener('close', closed);
    return () => {
      dialog?.removeEventListener('close', closed);
      dialog?.close?.();
    };
  }, []);
  function requestClose() {
    if (closable.current) onClose();
    else onBlockedClose?.();
  }
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby="dialog-title"
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        requestClose();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !closable.current) {
          e.preventDefault();
          requestClose();
        }
      }}
    >
      <div class="dialog__head">
        <h2 id="dialog-title">{title}</h2>
        {canClose && (
          <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
            ×
          </button>
        )}
      </div>
      {children}
    </dialog>
  );
}

interface ConfirmProps {
  title: string;
  /** What the action ends or changes, said before the buttons. */
  children: ComponentChildren;
  /** The button that does it, and whether what it does cannot be taken back (a danger button). */
  action: string;
  onAction(): void;
  danger?: boolean;
  /** The button that leaves things as they are and closes the dialog. */
  keep?: string;
  onClose(): void;
  testId?: string;
}

/** A dialog that asks before an action: what happens, then the action's button and one that keeps things as they are. */
export function ConfirmDialog({ title, children, action, onAction, danger = true, keep = 'Keep it', onClose, testId }: ConfirmProps) {
  return (
    <Dialog title={title} onClose={onClose} testId={testId}>
      {children}
      <div class="button-row">
        <button type="button" class={danger ? 'button button--danger' : 'button'} onClick={onAction}>
          {action}
        </button>
        <button type="button" class="button button--secondary" onClick={onClose}>
          {keep}
        </button>
      </div>
    </Dialog>
  );
}
