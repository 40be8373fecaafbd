// A small card in the page's corner (keep this authenticator, unlock to fill), in a Shadow DOM so the page's
// styles cannot change it. It holds no secret and takes no typing (a passphrase is typed only in the extension's
// own pages, never in a web page); only a trusted click (a person, not the page's scripts) presses its buttons.

const STYLE = `
:host { all: initial; }
[hidden] { display: none !important; }
.card { position: fixed; right: 16px; bottom: 16px; z-index: 2147483647; max-width: 320px; box-sizing: border-box;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2433; background: #fff;
  border: 1px solid #c9d2e3; border-left: 4px solid #2f5bea; border-radius: 8px; padding: 12px 14px;
  box-shadow: 0 6px 24px rgba(20, 30, 60, .18); }
.title { font-weight: 600; margin: 0 0 4px; }
.body { margin: 0 0 10px; color: #46506a; }
.row { display: flex; flex-wrap: wrap; gap: 8px; }
button { font: inherit; border-radius: 6px; padding: 6px 12px; cursor: pointer; border: 1px solid #2f5bea; background: #fff; color: #2f5bea; }
button.primary { background: #2f5bea; color: #fff; }
button:focus-visible { outline: 2px solid #1b3fb8; outline-offset: 2px; }
.error { color: #b3261e; }
`;

export interface CardButton {
  label: string;
  primary?: boolean;
  onClick(): void;
}

export interface Card {
  say(text: string, options?: { error?: boolean }): void;
  /** Replaces the buttons; none hides the row. */
  offer(buttons: CardButton[]): void;
  closeAfter(ms: number): void;
  close(): void;
  readonly open: boolean;
}

export function showCard(doc: Document, tag: string, content: { text: string; buttons: CardButton[] }): Card {
  const host = doc.createElement(tag);
  const root = host.attachShadow({ mode: 'open' });
  // Built node by node (no innerHTML), so nothing in it is ever parsed as markup.
  const element = (name: string, attributes: Record<string, string>, text = '') => {
    const node = doc.createElement(name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    node.textContent = text;
    return node;
  };
  const frame = element('div', { class: 'card', role: 'dialog', 'aria-labelledby': 't', 'aria-describedby': 'b' });
  const body = element('p', { class: 'body', id: 'b' });
  const row = element('div', { class: 'row' });
  frame.append(element('p', { class: 'title', id: 't' }, 'Twofold Dialer'), body, row);
  root.append(element('style', {}, STYLE), frame);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const card: Card = {
    say(text, options = {}) {
      body.className = options.error ? 'body error' : 'body';
      body.textContent = text;
    },
    offer(buttons) {
      row.replaceChildren(
        ...buttons.map(({ label, primary, onClick }) => {
          const button = doc.createElement('button');
          button.type = 'button';
          button.textContent = label;
          if (primary) button.className = 'primary';
          button.addEventListener('click', (event) => {
            if (event.isTrusted) onClick();
          });
          return button;
        }),
      );
      row.hidden = buttons.length === 0;
    },
    closeAfter(ms) {
      clearTimeout(timer);
      timer = setTimeout(card.close, ms);
    },
    close() {
      clearTimeout(timer);
      host.remove();
    },
    get open() {
      return host.isConnected;
    },
  };
  card.say(content.text);
  card.offer(content.buttons);
  (doc.body ?? doc.documentElement).append(host);
  return card;
}
