// "Also keep this authenticator in Twofold for this browser": a small prompt in a Shadow DOM, so the page's
// styles cannot change it. It holds no secret; only a trusted click (a person, not the page) accepts.

const STYLE = `
:host { all: initial; }
.card { position: fixed; right: 16px; bottom: 16px; z-index: 2147483647; max-width: 320px; box-sizing: border-box;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2433; background: #fff;
  border: 1px solid #c9d2e3; border-left: 4px solid #2f5bea; border-radius: 8px; padding: 12px 14px;
  box-shadow: 0 6px 24px rgba(20, 30, 60, .18); }
.title { font-weight: 600; margin: 0 0 4px; }
.body { margin: 0 0 10px; color: #46506a; }
.row { display: flex; gap: 8px; }
button { font: inherit; border-radius: 6px; padding: 6px 12px; cursor: pointer; border: 1px solid #2f5bea; }
.keep { background: #2f5bea; color: #fff; }
.no { background: #fff; color: #2f5bea; }
button:focus-visible { outline: 2px solid #1b3fb8; outline-offset: 2px; }
.error { color: #b3261e; }
`;

export interface KeepPromptOptions {
  onKeep(): Promise<string>;
}

export function showKeepPrompt(doc: Document, options: KeepPromptOptions): () => void {
  const host = doc.createElement('twofold-keep-prompt');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>${STYLE}</style>
    <div class="card" role="dialog" aria-labelledby="t" aria-describedby="b">
      <p class="title" id="t">Twofold Dialer</p>
      <p class="body" id="b">Also keep this authenticator in Twofold for this browser? It fills your sign-in code for you, on this site only.</p>
      <div class="row"><button type="button" class="keep">Keep it</button><button type="button" class="no">Not now</button></div>
    </div>`;
  const body = root.querySelector<HTMLElement>('.body')!;
  const row = root.querySelector<HTMLElement>('.row')!;
  const close = () => host.remove();
  root.querySelector('.no')!.addEventListener('click', close);
  root.querySelector('.keep')!.addEventListener('click', (event) => {
    if (!event.isTrusted) return;
    row.hidden = true;
    body.textContent = 'Keeping…';
    options.onKeep().then(
      (name) => {
        body.textContent = `Kept “${name}”. Twofold will fill your code when you sign in here.`;
        setTimeout(close, 4000);
      },
      (error: unknown) => {
        body.className = 'body error';
        body.textContent = error instanceof Error ? error.message : 'This authenticator could not be kept.';
        setTimeout(close, 6000);
      },
    );
  });
  (doc.body ?? doc.documentElement).append(host);
  return close;
}
