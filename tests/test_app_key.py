"""The App's private key: read without cryptography's PEM loader, checked, built into one key object."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from bot.gateway.app_key import AppKeyError, check_app_key, load_app_key

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem_of(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey,
           form: serialization.PrivateFormat = serialization.PrivateFormat.PKCS8,
           encryption: serialization.KeySerializationEncryption | None = None) -> str:
    return key.private_bytes(serialization.Encoding.PEM, form, encryption or serialization.NoEncryption()).decode()


@pytest.mark.parametrize("form", [serialization.PrivateFormat.TraditionalOpenSSL, serialization.PrivateFormat.PKCS8])
def test_pkcs1_and_pkcs8_keys_read_as_cryptography_reads_them(form: serialization.PrivateFormat) -> None:
    """GitHub's PKCS#1 download and its PKCS#8 conversion give the numbers cryptography finds."""
    numbers = check_app_key(pem_of(KEY, form))
    expected = KEY.private_numbers()
    assert (numbers.n, numbers.e, numbers.d) == (expected.public_numbers.n, expected.public_numbers.e, expected.d)
    assert (numbers.p, numbers.q, numbers.iqmp) == (expected.p, expected.q, expected.iqmp)


def test_the_key_object_is_built_once_and_signs_like_the_original() -> None:
    """`load_app_key` returns one object per key text, and it signs what the public key verifies."""
    pem = pem_of(KEY, serialization.PrivateFormat.TraditionalOpenSSL)
    key = load_app_key(pem)
    assert load_app_key(pem) is key
    assert key.private_numbers() == KEY.private_numbers()
    signature = key.sign(b"jwt", padding.PKCS1v15(), hashes.SHA256())
    KEY.public_key().verify(signature, b"jwt", padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize(("pem", "reason"), [
    (pem_of(ec.generate_private_key(ec.SECP256R1())), "an EC key, not RSA"),
    (pem_of(ec.generate_private_key(ec.SECP256R1()), serialization.PrivateFormat.TraditionalOpenSSL),
     "an EC key, not RSA"),
    (pem_of(ed25519.Ed25519PrivateKey.generate()), "an Ed25519 key, not RSA"),
    (pem_of(KEY, encryption=serialization.BestAvailableEncryption(b"pw")), "encrypted"),
    (pem_of(KEY, serialization.PrivateFormat.TraditionalOpenSSL, serialization.BestAvailableEncryption(b"pw")),
     "encrypted"),
    (pem_of(KEY, serialization.PrivateFormat.OpenSSH), "OpenSSH"),
    (KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
     .decode(), "no '-----BEGIN"),
    ("-----BEGIN RSA PRIVATE KEY-----\nnot base64!\n-----END RSA PRIVATE KEY-----\n", "not base64"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n", "malformed"),
])
def test_keys_github_never_hands_out_are_refused_with_the_reason(pem: str, reason: str) -> None:
    with pytest.raises(AppKeyError, match=reason):
        check_app_key(pem)


def test_a_truncated_key_is_refused() -> None:
    """A key cut short (a paste that lost its last lines) is refused, not half-read."""
    lines = pem_of(KEY, serialization.PrivateFormat.TraditionalOpenSSL).splitlines()
    cut = "\n".join([*lines[:10], lines[-1]])
    with pytest.raises(AppKeyError):
        check_app_key(cut)


def test_every_single_byte_change_is_refused() -> None:
    """Whichever byte of the DER a corruption changes (a tag, a length, any of the numbers), the
    key is refused: the structure breaks or the numbers no longer fit together."""
    der = KEY.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption(),
    )
    accepted = []
    for at in range(len(der)):
        changed = bytearray(der)
        changed[at] ^= 0x5A
        pem = "-----BEGIN RSA PRIVATE KEY-----\n" + base64.encodebytes(bytes(changed)).decode()
        try:
            check_app_key(pem + "-----END RSA PRIVATE KEY-----\n")
        except AppKeyError:
            continue
        accepted.append(at)
    assert accepted == []
