// Sign-up: a new user who owns (and is managed by) a new account, then a link to prove the mailbox.
import type { Deps } from '../deps.ts';
import { assertStrongPassword } from '../crypto/passwords.ts';
import { insertUser, setManagingAccount, type UserRow } from '../records/users.ts';
import { createAccount, type AccountRow } from '../records/accounts.ts';
import { sendVerificationEmail } from './email-verification.ts';

export async function signUp(
  deps: Deps,
  input: { email: string; password: string; name: string; accountName?: string },
): Promise<{ user: UserRow; account: AccountRow }> {
  await assertStrongPassword(input.password, [input.email, input.name]);
  const passwordHash = await deps.passwords.hash(input.password);
  const now = deps.clock.now();
  const created = await deps.db.transaction(async (trx) => {
    const user = await insertUser(trx, { email: input.email, name: input.name, passwordHash, now });
    const account = await createAccount(trx, { name: input.accountName ?? `${input.name}'s account`, ownerId: user.id, now });
    await setManagingAccount(trx, user.id, account.id);
    return { user: { ...user, managed_by_account_id: account.id }, account };
  });
  // The account exists either way; a link that could not be sent can be asked for again once signed in.
  await sendVerificationEmail(deps, created.user, now).catch((err: unknown) => {
    deps.log.warn({ reason: (err as Error).message }, 'verification email not sent at sign-up');
  });
  return created;
}
