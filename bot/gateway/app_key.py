"""The GitHub App's private key: read and checked once, kept for signing every app JWT.

`listbot serve` checks the key before it listens (a bad key exits 2) and must do so cheaply,
because the first delivery waits for it: importing cryptography's PEM loader alone costs more
than everything else listbot adds to a bare FastAPI app. So `check_app_key` reads the PEM and
its DER here (an RSA key in PKCS#1 or unencrypted PKCS#8 form, the two GitHub and OpenSSL hand
out) and checks the arithmetic that ties an RSA key's numbers together: n = p·q, e·d ≡ 1 modulo
p−1 and q−1, and the CRT values. A truncated, mangled, wrong or mis-pasted key always breaks one
of them. What is left out is OpenSSL's primality test of p and q (30–45 ms of CPU): only a key
made on purpose with composite factors could pass, and GitHub refuses its JWTs at the readiness
check (`GET /app`), which also catches a valid key of another app.

`load_app_key` then hands those checked numbers to cryptography, once per process, for the key
object that signs every JWT: the PEM is never parsed twice.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

MAX_MODULUS_BITS = 16384  # OpenSSL's limit
_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)
_RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
_OTHER_KEYS = {  # algorithm OIDs of PKCS#8 keys that are not RSA, for the message
    "1.2.840.10045.2.1": "an EC key", "1.3.101.112": "an Ed25519 key", "1.3.101.113": "an Ed448 key",
    "1.2.840.10040.4.1": "a DSA key", "1.2.840.113549.1.1.10": "an RSA-PSS key",
}
_OTHER_BLOCKS = {
    "ENCRYPTED PRIVATE KEY": "it is encrypted (GitHub's key is not: use the .pem file as downloaded)",
    "EC PRIVATE KEY": "it is an EC key, not RSA",
    "DSA PRIVATE KEY": "it is a DSA key, not RSA",
    "OPENSSH PRIVATE KEY": "it is an OpenSSH key, not RSA in PEM form",
}


class AppKeyError(ValueError):
    """The PEM text is not a usable RSA private key; the message never quotes the key."""


@dataclass(frozen=True, slots=True, repr=False)  # no repr: the numbers are the secret
class RsaNumbers:
    n: int
    e: int
    d: int
    p: int
    q: int
    dmp1: int
    dmq1: int
    iqmp: int


@functools.lru_cache(maxsize=8)  # one key per process; a few more in tests
def check_app_key(pem: str) -> RsaNumbers:
    """The numbers of the unencrypted RSA private key in `pem`, checked (AppKeyError: why not)."""
    blocks = [(label, body) for label, body in _PEM.findall(pem) if label.endswith("PRIVATE KEY")]
    if not blocks:
        raise AppKeyError("no '-----BEGIN … PRIVATE KEY-----' … '-----END … PRIVATE KEY-----' block")
    label, body = blocks[0]
    if label in _OTHER_BLOCKS:
        raise AppKeyError(_OTHER_BLOCKS[label])
    if label not in ("RSA PRIVATE KEY", "PRIVATE KEY"):
        raise AppKeyError(f"'{label}' is not a private key GitHub hands out")
    if "Proc-Type:" in body or "DEK-Info:" in body:
        raise AppKeyError(_OTHER_BLOCKS["ENCRYPTED PRIVATE KEY"])
    try:
        der = base64.b64decode("".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise AppKeyError("the text between the BEGIN and END lines is not base64") from None
    try:
        numbers = _pkcs1(der) if label == "RSA PRIVATE KEY" else _pkcs8(der)
    except _Malformed as error:
        raise AppKeyError(f"its DER structure is malformed ({error})") from None
    problem = _inconsistency(numbers)
    if problem is not None:
        raise AppKeyError(f"its numbers do not form an RSA key ({problem})")
    return numbers


@functools.lru_cache(maxsize=8)
def load_app_key(pem: str) -> rsa.RSAPrivateKey:
    """The key object for `pem`, built once from its checked numbers (never a second PEM parse)."""
    from cryptography.hazmat.primitives.asymmetric import rsa  # only the worker signs JWTs

    numbers = check_app_key(pem)
    public = rsa.RSAPublicNumbers(numbers.e, numbers.n)
    private = rsa.RSAPrivateNumbers(
        numbers.p, numbers.q, numbers.d, numbers.dmp1, numbers.dmq1, numbers.iqmp, public
    )
    return private.private_key(unsafe_skip_rsa_key_validation=True)  # checked by check_app_key


def _inconsistency(k: RsaNumbers) -> str | None:
    """Which relation between the key's numbers fails (None when all hold)."""
    if not 3 <= k.p < k.n or not 3 <= k.q < k.n or k.p % 2 == 0 or k.q % 2 == 0:
        return "p and q must be odd primes"
    if k.n.bit_length() > MAX_MODULUS_BITS:
        return f"the modulus has more than {MAX_MODULUS_BITS} bits"
    if k.p * k.q != k.n:
        return "n is not p·q"
    if not (3 <= k.e < k.n and k.e % 2 == 1 and 1 <= k.d < k.n):
        return "e or d is out of range"
    if (k.e * k.d) % (k.p - 1) != 1 or (k.e * k.d) % (k.q - 1) != 1:
        return "d is not the inverse of e"
    if k.dmp1 != k.d % (k.p - 1) or k.dmq1 != k.d % (k.q - 1) or (k.iqmp * k.q) % k.p != 1 or k.iqmp >= k.p:
        return "the CRT values do not match p, q and d"
    return None


# --- DER, as much as an RSA private key needs ----------------------------------------------------

class _Malformed(Exception):
    """The DER does not have the shape of the expected structure."""


class _Reader:
    """Reads DER elements (tag, content) one after another from `data`."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def done(self) -> bool:
        return self.at == len(self.data)

    def element(self, tag: int) -> bytes:
        """The content of the next element, which must have `tag`."""
        data, at = self.data, self.at
        if at + 2 > len(data) or data[at] != tag:
            raise _Malformed(f"expected tag 0x{tag:02x}")
        length, at = data[at + 1], at + 2
        if length & 0x80:  # long form: the next (length & 0x7f) bytes hold the length
            size = length & 0x7F
            if not 1 <= size <= 4 or at + size > len(data):
                raise _Malformed("bad length")
            length, at = int.from_bytes(data[at:at + size], "big"), at + size
        if at + length > len(data):
            raise _Malformed("truncated")
        self.at = at + length
        return data[at:at + length]

    def integer(self) -> int:
        content = self.element(0x02)
        if not content:
            raise _Malformed("empty integer")
        return int.from_bytes(content, "big", signed=True)


def _pkcs1(der: bytes) -> RsaNumbers:
    """RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, d mod (p-1), d mod (q-1), q⁻¹ mod p }."""
    outer = _Reader(der)
    fields = _Reader(outer.element(0x30))
    if not outer.done():
        raise _Malformed("bytes after the key")
    version = fields.integer()
    if version != 0:
        raise _Malformed("a multi-prime or unknown version")
    n, e, d, p, q, dmp1, dmq1, iqmp = (fields.integer() for _ in range(8))
    if not fields.done():
        raise _Malformed("extra fields")
    return RsaNumbers(n, e, d, p, q, dmp1, dmq1, iqmp)


def _pkcs8(der: bytes) -> RsaNumbers:
    """PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, privateKey OCTET STRING, … }."""
    outer = _Reader(der)
    info = _Reader(outer.element(0x30))
    if not outer.done():
        raise _Malformed("bytes after the key")
    if info.integer() not in (0, 1):
        raise _Malformed("unknown version")
    algorithm = _Reader(info.element(0x30))
    oid = _oid(algorithm.element(0x06))
    if oid != _RSA_ENCRYPTION:
        raise AppKeyError(f"it is {_OTHER_KEYS.get(oid, f'a key of algorithm {oid}')}, not RSA")
    return _pkcs1(info.element(0x04))


def _oid(content: bytes) -> str:
    """The dotted form of an OBJECT IDENTIFIER's content."""
    if not content:
        raise _Malformed("empty object identifier")
    arcs, value = [], 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(arc) for arc in (first, arcs[0] - 40 * first, *arcs[1:]))
