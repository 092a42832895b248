"""An independent relying party in Python (Debian's python3-authlib) for the interop test.

Reads one JSON line of settings on stdin, prints {"authorize_url": ...}, then reads the callback
URL the browser was sent to, redeems the code with PKCE, validates the ID token against the
provider's JWKS with authlib's own JOSE code, fetches userinfo, and prints the result as JSON.
"""
import json
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.common.security import generate_token


def main() -> None:
    settings = json.loads(sys.stdin.readline())
    metadata = requests.get(settings["issuer"] + "/.well-known/openid-configuration", timeout=10).json()
    client = OAuth2Session(
        settings["client_id"],
        settings["client_secret"],
        scope="openid email profile",
        redirect_uri=settings["redirect_uri"],
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier = generate_token(48)
    nonce = generate_token(20)
    url, state = client.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    print(json.dumps({"authorize_url": url, "state": state}), flush=True)

    callback = sys.stdin.readline().strip()
    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback, state=state, code_verifier=verifier)
    keys = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        token["id_token"],
        keys,
        claims_options={"iss": {"essential": True, "value": settings["issuer"]}, "aud": {"essential": True, "value": settings["client_id"]}, "nonce": {"essential": True, "value": nonce}},
    )
    claims.validate()
    userinfo = client.get(metadata["userinfo_endpoint"]).json()
    print(json.dumps({"id_token_claims": dict(claims), "userinfo": userinfo, "token_type": token.get("token_type")}), flush=True)


if __name__ == "__main__":
    main()
