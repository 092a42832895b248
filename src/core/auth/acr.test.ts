import { describe, expect, it } from 'vitest';
import { ACR, acrFor, acrSatisfies, passkeyAmr, withSecondFactor } from './acr.ts';

describe('authentication classes', () => {
  it('name the class the methods reach', () => {
    expect(acrFor(['pwd'])).toBe(ACR.password);
    expect(acrFor(withSecondFactor(['pwd'], 'otp'))).toBe(ACR.mfa);
    expect(withSecondFactor(['pwd'], 'otp')).toEqual(['pwd', 'otp', 'mfa']);
    expect(acrFor(['hwk', 'user'])).toBe(ACR.phishingResistant);
  });

  it('treat acr_values as alternatives: the weakest class asked for is enough; unknown values ask nothing', () => {
    expect(acrSatisfies(ACR.password, [ACR.mfa])).toBe(false);
    expect(acrSatisfies(ACR.mfa, [ACR.mfa])).toBe(true);
    expect(acrSatisfies(ACR.password, [ACR.password, ACR.mfa])).toBe(true);
    expect(acrSatisfies(ACR.mfa, [ACR.phishingResistant])).toBe(false);
    expect(acrSatisfies(ACR.phishingResistant, [ACR.mfa])).toBe(true);
    expect(acrSatisfies(undefined, [ACR.password])).toBe(false);
    expect(acrSatisfies(ACR.password, ['urn:other:acr', ''])).toBe(true);
  });

  it('say truthfully what a passkey proved: synced or device-bound key, and whether the person was verified', () => {
    expect(passkeyAmr(false, true)).toEqual(['hwk', 'user', 'mfa']);
    expect(passkeyAmr(true, true)).toEqual(['swk', 'user', 'mfa']);
    expect(passkeyAmr(true, false)).toEqual(['swk']);
    expect(acrFor(passkeyAmr(true, true))).toBe(ACR.phishingResistant);
    // Without the person verified, only as a second factor after the password.
    expect(acrFor(passkeyAmr(false, false))).not.toBe(ACR.phishingResistant);
    expect(acrFor(withSecondFactor(['pwd'], passkeyAmr(true, false)[0]!))).toBe(ACR.phishingResistant);
  });
});
