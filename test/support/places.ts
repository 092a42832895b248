// Public addresses whose place the shipped geolocation data knows, for risk tests that travel
// (Cambridge and the US one are also checked in src/core/risk/geo.test.ts; the tests using Paris
// assert its country).
export const CAMBRIDGE_UK = '131.111.0.1';
export const US = '8.8.8.8'; // Mountain View, California
/** Three addresses in Paris on different networks. */
export const PARIS = ['62.210.16.6', '195.154.0.1', '163.172.0.1'] as const;
export const HOUR = 3600_000;
