"""The app's JWT, signed with the private key parsed once."""

from __future__ import annotations

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.gateway.app import ClientOptions, GitHubApp


def test_the_app_jwt_is_signed_by_its_key_and_names_the_app() -> None:
    """Each JWT verifies with the app's public key and names the app as its issuer."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    app = GitHubApp(4242, pem, ClientOptions(base_url="http://127.0.0.1:9"))
    for _ in range(2):
        claims = jwt.decode(app.integration.auth.token, key.public_key(), algorithms=["RS256"])
        assert claims["iss"] == "4242"
