#!/usr/bin/python3
"""A SAML 2.0 Identity Provider on loopback for the SAML service-provider tests.

It is an independent implementation, Debian's pysaml2 (python3-pysaml2, signing through
/usr/bin/xmlsec1), so our SP is checked against someone else's reading of the spec rather than
against itself. It needs Debian's interpreter: run it with /usr/bin/python3.

    /usr/bin/python3 test/support/saml-idp/idp.py --port P --workdir DIR
        [--host 127.0.0.1] [--entity-id URL] [--sp-metadata FILE_OR_URL]
        [--sp-entity-id ID --sp-acs-url URL]

No login form: every AuthnRequest is answered at once, for the account the test set, in the mode
the test set, with an auto-submitting HTML form that POSTs SAMLResponse (+ RelayState) to the
SP's AssertionConsumerService (HTTP-POST binding). The ACS must be in the SP's metadata (given
with --sp-metadata, --sp-entity-id/--sp-acs-url, or later through POST /control).

Endpoints
    GET  /metadata        the IdP's EntityDescriptor (signing cert, SSO for Redirect and POST)
    GET  /sso/redirect    AuthnRequest, HTTP-Redirect binding (SAMLRequest, RelayState, SigAlg,
                          Signature)
    POST /sso/post        AuthnRequest, HTTP-POST binding (form: SAMLRequest, RelayState)
    GET  /control         the current settings (JSON)
    POST /control         JSON, every key optional, kept until changed:
                            mode, account, evil_account, sign_response, sign_assertion,
                            lifetime_seconds, attribute_names ("as_given" | "oid"),
                            sp {entity_id, acs_url, cert?}, sp_metadata (XML), sp_metadata_url,
                            reset (true: back to the start settings, SPs kept)
    GET  /last-response   the XML of the last SAMLResponse sent (404 before the first)
    GET  /last-request    JSON about the last AuthnRequest: xml, binding, relay_state, signature
    GET  /health          "ok"

Modes (all but good make a response a correct SP must refuse):
    good                   signed assertion (and response too with sign_response)
    unsigned               no signature anywhere
    wrong_audience         Audience is another entity id
    expired                NotBefore 20 minutes ago, NotOnOrAfter 10 minutes ago (conditions and
                           SubjectConfirmationData)
    not_yet_valid          NotBefore 10 minutes ahead
    wrong_recipient        SubjectConfirmationData Recipient and Response Destination another URL
                           (the form still posts to the real ACS)
    wrong_destination      only the Response's Destination another URL (Recipient right)
    wrong_recipient_only   only the SubjectConfirmationData Recipient another URL
    wrong_in_response_to   InResponseTo an ID that was never sent
    wrong_issuer           Issuer another entity id (signed with the right key)
    signed_by_other_key    signed with a key that is not the one in /metadata (its own cert in
                           KeyInfo)
    wrapping               signature wrapping: the validly signed assertion for `account` moved
                           into samlp:Extensions, an unsigned assertion for `evil_account` where
                           the assertion belongs
    wrapping_sibling       the unsigned evil assertion first, the signed one after it, both
                           children of the Response
    wrapping_advice        the evil assertion carries the signature; the signed assertion (less
                           its Signature, which the digest never covered) sits in its saml:Advice
    tampered               signed assertion whose email attribute was changed after signing
"""

import argparse
import base64
import copy
import datetime
import html
import json
import os
import re
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
import urllib.request
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml, samlp
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.s_utils import do_ava, factory, sid
from saml2.saml import NAME_FORMAT_BASIC, NAME_FORMAT_URI
from saml2.server import Server
from saml2.time_util import instant

XMLSEC = "/usr/bin/xmlsec1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
NAMEID_FORMATS = {
    "persistent": saml.NAMEID_FORMAT_PERSISTENT,
    "email": saml.NAMEID_FORMAT_EMAILADDRESS,
    "transient": saml.NAMEID_FORMAT_TRANSIENT,
    "unspecified": saml.NAMEID_FORMAT_UNSPECIFIED,
}
# attribute_names "oid": the friendly names below become their urn:oid names (FriendlyName kept).
OIDS = {
    "email": "urn:oid:0.9.2342.19200300.100.1.3",
    "mail": "urn:oid:0.9.2342.19200300.100.1.3",
    "givenName": "urn:oid:2.5.4.42",
    "sn": "urn:oid:2.5.4.4",
    "displayName": "urn:oid:2.16.840.1.113730.3.1.241",
    "uid": "urn:oid:0.9.2342.19200300.100.1.1",
}
EMAIL_NAMES = {"email", "mail", "emailAddress", OIDS["email"],
               "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}
MODES = ["good", "unsigned", "wrong_audience", "expired", "not_yet_valid", "wrong_recipient",
         "wrong_destination", "wrong_recipient_only",
         "wrong_in_response_to", "wrong_issuer", "signed_by_other_key", "wrapping",
         "wrapping_sibling", "wrapping_advice", "tampered"]
OTHER_AUDIENCE = "https://other-sp.example/saml/metadata"
OTHER_RECIPIENT = "https://other-sp.example/saml/acs"
OTHER_ISSUER = "https://other-idp.example/saml/metadata"

DEFAULTS = {
    "mode": "good",
    "account": {
        "name_id": "alice-0001",
        "name_id_format": "persistent",
        "attributes": {"email": "alice@corp.example", "givenName": "Alice", "sn": "Anderson",
                       "displayName": "Alice Anderson"},
    },
    "evil_account": {
        "name_id": "mallory-6666",
        "name_id_format": "persistent",
        "attributes": {"email": "mallory@evil.example", "givenName": "Mallory", "sn": "Evil",
                       "displayName": "Mallory Evil"},
    },
    "sign_response": False,
    "sign_assertion": True,
    "lifetime_seconds": 300,
    "attribute_names": "as_given",
}


def log(*parts):
    print("[saml-idp]", *parts, file=sys.stderr, flush=True)


def utc(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def ensure_keypair(workdir, name, cn):
    key, cert = os.path.join(workdir, name + "-key.pem"), os.path.join(workdir, name + "-cert.pem")
    if not (os.path.exists(key) and os.path.exists(cert)):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                        "-days", "3650", "-subj", "/CN=" + cn, "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
    return key, cert


def pem_body(pem):
    return "".join(l for l in pem.strip().splitlines() if "-----" not in l)


def sp_metadata_xml(entity_id, acs_url, cert=None):
    key = ""
    if cert:
        key = ('<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/'
               'xmldsig#"><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>'
               '</ds:KeyInfo></md:KeyDescriptor>' % pem_body(cert))
    return ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="%s">'
            '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '%s<md:AssertionConsumerService Binding="%s" Location="%s" index="0" isDefault="true"/>'
            '</md:SPSSODescriptor></md:EntityDescriptor>'
            % (html.escape(entity_id), key, BINDING_HTTP_POST, html.escape(acs_url)))


def entity_id_of(metadata_xml):
    m = re.search(r'entityID="([^"]+)"', metadata_xml)
    if not m:
        raise ValueError("SP metadata has no entityID")
    return html.unescape(m.group(1))


class FixturePolicy(Policy):
    """pysaml2's release policy, with the assertion's times and audience chosen by the mode."""

    def __init__(self, mds, audience, not_before, not_on_or_after):
        super().__init__(restrictions=None, mds=mds)
        self._audience, self._nb, self._noa = audience, not_before, not_on_or_after

    def conditions(self, sp_entity_id):
        return factory(saml.Conditions, not_before=self._nb, not_on_or_after=self._noa,
                       audience_restriction=[factory(saml.AudienceRestriction,
                                                     audience=[factory(saml.Audience, text=self._audience)])])

    def not_on_or_after(self, sp_entity_id):
        return self._noa


class FixtureServer(Server):
    """pysaml2's IdP; the AttributeStatement is the account's, names exactly as the test gave them."""

    attribute_statement = None

    def setup_assertion(self, *args, **kwargs):
        assertion = super().setup_assertion(*args, **kwargs)
        if self.attribute_statement is not None and isinstance(assertion, saml.Assertion):
            assertion.attribute_statement = [self.attribute_statement]
        return assertion


class Idp:
    def __init__(self, args):
        self.host, self.port, self.workdir = args.host, args.port, os.path.abspath(args.workdir)
        os.makedirs(os.path.join(self.workdir, "sp"), exist_ok=True)
        self.base = "http://%s:%d" % (self.host, self.port)
        self.entity_id = args.entity_id or self.base + "/metadata"
        self.key, self.cert = ensure_keypair(self.workdir, "idp", "Frontdoor test SAML IdP")
        self.other_key, self.other_cert = ensure_keypair(self.workdir, "other", "Frontdoor test SAML IdP")
        self.lock = threading.Lock()
        self.settings = copy.deepcopy(DEFAULTS)
        self.sps = {}  # entity id -> metadata XML
        self.sp_certs = {}  # entity id -> PEM given through control
        self.sp_metadata_url = None
        self.servers = None
        self.last_response = None
        self.last_request = None
        if args.sp_metadata:
            if re.match(r"https?://", args.sp_metadata):
                self.sp_metadata_url = args.sp_metadata
            else:
                with open(args.sp_metadata, encoding="utf-8") as f:
                    self.add_sp_metadata(f.read())
        if args.sp_entity_id and args.sp_acs_url:
            self.add_sp_metadata(sp_metadata_xml(args.sp_entity_id, args.sp_acs_url))
        self.metadata_xml = self.build_metadata()

    # ---- pysaml2 configuration -------------------------------------------------------------------

    def config(self, key, cert):
        files = []
        for i, xml in enumerate(self.sps.values()):
            path = os.path.join(self.workdir, "sp", "sp-%d.xml" % i)
            with open(path, "w", encoding="utf-8") as f:
                f.write(xml)
            files.append(path)
        conf = IdPConfig()
        conf.load({
            "entityid": self.entity_id,
            "xmlsec_binary": XMLSEC,
            "key_file": key,
            "cert_file": cert,
            "signing_algorithm": RSA_SHA256,
            "digest_algorithm": SHA256,
            "accepted_time_diff": 60,
            "metadata": {"local": files} if files else {},
            "service": {"idp": {
                "name": "Frontdoor test SAML IdP",
                "endpoints": {"single_sign_on_service": [
                    (self.base + "/sso/redirect", BINDING_HTTP_REDIRECT),
                    (self.base + "/sso/post", BINDING_HTTP_POST),
                ]},
                "name_id_format": [saml.NAMEID_FORMAT_PERSISTENT, saml.NAMEID_FORMAT_EMAILADDRESS,
                                   saml.NAMEID_FORMAT_TRANSIENT, saml.NAMEID_FORMAT_UNSPECIFIED],
                "want_authn_requests_signed": False,
                "sign_response": False,
                "sign_assertion": True,
            }},
            "delete_tmpfiles": True,
        })
        return conf

    def get_servers(self):
        if self.servers is None:
            self.servers = {"good": FixtureServer(config=self.config(self.key, self.cert)),
                            "other": FixtureServer(config=self.config(self.other_key, self.other_cert))}
        return self.servers

    def build_metadata(self):
        ed = entity_descriptor(self.config(self.key, self.cert))
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ed.to_string().decode("utf-8")

    def add_sp_metadata(self, xml):
        self.sps[entity_id_of(xml)] = xml
        self.servers = None

    def refresh_sp_metadata_url(self):
        if self.sp_metadata_url:
            with urllib.request.urlopen(self.sp_metadata_url, timeout=5) as r:
                self.add_sp_metadata(r.read().decode("utf-8"))

    # ---- control ---------------------------------------------------------------------------------

    def control(self, body):
        if body.get("reset"):
            self.settings = copy.deepcopy(DEFAULTS)
        if "mode" in body:
            if body["mode"] not in MODES:
                raise ValueError("unknown mode %r (one of %s)" % (body["mode"], ", ".join(MODES)))
            self.settings["mode"] = body["mode"]
        for key in ("account", "evil_account"):
            if key in body:
                account = body[key]
                if not account.get("name_id"):
                    raise ValueError(key + ".name_id is required")
                account.setdefault("name_id_format", "persistent")
                account.setdefault("attributes", {})
                self.settings[key] = account
        for key in ("sign_response", "sign_assertion", "lifetime_seconds", "attribute_names"):
            if key in body:
                self.settings[key] = body[key]
        if "sp" in body:
            sp = body["sp"]
            self.add_sp_metadata(sp_metadata_xml(sp["entity_id"], sp["acs_url"], sp.get("cert")))
            if sp.get("cert"):
                self.sp_certs[sp["entity_id"]] = sp["cert"]
        if "sp_metadata" in body:
            self.add_sp_metadata(body["sp_metadata"])
        if "sp_metadata_url" in body:
            self.sp_metadata_url = body["sp_metadata_url"]
            self.refresh_sp_metadata_url()
        return self.state()

    def state(self):
        return dict(self.settings, entity_id=self.entity_id, service_providers=sorted(self.sps),
                    sp_metadata_url=self.sp_metadata_url, modes=MODES)

    # ---- SSO -------------------------------------------------------------------------------------

    def parse_request(self, saml_request, binding):
        server = self.get_servers()["good"]
        try:
            req = server.parse_authn_request(saml_request, binding)
        except Exception as exc:  # noqa: BLE001 - answer with pysaml2's reason
            raise BadRequest("pysaml2 refused the AuthnRequest: %s: %s" % (type(exc).__name__, exc))
        if req is None:
            raise BadRequest("pysaml2 refused the AuthnRequest")
        return req.message, req.xmlstr

    def sso(self, binding, params, raw_query=None):
        saml_request = params.get("SAMLRequest")
        if not saml_request:
            raise BadRequest("no SAMLRequest")
        relay_state = params.get("RelayState")
        message, xmlstr = self.parse_request(saml_request, binding)
        issuer = message.issuer.text.strip() if message.issuer is not None else None
        if issuer not in self.sps and self.sp_metadata_url:
            self.refresh_sp_metadata_url()
            message, xmlstr = self.parse_request(saml_request, binding)
        server = self.get_servers()["good"]
        try:
            info = server.response_args(message, [BINDING_HTTP_POST])
        except Exception as exc:  # noqa: BLE001
            raise BadRequest("no AssertionConsumerService (HTTP-POST) for SP %r at %r in the SP "
                             "metadata known here (%s): %s"
                             % (issuer, message.assertion_consumer_service_url,
                                ", ".join(sorted(self.sps)) or "none", exc))
        xml_text = xmlstr.decode("utf-8") if isinstance(xmlstr, bytes) else str(xmlstr)
        self.last_request = {
            "binding": binding, "xml": xml_text, "id": message.id, "issuer": issuer,
            "acs_url": message.assertion_consumer_service_url, "relay_state": relay_state,
            "signature": self.request_signature(binding, params, raw_query, issuer, xml_text),
        }
        xml = self.make_response(info)
        self.last_response = xml
        return info["destination"], xml, relay_state

    def request_signature(self, binding, params, raw_query, issuer, xml_text):
        """'none', or 'valid' / 'invalid' / 'unverified' (no SP cert known) for a signed request."""
        if binding == BINDING_HTTP_POST:
            # pysaml2 has already checked an enveloped signature against the SP's metadata cert.
            return "valid" if re.search(r"<(\w+:)?Signature[\s>]", xml_text) else "none"
        if "Signature" not in params:
            return "none"
        cert = self.sp_certs.get(issuer)
        if not cert and issuer in self.sps:
            m = re.search(r"<(?:\w+:)?X509Certificate>([^<]+)<", self.sps[issuer])
            if m:
                cert = "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n" % m.group(1).strip()
        if not cert:
            return "unverified"
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        raw = dict(p.split("=", 1) for p in raw_query.split("&") if "=" in p)
        signed = "&".join("%s=%s" % (k, raw[k]) for k in ("SAMLRequest", "RelayState", "SigAlg") if k in raw)
        alg = {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256(),
               "http://www.w3.org/2000/09/xmldsig#rsa-sha1": hashes.SHA1(),
               "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512()}.get(params.get("SigAlg"))
        if alg is None:
            return "invalid"
        try:
            pub = x509.load_pem_x509_certificate(cert.encode()).public_key()
            pub.verify(base64.b64decode(params["Signature"]), signed.encode(), padding.PKCS1v15(), alg)
            return "valid"
        except Exception:  # noqa: BLE001
            return "invalid"

    def attribute_statement(self, account):
        attrs = []
        oid = self.settings.get("attribute_names") == "oid"
        for name, value in (account.get("attributes") or {}).items():
            values = value if isinstance(value, list) else [value]
            if oid and name in OIDS:
                attrs.append(saml.Attribute(name=OIDS[name], name_format=NAME_FORMAT_URI,
                                            friendly_name=name, attribute_value=do_ava([str(v) for v in values])))
            else:
                fmt = NAME_FORMAT_URI if re.match(r"^(urn:|https?://)", name) else NAME_FORMAT_BASIC
                attrs.append(saml.Attribute(name=name, name_format=fmt,
                                            attribute_value=do_ava([str(v) for v in values])))
        return saml.AttributeStatement(attribute=attrs)

    def name_id(self, account, sp_entity_id):
        fmt = NAMEID_FORMATS.get(account.get("name_id_format", "persistent"), account.get("name_id_format"))
        nid = saml.NameID(format=fmt, text=account["name_id"])
        if fmt == saml.NAMEID_FORMAT_PERSISTENT:
            nid.name_qualifier = self.entity_id
            nid.sp_name_qualifier = sp_entity_id
        return nid

    def pysaml2_response(self, info, account, mode, sign_assertion, sign_response, key="good"):
        """One response made by pysaml2's Server.create_authn_response, returned as XML text."""
        server = self.get_servers()[key]
        sp_entity_id, acs = info["sp_entity_id"], info["destination"]
        lifetime = int(self.settings["lifetime_seconds"])
        audience, not_before, not_on_or_after = sp_entity_id, utc(-5), utc(lifetime)
        destination, in_response_to, issuer = acs, info["in_response_to"], None
        recipient = None  # None: the SubjectConfirmationData Recipient is the Destination
        if mode == "wrong_audience":
            audience = OTHER_AUDIENCE
        elif mode == "expired":
            not_before, not_on_or_after = utc(-20 * 60), utc(-10 * 60)
        elif mode == "not_yet_valid":
            not_before, not_on_or_after = utc(10 * 60), utc(10 * 60 + lifetime)
        elif mode == "wrong_recipient":
            destination = OTHER_RECIPIENT
        elif mode == "wrong_destination":
            destination, recipient = OTHER_RECIPIENT, acs
        elif mode == "wrong_recipient_only":
            recipient = OTHER_RECIPIENT
        elif mode == "wrong_in_response_to":
            in_response_to = "_" + sid()
        elif mode == "wrong_issuer":
            issuer = saml.Issuer(text=OTHER_ISSUER, format=saml.NAMEID_FORMAT_ENTITY)
        policy = FixturePolicy(server.metadata, audience, not_before, not_on_or_after)
        extra = {"farg": Server.update_farg(in_response_to, recipient)} if recipient else {}
        server.attribute_statement = self.attribute_statement(account)
        try:
            response = server.create_authn_response(
                identity={}, in_response_to=in_response_to, destination=destination,
                sp_entity_id=sp_entity_id, name_id=self.name_id(account, sp_entity_id),
                authn={"class_ref": PASSWORD_PROTECTED, "authn_instant": time.time()},
                issuer=issuer, release_policy=policy,
                sign_assertion=sign_assertion, sign_response=sign_response,
                sign_alg=RSA_SHA256, digest_alg=SHA256, **extra)
        finally:
            server.attribute_statement = None
        if isinstance(response, bytes):
            return response.decode("utf-8")
        if isinstance(response, str):
            return response
        return response.to_string().decode("utf-8")

    def make_response(self, info):
        s = self.settings
        mode = s["mode"]
        account = s["account"]
        if mode == "unsigned":
            return self.pysaml2_response(info, account, mode, False, False)
        if mode == "signed_by_other_key":
            return self.pysaml2_response(info, account, mode, s["sign_assertion"], s["sign_response"], key="other")
        if mode.startswith("wrapping"):
            good = self.pysaml2_response(info, account, "good", True, False)
            evil = self.pysaml2_response(info, s["evil_account"], "good", False, False)
            return wrap(good, evil, mode)
        xml = self.pysaml2_response(info, account, mode, s["sign_assertion"], s["sign_response"])
        if mode == "tampered":
            xml = tamper_email(xml, evil_email(s["evil_account"]))
        return xml


def evil_email(account):
    for name, value in (account.get("attributes") or {}).items():
        if name in EMAIL_NAMES:
            return value[0] if isinstance(value, list) else value
    return "mallory@evil.example"


# ---- post-processing on the XML text: the signed bytes stay exactly as xmlsec1 wrote them ----------

def find_element(xml, local_name, start=0):
    """(begin, end, prefix) of the first <prefix:local_name ...>...</prefix:local_name> at or after start."""
    m = re.compile(r"<(?:(\w+):)?%s[\s>/]" % local_name).search(xml, start)
    if not m:
        raise ValueError("no %s element" % local_name)
    prefix = m.group(1)
    qname = (prefix + ":" if prefix else "") + local_name
    close = "</%s>" % qname
    end = xml.index(close, m.start()) + len(close)
    return m.start(), end, prefix


def wrap(good, evil, mode):
    a0, a1, _ = find_element(good, "Assertion")
    signed = good[a0:a1]
    e0, e1, _ = find_element(evil, "Assertion")
    evil_assertion = evil[e0:e1]
    if mode == "wrapping":
        # signed assertion hidden in <samlp:Extensions> right after the Response's Issuer; the evil
        # one where the assertion belongs.
        _, i1, _ = find_element(good, "Issuer")
        r = re.match(r"(?:<\?xml[^>]*\?>\s*)?<(?:(\w+):)?Response[\s>]", good)
        p = (r.group(1) + ":") if r and r.group(1) else ""
        ns = "" if p else ' xmlns="urn:oasis:names:tc:SAML:2.0:protocol"'
        body = good[:a0] + evil_assertion + good[a1:]
        return body[:i1] + "<%sExtensions%s>%s</%sExtensions>" % (p, ns, signed, p) + body[i1:]
    if mode == "wrapping_sibling":
        return good[:a0] + evil_assertion + signed + good[a1:]
    if mode == "wrapping_advice":
        # the Signature moves into the evil assertion (after its Issuer, where an assertion's own
        # signature sits); the signed assertion, less that Signature, goes into the evil one's
        # <saml:Advice>. The enveloped-signature transform left the Signature out of the digest, so
        # the reference (to the signed assertion's ID) still verifies.
        s0, s1, _ = find_element(signed, "Signature")
        signature, stripped = signed[s0:s1], signed[:s0] + signed[s1:]
        _, ei1, ep = find_element(evil_assertion, "Issuer")
        q = (ep + ":") if ep else ""
        evil_signed = evil_assertion[:ei1] + signature + evil_assertion[ei1:]
        c0 = evil_signed.index("</%sConditions>" % q) + len("</%sConditions>" % q)  # Advice's place
        evil_signed = evil_signed[:c0] + "<%sAdvice>%s</%sAdvice>" % (q, stripped, q) + evil_signed[c0:]
        return good[:a0] + evil_signed + good[a1:]
    raise ValueError(mode)


def tamper_email(xml, new_email):
    a0, a1, _ = find_element(xml, "Assertion")
    assertion = xml[a0:a1]
    for m in re.finditer(r"<(?:\w+:)?Attribute\s[^>]*Name=\"([^\"]+)\"[^>]*>", assertion):
        if html.unescape(m.group(1)) in EMAIL_NAMES:
            v = re.compile(r"(<(?:\w+:)?AttributeValue[^>]*>)([^<]*)(<)").search(assertion, m.end())
            assertion = assertion[:v.start(2)] + html.escape(new_email) + assertion[v.end(2):]
            return xml[:a0] + assertion + xml[a1:]
    raise ValueError("tampered: the account has no email attribute to change")


def auto_post_form(acs_url, saml_response, relay_state):
    fields = '<input type="hidden" name="SAMLResponse" value="%s"/>' % html.escape(saml_response)
    if relay_state is not None:
        fields += '<input type="hidden" name="RelayState" value="%s"/>' % html.escape(relay_state)
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Signing you in</title></head>'
            '<body onload="document.forms[0].submit()"><form method="post" action="%s">%s'
            '<noscript><button type="submit">Continue</button></noscript></form></body></html>'
            % (html.escape(acs_url), fields))


class BadRequest(Exception):
    pass


def make_handler(idp):
    class Handler(BaseHTTPRequestHandler):
        server_version = "FrontdoorTestSamlIdp/1"

        def log_message(self, fmt, *args):  # quiet: the tests read stderr only on failure
            pass

        def send(self, status, body, ctype="text/plain; charset=utf-8"):
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("content-type", ctype)
            self.send_header("content-length", str(len(data)))
            self.send_header("cache-control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            n = int(self.headers.get("content-length") or 0)
            return self.rfile.read(n).decode("utf-8") if n else ""

        def handle_any(self, method):
            url = urllib.parse.urlsplit(self.path)
            try:
                with idp.lock:
                    if method == "GET" and url.path == "/metadata":
                        return self.send(200, idp.metadata_xml, "application/samlmetadata+xml")
                    if method == "GET" and url.path == "/health":
                        return self.send(200, "ok")
                    if url.path == "/control":
                        state = idp.control(json.loads(self.body() or "{}")) if method == "POST" else idp.state()
                        return self.send(200, json.dumps(state), "application/json")
                    if method == "GET" and url.path == "/last-response":
                        if idp.last_response is None:
                            return self.send(404, "no response yet")
                        return self.send(200, idp.last_response, "application/xml")
                    if method == "GET" and url.path == "/last-request":
                        if idp.last_request is None:
                            return self.send(404, "no request yet")
                        return self.send(200, json.dumps(idp.last_request), "application/json")
                    if url.path in ("/sso/redirect", "/sso/post"):
                        if method == "GET":
                            params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
                            binding = BINDING_HTTP_REDIRECT
                        else:
                            params = dict(urllib.parse.parse_qsl(self.body(), keep_blank_values=True))
                            binding = BINDING_HTTP_POST
                        acs, xml, relay_state = idp.sso(binding, params, url.query)
                        b64 = base64.b64encode(xml.encode("utf-8")).decode("ascii")
                        return self.send(200, auto_post_form(acs, b64, relay_state), "text/html; charset=utf-8")
                    return self.send(404, "not found")
            except (BadRequest, ValueError, KeyError) as exc:
                log("400", url.path, exc)
                return self.send(400, str(exc))
            except Exception:  # noqa: BLE001
                log(traceback.format_exc())
                return self.send(500, traceback.format_exc())

        def do_GET(self):
            self.handle_any("GET")

        def do_POST(self):
            self.handle_any("POST")

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--workdir", required=True, help="keys, certs and SP metadata files go here")
    parser.add_argument("--entity-id", help="default: http://HOST:PORT/metadata")
    parser.add_argument("--sp-metadata", help="SP metadata: a file, or an http(s) URL read when needed")
    parser.add_argument("--sp-entity-id")
    parser.add_argument("--sp-acs-url")
    args = parser.parse_args()
    started = time.monotonic()
    idp = Idp(args)
    httpd = ThreadingHTTPServer((args.host, args.port), make_handler(idp))
    log("listening on %s (entity id %s) after %.2fs" % (idp.base, idp.entity_id, time.monotonic() - started))
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
