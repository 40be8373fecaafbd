// What an action did, said where it does not move the page: a polite live region fixed to the bottom of the
// window. Nothing shifts under the pointer, and screen readers hear it without losing their place.
import { useEffect, useState } from 'preact/hooks';

const SHOWN_MS = 10_000;

interface Message {
  text: string;
  at: number;
}

export function useToast() {
  const [message, setMessage] = useState<Message | null>(null);
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setMessage(null), SHOWN_MS);
    return () => clearTimeout(timer);
  }, [message]);
  const show = (text: string) => setMessage({ text, at: Date.now() });
  const clear = () => setMessage(null);
  const toast = (
    <div class="toast-region" role="status" aria-live="polite">
      {message && (
        <div class="toast" data-testid="toast" key={message.at}>
          <span>{message.text}</span>
          <button type="button" class="toast__close" aria-label="Dismiss" onClick={clear}>
            ×
          </button>
        </div>
      )}
    </div>
  );
  return { show, clear, toast };
}
