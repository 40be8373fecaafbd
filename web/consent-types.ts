// The shapes of the consent API (contract v1.1) as the web app reads them: invitations, their preview, and the
// fields v1.1 adds to users and members.
import type { Member, Role, SessionResponse, User } from '../shared/schemas.ts';

/** Every user shape carries whether its email is verified. */
export type VerifiedUser = User & { emailVerified?: boolean };
export type Session = SessionResponse & { user: VerifiedUser };

export interface InvitationPreview {
  accountName: string;
  invitedBy: string;
  invitedByEmail?: string;
  role: Role;
  email: string;
  expiresAt: string;
  existingUser: boolean;
  /** Accepting makes this account manage the person (a new person). */
  managed: boolean;
  /** What the account could do to them: require_2fa, change_role, remove, reset_2fa, issue_recovery_code. */
  accountMay: string[];
}

export interface PendingInvitation { id: string; email: string; role: Role; invitedBy: string; createdAt: string; expiresAt: string }

/** A member row of GET …/members with v1.1's fields (optional until every API answers them). */
export type ManagedMember = Member & {
  managed?: boolean;
  twoFactor: Member['twoFactor'] & { canIssueRecoveryCode?: boolean };
};
