// A software WebAuthn authenticator and client for HTTP-level tests: it answers the options a page
// carries the way a browser and a platform authenticator would (ES256 key, "none" attestation), and
// lets a test forge what a browser never would — another origin, another relying party id, a reused
// challenge, someone else's user handle, a counter that goes backwards. Written here from the
// WebAuthn specification, independent of the server's library.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor> | { [key: string]: Cbor };

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(length, 1);
  return b;
}

/** Canonical-enough CBOR (RFC 8949) for attestation objects and COSE keys. */
export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  const entries: [Cbor, Cbor][] = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export interface Forgery {
  origin?: string;
  rpId?: string;
  challenge?: string;
  userHandle?: string | null;
  counter?: number;
  userVerified?: boolean;
  type?: string;
}

interface Credential {
  id: Buffer;
  privateKey: KeyObject;
  userHandle: string;
  counter: number;
}

export class SoftAuthenticator {
  readonly origin: string;
  readonly rpId: string;
  readonly aaguid: Buffer;
  readonly backupEligible: boolean;
  /** When false, every signature carries counter 0, as most synced passkeys do. */
  readonly keepsCounter: boolean;
  readonly credentials: Credential[] = [];

  constructor(options: { origin: string; rpId?: string; aaguid?: string; backupEligible?: boolean; keepsCounter?: boolean }) {
    this.origin = options.origin;
    this.rpId = options.rpId ?? new URL(options.origin).hostname;
    this.aaguid = Buffer.from((options.aaguid ?? '00000000-0000-0000-0000-000000000000').replace(/-/g, ''), 'hex');
    this.backupEligible = options.backupEligible ?? false;
    this.keepsCounter = options.keepsCounter ?? true;
  }

  private flags(userVerified: boolean, extra = 0): number {
    return FLAG_UP | (userVerified ? FLAG_UV : 0) | (this.backupEligible ? FLAG_BE | FLAG_BS : 0) | extra;
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }

  /** Answers `navigator.credentials.create()` with these options (JSON as the page carries them). */
  create(options: { challenge: string; rp: { id?: string }; user: { id: string } }, forge: Forgery = {}) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]));
    const id = randomBytes(32);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const counter = Buffer.alloc(4);
    const authData = Buffer.concat([sha256(forge.rpId ?? options.rp.id ?? this.rpId), Buffer.from([this.flags(forge.userVerified ?? true, FLAG_AT)]), counter, this.aaguid, idLength, id, cose]);
    this.credentials.push({ id, privateKey, userHandle: options.user.id, counter: 0 });
    const clientDataJSON = this.clientData(forge.type ?? 'webauthn.create', forge.challenge ?? options.challenge, forge.origin ?? this.origin);
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(cbor({ fmt: 'none', attStmt: {}, authData })), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** Answers `navigator.credentials.get()`: with the credential allowed by the options, else the first one held. */
  get(options: { challenge: string; rpId?: string; allowCredentials?: { id: string }[] }, forge: Forgery = {}, credential?: Credential) {
    const chosen = credential ?? this.credentials.find((c) => !options.allowCredentials?.length || options.allowCredentials.some((a) => a.id === b64url(c.id)));
    if (!chosen) throw new Error('no credential for these options');
    if (this.keepsCounter) chosen.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(forge.counter ?? (this.keepsCounter ? chosen.counter : 0));
    const authenticatorData = Buffer.concat([sha256(forge.rpId ?? options.rpId ?? this.rpId), Buffer.from([this.flags(forge.userVerified ?? true)]), counter]);
    const clientDataJSON = this.clientData(forge.type ?? 'webauthn.get', forge.challenge ?? options.challenge, forge.origin ?? this.origin);
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), chosen.privateKey);
    const userHandle = forge.userHandle === undefined ? chosen.userHandle : forge.userHandle;
    return {
      id: b64url(chosen.id),
      rawId: b64url(chosen.id),
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authenticatorData), signature: b64url(signature), ...(userHandle === null ? {} : { userHandle }) },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}

/** The WebAuthn options a page carries in `data-options` on the form posting to `action`. */
export function ceremonyOptions(page: string, action: string): any {
  const form = new RegExp(`<form[^>]*action="${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`).exec(page)?.[0];
  const raw = form && /data-options="([^"]*)"/.exec(form)?.[1];
  if (!raw) throw new Error(`no WebAuthn options on the form posting to ${action}`);
  const text = raw.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return JSON.parse(text);
}
