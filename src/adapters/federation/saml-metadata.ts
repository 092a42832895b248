// Reads what a SAML connection needs from an identity provider's metadata document: its entity id,
// its single sign-on URL for the HTTP-Redirect binding and its signing certificates. xmldom
// resolves no external entities, so a hostile document cannot make us read files or fetch URLs;
// the size is bounded at the edge.
import { DOMParser } from '@xmldom/xmldom';
import { FrontdoorError } from '../../core/errors.ts';
import type { SamlIdpSettings } from '../../core/ports.ts';

const METADATA = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

const invalid = (detail: string) => new FrontdoorError('request.invalid', { field: 'settings.saml.metadata_xml', detail });

function elements(parent: Element | Document, namespace: string, name: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(namespace, name) as unknown as ArrayLike<Element>);
}

/** Base64 DER, as metadata holds it, to PEM. */
function pem(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
}

export function parseIdpMetadata(xml: string): Pick<SamlIdpSettings, 'entityId' | 'ssoUrl' | 'certificates'> {
  const problems: string[] = [];
  const report = (message: string) => problems.push(message);
  const document = new DOMParser({ errorHandler: { warning: () => undefined, error: report, fatalError: report } }).parseFromString(xml, 'text/xml') as unknown as Document;
  if (problems.length > 0 || !document?.documentElement) throw invalid('not well-formed XML');
  // An EntityDescriptor, or the first one with an IdP role inside an EntitiesDescriptor.
  const idp = elements(document, METADATA, 'IDPSSODescriptor')[0];
  if (!idp) throw invalid('no IDPSSODescriptor: not the metadata of an identity provider');
  const entity = idp.parentNode as Element | null;
  const entityId = entity?.getAttribute('entityID');
  if (!entityId) throw invalid('no entityID');
  const sso = elements(idp, METADATA, 'SingleSignOnService').find((e) => e.getAttribute('Binding') === REDIRECT_BINDING)?.getAttribute('Location');
  if (!sso) throw invalid('no SingleSignOnService for the HTTP-Redirect binding');
  const certificates = elements(idp, METADATA, 'KeyDescriptor')
    .filter((k) => (k.getAttribute('use') || 'signing') === 'signing')
    .flatMap((k) => elements(k, DSIG, 'X509Certificate'))
    .map((c) => pem(c.textContent ?? ''));
  if (certificates.length === 0) throw invalid('no signing certificate');
  return { entityId, ssoUrl: sso, certificates };
}
