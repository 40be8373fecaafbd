// The content script on Twofold's own origins (isolated world): tells the page when the shared session starts
// or ends, offers to keep an authenticator being set up, and fills the sign-in code. It asks the worker for the
// current code; it never sees a secret, and never asks for the passphrase (that is typed in the extension's pages).
import { onBroadcast, send } from '../lib/browser-api.ts';
import { METHOD_ATTRIBUTE, OTPAUTH_ATTRIBUTE, SESSION_EVENT, USER_ATTRIBUTE } from '../../shared/contract.ts';
import { describeTarget, fillTarget, findCodeTarget, isEmpty, targetKey } from '../lib/content/fields.ts';
import { showCard, type Card } from '../lib/content/prompt-card.ts';

let handled = new WeakMap<HTMLInputElement, string>();
let offeredUri: string | null = null;
let keepCard: Card | null = null;
/** The keep card waits for the person to choose a passphrase or unlock, in the extension's own page. */
let keepWaiting = false;
let unlockCard: Card | null = null;

const failure = (error: unknown) => (error instanceof Error ? error.message : 'This authenticator could not be kept.');

function offerToKeep(): void {
  const host = document.querySelector(`[${OTPAUTH_ATTRIBUTE}]`);
  const uri = host?.getAttribute(OTPAUTH_ATTRIBUTE) ?? '';
  if (!uri.startsWith('otpauth://') || uri === offeredUri) return;
  offeredUri = uri;
  keepCard?.close();
  const user =
    host?.closest(`[${USER_ATTRIBUTE}]`)?.getAttribute(USER_ATTRIBUTE) ??
    document.querySelector(`[${USER_ATTRIBUTE}]`)?.getAttribute(USER_ATTRIBUTE) ??
    null;
  const card = showCard(document, 'twofold-keep-prompt', {
    text: 'Also keep this authenticator in Twofold for this browser? It fills your sign-in code for you, on this site only.',
    buttons: [
      { label: 'Keep it', primary: true, onClick: () => void keep(false) },
      { label: 'Not now', onClick: () => card.close() },
    ],
  });
  keepCard = card;
  keepWaiting = false;

  async function keep(withoutPassphrase: boolean): Promise<void> {
    card.offer([]);
    card.say('Keeping…');
    try {
      const answer = await send('vault:keep', { uri, user: user || null, withoutPassphrase });
      if (answer.status === 'kept') return kept(card, answer.name);
      keepWaiting = true;
      if (answer.status === 'choose-protection') {
        card.say(
          'Protect your kept codes with a passphrase? Recommended: without one, anyone who gets a copy of this browser’s files can read them.',
        );
        card.offer([
          {
            label: 'Choose a passphrase…',
            primary: true,
            onClick: () =>
              void show(
                'passphrase',
                'Choose your passphrase in the Twofold Dialer tab that opened: the authenticator is kept as soon as you do.',
              ),
          },
          { label: 'Keep without', onClick: () => void keep(true) },
        ]);
      } else {
        card.say('Twofold Dialer is locked. Unlock it to keep this authenticator.');
        card.offer([
          {
            label: 'Unlock…',
            primary: true,
            onClick: () => void show('unlock', 'Type your passphrase in the Twofold Dialer window that opened.'),
          },
          { label: 'Not now', onClick: () => card.close() },
        ]);
      }
    } catch (error) {
      card.say(failure(error), { error: true });
      card.closeAfter(6000);
    }
  }

  async function show(what: 'unlock' | 'passphrase', then: string): Promise<void> {
    card.offer([]);
    card.say(then);
    await send('vault:show', { what }).catch((error: unknown) => card.say(failure(error), { error: true }));
  }
}

function kept(card: Card, name: string): void {
  keepWaiting = false;
  card.offer([]);
  card.say(`Kept “${name}”. Twofold will fill your code when you sign in here.`);
  card.closeAfter(4000);
}

function askToUnlock(): void {
  if (unlockCard?.open) return;
  const card = showCard(document, 'twofold-unlock-prompt', {
    text: 'Your kept Twofold authenticator is locked. Unlock it to fill your sign-in code.',
    buttons: [
      {
        label: 'Unlock…',
        primary: true,
        onClick() {
          card.offer([]);
          card.say('Type your passphrase in the Twofold Dialer window that opened; the code is filled here when you do.');
          void send('vault:show', { what: 'unlock' }).catch(() => card.close());
        },
      },
      { label: 'Not now', onClick: () => card.close() },
    ],
  });
  unlockCard = card;
}

async function fillCode(): Promise<void> {
  const target = findCodeTarget(document);
  if (!target || !isEmpty(target)) return;
  const { user, method } = describeTarget(target, document);
  if (!user || (method !== null && method !== 'totp')) return;
  const key = targetKey(target);
  if (handled.get(key) === `${user}|${method}`) return;
  handled.set(key, `${user}|${method}`);
  const { code, locked } = await send('code:for-page', { user });
  if (locked) askToUnlock();
  else if (code && key.isConnected && isEmpty(target)) fillTarget(target, code);
}

let scheduled = false;
function scan(): void {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    offerToKeep();
    void fillCode().catch(() => undefined);
  });
}

onBroadcast((message) => {
  if (message.broadcast === 'session-changed') {
    // The page's own listener re-checks its session: no reload, so no reload loop.
    window.dispatchEvent(new CustomEvent(SESSION_EVENT, { detail: message.state }));
  } else if (message.broadcast === 'vault-changed') {
    // Unlocked or newly protected: what waited is kept, and the code field is tried again.
    if (keepWaiting && keepCard?.open && message.kept) kept(keepCard, message.kept);
    unlockCard?.close();
    handled = new WeakMap();
    scan();
  }
});

new MutationObserver(scan).observe(document, {
  subtree: true,
  childList: true,
  attributes: true,
  attributeFilter: [OTPAUTH_ATTRIBUTE, USER_ATTRIBUTE, METHOD_ATTRIBUTE, 'autocomplete', 'maxlength', 'disabled'],
});
void send('page:hello', {}).catch(() => undefined);
scan();
