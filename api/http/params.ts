// The schemas of path parameters shared by many routes. Ids are opaque strings to clients ("ids are strings"); a
// string that fits no id column is malformed (400), any other unknown one is simply not found (404).
import { z } from 'zod';

/** An id of a user, account, member, invitation, API key, device or session (a UUID, at most 36 characters). */
export const Id = z.string().min(1).max(36);

/** The account of `/accounts/:accountId/…`; the guards check the caller's membership in it. */
export const AccountParams = z.object({ accountId: Id.describe("The account's `id`") });

/** A login challenge's id: the `challengeId` of the login answer (a random token; records refuse longer ones). */
export const ChallengeParams = z.object({
  challengeId: z.string().min(1).max(100).describe('The `challengeId` of the login answer'),
});

/** The path every account route starts with (route.ts, `accountRoute`); its routes take `AccountParams` (or an extension of it). */
export const accountPath = '/accounts/:accountId';
