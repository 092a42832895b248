// A session cookie back from another kind of browser, on another network: the signature of a
// stolen cookie (malware, a copied browser profile). The browser a session started on is part of
// it; a person's own browser does not turn from Chrome on Windows into Firefox on Linux.
import type { RiskSignal } from '../signal.ts';

export const sessionDeviceChanged: RiskSignal = {
  name: 'session_device_changed',
  defaultWeight: 50,
  evaluate(facts) {
    const device = facts.sessionDevice;
    if (facts.kind !== 'session_use' || !device || device.startedOn === device.now) return null;
    return { strength: 1, reason: `the session started on ${device.startedOn} and came back from ${device.now} on another network` };
  },
};
