// Errors are announced (role="alert"); notices politely (role="status"). The box keeps its place when empty
// so nothing below it jumps when a message arrives.
import type { ComponentChildren } from 'preact';

export function ErrorMessage({ children, id }: { children?: ComponentChildren; id?: string }) {
  return (
    <div class={children ? 'alert alert--error' : 'alert alert--empty'} role="alert" id={id}>
      {children}
    </div>
  );
}

export function Notice({ children, tone = 'info' }: { children?: ComponentChildren; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div class={children ? `notice notice--${tone}` : 'notice notice--empty'} role="status">
      {children}
    </div>
  );
}
