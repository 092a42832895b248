// Authentication strength as apps see it: `amr` lists the methods used (RFC 8176), `acr` names the
// class they reach. An app asks for a class with `acr_values`; the tokens say what really happened.
export const ACR = {
  password: 'urn:frontdoor:acr:password',
  mfa: 'urn:frontdoor:acr:mfa',
  phishingResistant: 'urn:frontdoor:acr:phishing-resistant',
} as const;

export const ACR_VALUES: readonly string[] = [ACR.password, ACR.mfa, ACR.phishingResistant];

/** A password sign-in. */
export const PASSWORD_AMR: readonly string[] = ['pwd'];

/**
 * A passkey's methods (RFC 8176): `hwk` for a key bound to its device, `swk` for a synced one
 * (backup eligible, so not hardware-bound); verifying the user (biometric or PIN) makes it `user`
 * and, with the key, multi-factor.
 */
export function passkeyAmr(backupEligible: boolean, userVerified: boolean): string[] {
  const key = backupEligible ? 'swk' : 'hwk';
  return userVerified ? [key, 'user', 'mfa'] : [key];
}

/** The methods of a sign-in completed by a second factor `method` (e.g. `otp`): RFC 8176 adds `mfa`. */
export function withSecondFactor(amr: readonly string[], method: string): string[] {
  return [...new Set([...amr.filter((m) => m !== 'mfa'), method, 'mfa'])];
}

/** The class reached by these methods. Phishing-resistant needs a hardware- or platform-bound key. */
export function acrFor(amr: readonly string[]): string {
  if (amr.includes('hwk') || amr.includes('swk')) return amr.includes('mfa') || amr.includes('user') ? ACR.phishingResistant : ACR.mfa;
  return amr.includes('mfa') ? ACR.mfa : ACR.password;
}

const STRENGTH: Record<string, number> = { [ACR.password]: 1, [ACR.mfa]: 2, [ACR.phishingResistant]: 3 };

/**
 * Whether a session of class `current` already gives what an app asked for with `acr_values`:
 * the values are alternatives, so the weakest class asked for is enough. Unknown values ask for
 * nothing.
 */
export function acrSatisfies(current: string | undefined, requested: readonly string[]): boolean {
  const asked = requested.map((value) => STRENGTH[value]).filter((n): n is number => n !== undefined);
  if (asked.length === 0) return true;
  return (STRENGTH[current ?? ''] ?? 0) >= Math.min(...asked);
}
