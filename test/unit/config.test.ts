// Configuration: parsed once, defaults from the contract, one clear line naming a bad variable.
import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { defaultArgon2Concurrency, loadConfig } from '../../api/config.ts';

describe('loadConfig', () => {
  it('has the contract defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      database: { client: 'sqlite', filename: 'data/twofold.sqlite' },
      sms: { provider: 'outbox' },
      email: { provider: 'outbox' },
      outboxPath: 'data/outbox.jsonl',
      trustProxy: false,
      secretKey: null,
      publicUrl: 'http://localhost:3000',
      smsHourlyLimitPerCountry: 1000,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('hashes passwords on one fewer than the cores by default, at least one, unless told', () => {
    expect([1, 2, 4, 16].map((cores) => defaultArgon2Concurrency(cores))).toEqual([1, 1, 3, 15]);
    expect(loadConfig({}).argon2Concurrency).toBe(Math.max(1, availableParallelism() - 1));
    expect(loadConfig({ ARGON2_CONCURRENCY: '3' }).argon2Concurrency).toBe(3);
    expect(() => loadConfig({ ARGON2_CONCURRENCY: '0' })).toThrow(/^ARGON2_CONCURRENCY: /);
  });

  it('switches engines by DATABASE_URL alone', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db' }).database).toEqual({
      client: 'pg',
      connectionString: 'postgres://u@h:5432/db',
    });
    expect(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.sqlite' }).database).toEqual({ client: 'sqlite', filename: '/tmp/x.sqlite' });
    expect(loadConfig({ DATABASE_URL: '/tmp/y.sqlite' }).database).toEqual({ client: 'sqlite', filename: '/tmp/y.sqlite' });
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: /],
    [{ SECRET_KEY: 'short' }, /^SECRET_KEY: /],
    [{ SMS_PROVIDER: 'carrier-pigeon' }, /^SMS_PROVIDER: /],
    [{ SMS_PROVIDER: 'twilio' }, /^TWILIO_ACCOUNT_SID is required/],
    [{ EMAIL_PROVIDER: 'smtp', SMTP_URL: 'not a url' }, /^SMTP_URL: /],
    [{ TRUST_PROXY: 'maybe' }, /^TRUST_PROXY: /],
    [{ SMS_HOURLY_LIMIT_PER_COUNTRY: '0' }, /^SMS_HOURLY_LIMIT_PER_COUNTRY: /],
    [{ SMS_HOURLY_LIMIT_PER_COUNTRY: 'lots' }, /^SMS_HOURLY_LIMIT_PER_COUNTRY: /],
    [{ NODE_ENV: 'production' }, /^SECRET_KEY is required when NODE_ENV=production/],
    [{ NODE_ENV: 'production', SECRET_KEY: 'ab'.repeat(32) }, /^PUBLIC_URL is required when NODE_ENV=production/],
    [{ PUBLIC_URL: 'localhost:3000' }, /^PUBLIC_URL: /],
    [{ PUBLIC_URL: 'ftp://example.com' }, /^PUBLIC_URL: /],
    [{ PUBLIC_URL: 'https://example.com/app' }, /^PUBLIC_URL: /],
    [{ PUBLIC_URL: 'https://example.com/?next=x' }, /^PUBLIC_URL: /],
  ])('%j fails with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('accepts a 32-byte key as hex or base64', () => {
    expect(loadConfig({ SECRET_KEY: 'ab'.repeat(32) }).secretKey).toHaveLength(32);
    expect(
      loadConfig({ SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), NODE_ENV: 'production', PUBLIC_URL: 'https://twofold.example.com' })
        .secretKey,
    ).toHaveLength(32);
  });

  it('PUBLIC_URL is an origin, defaulting to localhost on the listening port', () => {
    expect(loadConfig({ PORT: '4100' }).publicUrl).toBe('http://localhost:4100');
    expect(loadConfig({ PUBLIC_URL: 'https://Twofold.Example.com/' }).publicUrl).toBe('https://twofold.example.com');
    expect(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:8080' }).publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('operations: metrics nowhere, audit kept a year, a sweep every 10 minutes, 10 s to drain', () => {
    expect(loadConfig({}).ops).toEqual({
      metricsPort: null,
      metricsHost: '127.0.0.1',
      metricsToken: null,
      auditRetentionDays: 365,
      retentionSweepSeconds: 600,
      shutdownTimeoutSeconds: 10,
    });
    expect(
      loadConfig({
        HOST: '0.0.0.0',
        METRICS_PORT: '9464',
        METRICS_TOKEN: 'x'.repeat(16),
        AUDIT_RETENTION_DAYS: '0',
        RETENTION_SWEEP_SECONDS: '0',
      }).ops,
    ).toMatchObject({
      metricsPort: 9464,
      metricsHost: '0.0.0.0',
      metricsToken: 'x'.repeat(16),
      auditRetentionDays: 0,
      retentionSweepSeconds: 0,
    });
  });

  it.each([
    [{ METRICS_PORT: '3000' }, /^METRICS_PORT: must differ from PORT/],
    [{ METRICS_PORT: 'ninety' }, /^METRICS_PORT: /],
    [{ METRICS_TOKEN: 'short' }, /^METRICS_TOKEN: must be at least 16 characters/],
    [{ METRICS_TOKEN: 'has a space in it, sixteen+' }, /^METRICS_TOKEN: /],
    [{ AUDIT_RETENTION_DAYS: '-1' }, /^AUDIT_RETENTION_DAYS: /],
    [{ AUDIT_RETENTION_DAYS: 'forever' }, /^AUDIT_RETENTION_DAYS: /],
    [{ RETENTION_SWEEP_SECONDS: '1.5' }, /^RETENTION_SWEEP_SECONDS: /],
    [{ SHUTDOWN_TIMEOUT_SECONDS: '0' }, /^SHUTDOWN_TIMEOUT_SECONDS: /],
  ])('operations setting %j fails with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
