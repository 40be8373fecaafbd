// Request and response schemas of the HTTP contract (../shared/api.md). The API validates requests with
// them and generates its OpenAPI document from them; the web app and the extension import the types.
import { z } from 'zod';
import { AuthenticationResponse, SecurityKey } from './webauthn.ts';
import { clients } from './contract.ts';

export const methods = ['totp', 'sms', 'email', 'webauthn', 'backup_code', 'recovery_code'] as const;
export const Method = z.enum(methods);
export type Method = z.infer<typeof Method>;

/** Methods a user enrols (the others are fallbacks that come with them). `webauthn`: security keys and passkeys. */
export const enrollableMethods = ['totp', 'sms', 'email', 'webauthn'] as const;
export const EnrollableMethod = z.enum(enrollableMethods);
export type EnrollableMethod = z.infer<typeof EnrollableMethod>;

export const roles = ['owner', 'admin', 'member'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

export const Client = z.enum(clients);
export type Client = z.infer<typeof Client>;

export const Email = z.string().trim().toLowerCase().pipe(z.email().max(254));
/** Length is checked here; strength by the API's password module (it needs the user's other fields). */
export const Password = z.string().min(8, 'Use at least 8 characters.').max(128, 'Use at most 128 characters.');
export const Name = z.string().trim().min(1).max(100);
/** A code as typed: digits, letters, spaces and dashes. Its exact shape is checked by the method. */
export const Code = z.string().max(64);
export const Cidr = z.string().max(64).describe('IPv4 or IPv6 CIDR range, e.g. 10.0.0.0/8 or 2001:db8::/32');

// ---- sign-up, login and the challenge ----
export const SignupRequest = z.object({ email: Email, password: Password, name: Name, accountName: Name.optional() });
export const LoginRequest = z.object({
  email: z.string().max(254),
  password: z.string().max(1024),
  deviceToken: z.string().max(200).optional(),
  client: Client.optional(),
});
export const SendCodeRequest = z.object({ method: z.enum(['sms', 'email']) });
/** A second-factor answer: a `code`, or for `webauthn` the security key's signed `response` (AuthenticationResponseJSON). */
const answerFields = { method: z.string().max(32), code: Code.optional(), response: AuthenticationResponse.optional() };
const requireAnswer = (b: { method: string; code?: string; response?: unknown }, ctx: z.RefinementCtx) => {
  const field = b.method === 'webauthn' ? 'response' : 'code';
  if (b[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'Required' });
};
export const VerifyChallengeRequest = z.object({ ...answerFields, rememberDevice: z.boolean().optional() }).superRefine(requireAnswer);
export const ReauthRequest = z.union([z.object({ password: z.string().max(1024) }), z.object(answerFields).superRefine(requireAnswer)]);
/** A new person sends name and password; an existing user, signed in, sends the token alone. */
export const AcceptInviteRequest = z.object({ inviteToken: z.string().max(200), name: Name.optional(), password: Password.optional() });
export const InvitePreviewRequest = z.object({ inviteToken: z.string().max(200) });
/** A token from an emailed link (email verification). */
export const TokenRequest = z.object({ token: z.string().max(200) });

export const User = z.object({ id: z.string(), email: z.string(), name: z.string(), emailVerified: z.boolean() });
export type User = z.infer<typeof User>;
export const Account = z.object({ id: z.string(), name: z.string() });
export const AccountWithRole = Account.extend({ role: Role });
export const SessionInfo = z.object({ token: z.string(), expiresAt: z.string() });
export const RequiredBy = z.object({ accountId: z.string(), accountName: z.string(), reason: z.string() });
export type RequiredBy = z.infer<typeof RequiredBy>;

export const LoginAuthenticated = z.object({
  status: z.literal('authenticated'),
  session: SessionInfo,
  user: User,
  deviceToken: z.string().optional(),
  backupCodesRemaining: z.number().int().optional(),
  twoFactorSetupDueBy: z
    .string()
    .optional()
    .describe('Present when an account requires 2FA the user has not set up and its grace period runs until this time'),
});
export const LoginChallenge = z.object({
  status: z.literal('challenge'),
  challengeId: z.string(),
  methods: z.array(Method),
  preferredMethod: Method,
  expiresAt: z.string(),
});
export const LoginSetupRequired = z.object({
  status: z.literal('setup_required'),
  challengeId: z.string(),
  allowedMethods: z.array(EnrollableMethod),
  requiredBy: z.array(RequiredBy),
  expiresAt: z.string(),
});
export const LoginResponse = z.discriminatedUnion('status', [LoginAuthenticated, LoginChallenge, LoginSetupRequired]);
export type LoginResponse = z.infer<typeof LoginResponse>;
export type LoginAuthenticated = z.infer<typeof LoginAuthenticated>;

/** What an account may do to a member it invites (contract v1.1, "Trust between users and accounts"). */
export const accountPowers = ['require_2fa', 'change_role', 'remove', 'reset_2fa', 'issue_recovery_code'] as const;
export const InvitationPreview = z.object({
  accountName: z.string(),
  invitedBy: z.string(),
  invitedByEmail: z.string().nullable(),
  role: Role,
  email: z.string(),
  expiresAt: z.string(),
  existingUser: z.boolean(),
  managed: z.boolean(),
  accountMay: z.array(z.enum(accountPowers)),
});
export type InvitationPreview = z.infer<typeof InvitationPreview>;
export const AcceptedAsNewPerson = z.union([LoginAuthenticated.extend({ user: User }), LoginSetupRequired.extend({ user: User })]);
export const Invitation = z.object({ id: z.string(), email: z.string(), role: Role, expiresAt: z.string() });
export type Invitation = z.infer<typeof Invitation>;
export const PendingInvitation = Invitation.extend({ invitedBy: z.string().nullable(), createdAt: z.string() });
export type PendingInvitation = z.infer<typeof PendingInvitation>;

export const CodeSent = z.object({ sentTo: z.string(), resendAfterSeconds: z.number().int() });
export type CodeSent = z.infer<typeof CodeSent>;

export const SessionResponse = z.object({
  user: User,
  session: z.object({ expiresAt: z.string(), clients: z.array(Client) }),
  accounts: z.array(z.object({ id: z.string(), name: z.string(), role: Role })),
  twoFactorSetupRequired: z.boolean(),
  twoFactorSetupDueBy: z
    .string()
    .nullable()
    .describe('While the user is in a grace period: when 2FA must be set up (after it, `twoFactorSetupRequired`); else null'),
});
export type SessionResponse = z.infer<typeof SessionResponse>;

// ---- my own two-factor settings ----
export const TwoFactorStatus = z.object({
  enabled: z.boolean(),
  preferredMethod: EnrollableMethod.nullable(),
  methods: z.object({
    totp: z.object({ enabled: z.boolean() }),
    sms: z.object({ enabled: z.boolean(), phone: z.string().nullable(), previousPhone: z.string().nullable() }),
    email: z.object({ enabled: z.boolean(), address: z.string().nullable() }),
    webauthn: z.object({ enabled: z.boolean(), credentials: z.array(SecurityKey) }),
  }),
  backupCodes: z.object({ remaining: z.number().int(), low: z.boolean().describe('2FA is on and 3 or fewer codes are left') }),
  required: z.boolean(),
  requiredBy: z.array(RequiredBy),
  allowedMethods: z.array(EnrollableMethod),
  canDisable: z.boolean(),
});
export type TwoFactorStatus = z.infer<typeof TwoFactorStatus>;

export const TotpEnrollment = z.object({ secret: z.string(), otpauthUri: z.string(), qrSvg: z.string() });
export type TotpEnrollment = z.infer<typeof TotpEnrollment>;
export const VerifyCodeRequest = z.object({ code: Code });
export const EnrollSmsRequest = z.object({ phone: z.string().max(32).optional() });
export const MethodEnabled = z.object({
  enabled: z.literal(true),
  backupCodes: z.array(z.string()).optional(),
  status: z.literal('authenticated').optional(),
  session: SessionInfo.optional(),
  user: User.optional(),
});
export type MethodEnabled = z.infer<typeof MethodEnabled>;
export const PreferredRequest = z.object({ method: EnrollableMethod });
export const BackupCodes = z.object({ codes: z.array(z.string()), remaining: z.number().int() });

export const Device = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type Device = z.infer<typeof Device>;
export const SessionListItem = z.object({
  id: z.string(),
  clients: z.array(Client),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  current: z.boolean(),
});
export type SessionListItem = z.infer<typeof SessionListItem>;

// ---- account administration ----
export const enforceLevels = ['off', 'admins', 'all'] as const;
export const Enforce = z.enum(enforceLevels);
export type Enforce = z.infer<typeof Enforce>;
/** SMS is a restricted authenticator (NIST SP 800-63B): a policy that allows it allows the app alongside it. */
export const AllowedMethods = z
  .array(EnrollableMethod)
  .min(1)
  .refine(
    (m) => !m.includes('sms') || m.includes('totp'),
    'Text messages are a restricted method: allow the authenticator app alongside them.',
  );
export const Policy = z.object({
  enforce: Enforce,
  allowedMethods: AllowedMethods,
  rememberDeviceDays: z.number().int().min(0).max(60),
  enforceOutsideIpRanges: z.array(Cidr),
  gracePeriodDays: z
    .number()
    .int()
    .min(0)
    .max(30)
    .describe('Days a member has to set up 2FA once a requirement begins for them (0: at their next sign-in)'),
  updatedAt: z.string(),
});
export type Policy = z.infer<typeof Policy>;
export const PolicyUpdate = Policy.omit({ updatedAt: true }).partial();
export type PolicyUpdate = z.infer<typeof PolicyUpdate>;
export const PolicyConfirmRequest = z.object({ confirmationId: z.string().max(200), code: Code });

export const MemberTwoFactor = z.object({
  enabled: z.boolean(),
  methods: z.array(EnrollableMethod),
  required: z.boolean(),
  requiredReason: z.string().nullable(),
  canReset: z.boolean(),
  canIssueRecoveryCode: z.boolean(),
  setupDueBy: z
    .string()
    .nullable()
    .describe('When this account expects the member to have set up 2FA (its grace period); null without a grace or a pending requirement'),
  overdue: z.boolean().describe('The due date has passed: the member must set up 2FA at their next request'),
});
/** `managed`: the account manages this user (they came into being through it), so it may reset and rescue their 2FA. */
export const Member = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  require2fa: z.boolean(),
  managed: z.boolean(),
  twoFactor: MemberTwoFactor,
});
export type Member = z.infer<typeof Member>;
export const AddMemberRequest = z.object({ email: Email, role: Role });
export const UpdateMemberRequest = z.object({ role: Role.optional(), require2fa: z.boolean().optional() });
export const RecoveryCode = z.object({ code: z.string(), expiresAt: z.string() });
export const IpRules = z.object({ apiAllowedRanges: z.array(Cidr) });
export const CreateApiKeyRequest = z.object({ name: Name });
export const ApiKey = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() });
export const AuditEvent = z.object({
  id: z.string(),
  at: z.string(),
  actorUserId: z.string().nullable(),
  subjectUserId: z.string().nullable(),
  type: z.string(),
  ip: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof AuditEvent>;
export const AuditPage = z.object({ events: z.array(AuditEvent), nextCursor: z.string().nullable() });

// ---- the dialer ----
export const PlaceCallRequest = z.object({ to: z.string().max(32) });
export const Call = z.object({ id: z.string(), to: z.string(), status: z.literal('queued'), createdAt: z.string() });
export type Call = z.infer<typeof Call>;
