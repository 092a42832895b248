// Where an address is, as far as offline IP geolocation can tell: the port the risk engine uses to
// place an attempt (the adapter reads a database shipped in a package, no network lookups), and
// the great-circle distance the impossible-travel signal needs.
import type { GeoPoint } from './signal.ts';

export type { GeoPoint };

/**
 * Places an address. Synchronous: the data is in memory once loaded, and a lookup costs
 * microseconds. Returns null for an address that is not a public one (private, loopback,
 * reserved), that is not an address at all, that the data does not know, or when the data could
 * not be loaded — geolocation never fails an attempt.
 */
export interface GeoLocator {
  locate(ip: string | null): GeoPoint | null;
}

/** A locator that knows nothing: for tests and for deployments that turn geolocation off. */
export const NO_GEOLOCATION: GeoLocator = { locate: () => null };

export interface Coordinates {
  latitude: number;
  longitude: number;
}

/** Whether a place has both coordinates (country-level data has none). */
export function hasCoordinates<T extends { latitude: number | null; longitude: number | null }>(point: T | null | undefined): point is T & Coordinates {
  return point != null && Number.isFinite(point.latitude) && Number.isFinite(point.longitude);
}

/** The mean radius of the Earth (IUGG), in kilometres. */
export const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in kilometres between two points, by the haversine formula. */
export function distanceKm(a: Coordinates, b: Coordinates): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  // min() guards against rounding pushing h just above 1 for antipodal points.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
