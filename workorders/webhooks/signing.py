"""Webhook signatures, two conventions on every delivery.

Vigil's own: ``X-Vigil-Signature: sha256=`` + hex HMAC-SHA256 over ``timestamp + "." + body``,
keyed with the secret's text. Signing the timestamp with the body lets a receiver refuse replays.

>>> sign(secret="s3cret", timestamp="1767225600", body=b'{"a":1}')
'sha256=7d4120fcebf444efab10ba7cd6c651bf463cefb039db5fad37ff9f7231ac8a4a'

Standard Webhooks (https://www.standardwebhooks.com): ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, keyed with the bytes
a ``whsec_<base64>`` secret encodes, so receivers verify with an off-the-shelf library. During a
secret rotation the header carries one signature per valid secret, separated by spaces.

>>> secret = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
>>> sign_standard(secrets=[secret], message_id="msg_1", timestamp="1767225600", body=b"{}")  # as
... # the standardwebhooks library's Webhook(secret).sign() gives it
'v1,xWGJR5eJlNf7v3UWI+tR8c8+are/ujPbwLcmOxWpZGU='
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets as random_secrets
import time
from collections.abc import Sequence

SIGNATURE_HEADER = "X-Vigil-Signature"
TIMESTAMP_HEADER = "X-Vigil-Timestamp"
EVENT_HEADER = "X-Vigil-Event"
DELIVERY_HEADER = "X-Vigil-Delivery"
STANDARD_ID_HEADER = "webhook-id"
STANDARD_TIMESTAMP_HEADER = "webhook-timestamp"
STANDARD_SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh secret in the Standard Webhooks form: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(random_secrets.token_bytes(32)).decode()


def _whsec_key(secret: str) -> bytes | None:
    if not secret.startswith(SECRET_PREFIX):
        return None
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        return None


def is_valid_whsec(secret: str) -> bool:
    """A ``whsec_`` secret must be base64 (libraries would otherwise decode another key)."""
    return not secret.startswith(SECRET_PREFIX) or bool(_whsec_key(secret))


def standard_key(secret: str) -> bytes:
    """The HMAC key of the Standard Webhooks signature: the bytes of a ``whsec_<base64>`` secret,
    or the UTF-8 text of any other secret (a receiver then passes ``secret.encode()``)."""
    return _whsec_key(secret) or secret.encode()


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def sign_standard(*, secrets: Sequence[str], message_id: str, timestamp: str, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.digest(standard_key(s), signed, hashlib.sha256)).decode()
        for s in secrets
    )


def verify(
    *,
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    tolerance_s: float = 300.0,
    now: float | None = None,
) -> bool:
    """True when the signature matches and the timestamp is within ``tolerance_s`` of now."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret=secret, timestamp=timestamp, body=body), signature)
