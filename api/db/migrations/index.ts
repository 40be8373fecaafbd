// The migrations, listed in code so they load the same under tsx, vitest and a bundler.
import type { Knex } from 'knex';
import * as usersAccounts from './20261123000100_users_accounts.ts';
import * as sessions from './20261123000200_sessions.ts';
import * as secondFactors from './20261123000300_second_factors.ts';
import * as administration from './20261123000400_administration.ts';
import * as consent from './20261203000100_consent.ts';
import * as hardening from './20261203000200_hardening.ts';
import * as webauthn from './20261203000300_webauthn.ts';
import * as gracePeriod from './20261203000400_grace_period.ts';
import * as retentionIndexes from './20261203000500_retention_indexes.ts';
import * as sessionsEndedIndex from './20261204000100_sessions_ended_index.ts';

const migrations: Record<string, Knex.Migration> = {
  '20261123000100_users_accounts': usersAccounts,
  '20261123000200_sessions': sessions,
  '20261123000300_second_factors': secondFactors,
  '20261123000400_administration': administration,
  '20261203000100_consent': consent,
  '20261203000200_hardening': hardening,
  '20261203000300_webauthn': webauthn,
  '20261203000400_grace_period': gracePeriod,
  '20261203000500_retention_indexes': retentionIndexes,
  '20261204000100_sessions_ended_index': sessionsEndedIndex,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
