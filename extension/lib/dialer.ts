// What the popup does through the worker: sign in (password, then the challenge), log out, pick an account,
// place and list calls. The session itself lives in the shared cookie (session-sync.ts).
import type { Call, CodeSent, LoginAuthenticated, LoginResponse, Method } from '../../shared/schemas.ts';
import { E164_PATTERN, HANDOFF_PREFIX, type Client, type HandoffQuery } from '../../shared/contract.ts';
import type { DialerView, LoginOutcome } from './messages.ts';
import type { SessionSync } from './session-sync.ts';
import { ApiCallError, type ApiClient } from './twofold-api.ts';
import type { Vault } from './vault.ts';

export class DialerError extends Error {
  constructor(
    readonly reason: 'not_signed_in' | 'no_server' | 'invalid_request',
    message: string,
  ) {
    super(message);
  }
}

export interface DialerDeps {
  api: ApiClient;
  sync: SessionSync;
  vault: Vault;
  now(): number;
  /** Opens a page of the web app in a new tab. */
  openTab(url: string): Promise<void>;
}
export type Dialer = ReturnType<typeof createDialer>;

export function createDialer({ api, sync, vault, now, openTab }: DialerDeps) {
  async function serverOrFail(): Promise<string> {
    const server = await sync.server();
    if (!server) throw new DialerError('no_server', 'Enter your Twofold server address first.');
    return server;
  }

  /** Calls the API with the shared session; a 401 means the session ended for everyone. */
  async function withSession<T>(method: string, path: string, body?: unknown): Promise<T> {
    const server = await serverOrFail();
    const token = await sync.token();
    if (!token) throw new DialerError('not_signed_in', 'Please sign in.');
    try {
      return await api.request<T>(server, method, path, { token, body });
    } catch (error) {
      if (error instanceof ApiCallError && error.status === 401) await sync.signOut();
      throw error;
    }
  }

  async function finish(answer: LoginAuthenticated, server: string): Promise<DialerView> {
    await sync.signIn(answer.session.token, answer.session.expiresAt);
    // "Remember this browser": the API's trusted-device cookie, written for the web app to send too.
    if (answer.deviceToken) await sync.rememberDevice(server, answer.deviceToken);
    return sync.view(true);
  }

  async function pendingOrFail() {
    const pending = await sync.pending();
    if (!pending) throw new DialerError('invalid_request', 'That sign-in attempt expired. Please sign in again.');
    return pending;
  }

  return {
    async login(email: string, password: string): Promise<LoginOutcome> {
      const server = await serverOrFail();
      // The extension's requests carry no cookies, so the trusted-device cookie travels in the body.
      const deviceToken = (await sync.deviceToken(server)) ?? undefined;
      const answer = await api.request<LoginResponse>(server, 'POST', '/auth/login', {
        body: { email, password, deviceToken, client: 'dialer' satisfies Client },
      });
      if (answer.status === 'authenticated') return { status: 'authenticated', view: await finish(answer, server) };
      if (answer.status === 'setup_required') {
        return {
          status: 'setup_required',
          message: 'Your account needs two-factor authentication first. Set it up in the Twofold web app, then sign in here.',
        };
      }
      await sync.savePending({
        server,
        challengeId: answer.challengeId,
        email: email.trim().toLowerCase(),
        methods: answer.methods,
        preferredMethod: answer.preferredMethod,
        expiresAt: answer.expiresAt,
      });
      return { status: 'challenge', view: await sync.view(false) };
    },

    async sendCode(method: 'sms' | 'email'): Promise<CodeSent> {
      const pending = await pendingOrFail();
      return api.request<CodeSent>(pending.server, 'POST', `/auth/challenge/${encodeURIComponent(pending.challengeId)}/send`, {
        body: { method },
      });
    },

    async verify(method: Method, code: string, rememberDevice: boolean): Promise<DialerView> {
      const pending = await pendingOrFail();
      try {
        const answer = await api.request<LoginAuthenticated>(
          pending.server,
          'POST',
          `/auth/challenge/${encodeURIComponent(pending.challengeId)}/verify`,
          { body: { method, code, rememberDevice } },
        );
        return await finish(answer, pending.server);
      } catch (error) {
        if (error instanceof ApiCallError && error.code === 'challenge_expired') await sync.clearPending();
        throw error;
      }
    },

    /** A security key answers only for the web app's relying party, never for an extension page: the web app
     * takes the challenge over in a tab (its id in the URL fragment, which no server sees). When it passes there,
     * the session cookie it sets signs the dialer in (session-sync.ts), with no second prompt. */
    async continueInWeb(): Promise<{ opened: true }> {
      const pending = await pendingOrFail();
      if (!pending.methods.includes('webauthn')) throw new DialerError('invalid_request', 'This sign-in does not offer security keys.');
      const query: HandoffQuery = {
        challenge: pending.challengeId,
        email: pending.email,
        methods: pending.methods.join(','),
        preferred: 'webauthn',
        expires: pending.expiresAt,
      };
      await openTab(`${pending.server}/${HANDOFF_PREFIX}${new URLSearchParams({ ...query })}`);
      return { opened: true };
    },

    async cancel(): Promise<DialerView> {
      await sync.clearPending();
      return sync.view(false);
    },

    async logout(): Promise<DialerView> {
      const server = await sync.server();
      const token = await sync.token();
      if (server && token) {
        try {
          await api.request(server, 'POST', '/auth/logout', { token });
        } catch (error) {
          if (!(error instanceof ApiCallError) || error.status !== 401) throw error;
        }
      }
      await sync.signOut();
      return sync.view(false);
    },

    /** The code for the dialer's own challenge from the kept authenticator for this server and user: the current
     * step's, or (stepsAhead 1) the next one's, which the API accepts at once when the current one was spent. */
    async dialerCode(stepsAhead = 0): Promise<string | null> {
      const pending = await sync.pending();
      return pending ? vault.codeFor(pending.server, pending.email, now(), stepsAhead) : null;
    },

    async selectAccount(accountId: string): Promise<DialerView> {
      const view = await sync.view(false);
      const user = view.signedIn?.user;
      if (!user) throw new DialerError('not_signed_in', 'Please sign in.');
      if (!view.signedIn?.accounts.some((a) => a.id === accountId)) throw new DialerError('invalid_request', 'Unknown account.');
      await sync.selectAccount(user.id, accountId);
      return sync.view(false);
    },

    async listCalls(accountId: string): Promise<Call[]> {
      const answer = await withSession<Call[] | { calls?: Call[]; items?: Call[] }>(
        'GET',
        `/accounts/${encodeURIComponent(accountId)}/calls`,
      );
      return Array.isArray(answer) ? answer : (answer.calls ?? answer.items ?? []);
    },

    async placeCall(accountId: string, to: string): Promise<Call> {
      if (!E164_PATTERN.test(to)) throw new DialerError('invalid_request', 'Enter the number in international format, like +61412345678.');
      return withSession<Call>('POST', `/accounts/${encodeURIComponent(accountId)}/calls`, { to });
    },
  };
}
