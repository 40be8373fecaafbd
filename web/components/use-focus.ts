// Moves keyboard focus to an element when it appears (autofocus only works on page load).
import { useEffect, useRef } from 'preact/hooks';

export function useFocusOnMount<T extends HTMLElement>(enabled = true) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (enabled) ref.current?.focus();
  }, [enabled]);
  return ref;
}
