// RFC 4226 and RFC 6238 test vectors against the TOTP module, with an injected clock.
import { describe, expect, it } from 'vitest';
import { Secret } from 'otpauth';
import {
  buildOtpauthUri,
  generateHotp,
  generateTotp,
  parseOtpauthUri,
  verifyTotpStep,
  totpStep,
  generateTotpSecret,
} from '../../shared/totp.ts';

const ascii = (s: string) => Secret.fromLatin1(s).base32;
const seeds = {
  SHA1: ascii('12345678901234567890'),
  SHA256: ascii('12345678901234567890123456789012'),
  SHA512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
} as const;

const rfc6238: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('RFC 6238 Appendix B (8 digits, all three hashes)', () => {
  it.each(rfc6238)('t=%i', (t, sha1, sha256, sha512) => {
    expect(generateTotp(seeds.SHA1, t * 1000, { algorithm: 'SHA1', digits: 8 })).toBe(sha1);
    expect(generateTotp(seeds.SHA256, t * 1000, { algorithm: 'SHA256', digits: 8 })).toBe(sha256);
    expect(generateTotp(seeds.SHA512, t * 1000, { algorithm: 'SHA512', digits: 8 })).toBe(sha512);
  });
});

describe('RFC 4226 Appendix D (HOTP, counters 0-9)', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  it.each(expected.map((code, counter) => [counter, code] as const))('counter %i', (counter, code) => {
    expect(generateHotp(Secret.fromLatin1('12345678901234567890'), counter)).toBe(code);
  });
});

describe('verifyTotpStep', () => {
  const secret = generateTotpSecret();
  const now = 1_700_000_015_000;
  it('accepts the current step and one step either side, and says which step', () => {
    for (const delta of [-1, 0, 1]) {
      const code = generateTotp(secret, now + delta * 30_000);
      expect(verifyTotpStep(secret, code, now)).toBe(totpStep(now) + delta);
    }
  });
  it('refuses two steps away', () => {
    expect(verifyTotpStep(secret, generateTotp(secret, now - 60_000), now)).toBeNull();
    expect(verifyTotpStep(secret, generateTotp(secret, now + 60_000), now)).toBeNull();
  });
  it.each(['', '12345', '1234567', ' 123456', '١٢٣٤٥٦', '12345a'])('refuses the shape %j', (code) => {
    expect(verifyTotpStep(secret, code, now)).toBeNull();
  });
  it('makes 160-bit secrets', () => {
    expect(Secret.fromBase32(generateTotpSecret()).bytes.length).toBe(20);
  });
});

describe('Key URI Format', () => {
  it('puts the issuer in the label and as a parameter, SHA1/6/30', () => {
    const uri = buildOtpauthUri({ secretBase32: 'JBSWY3DPEHPK3PXP', issuer: 'Twofold', accountName: 'ann@example.com' });
    expect(uri).toBe('otpauth://totp/Twofold:ann%40example.com?issuer=Twofold&secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30');
    expect(parseOtpauthUri(uri)).toMatchObject({ issuer: 'Twofold', accountName: 'ann@example.com', digits: 6, periodSeconds: 30 });
  });
  it.each([
    'https://evil.example/totp',
    'otpauth://hotp/X:y?secret=JBSWY3DPEHPK3PXP&counter=1',
    'otpauth://totp/X:y?secret=JBSW',
    'otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXPJBSWY3DP&digits=9',
    'otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXPJBSWY3DP&period=7',
    'otpauth://totp/X%0A:y?secret=JBSWY3DPEHPK3PXPJBSWY3DP',
    `otpauth://totp/${'a'.repeat(3000)}?secret=JBSWY3DPEHPK3PXPJBSWY3DP`,
  ])('refuses the hostile URI %s', (uri) => {
    expect(() => parseOtpauthUri(uri)).toThrow();
  });
});
