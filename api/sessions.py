"""The dashboard's signed session cookie and its CSRF token.

The cookie holds the key's id and a random CSRF token, signed with the session secret and
timestamped (itsdangerous); it expires after ``session_max_age_s``. The dashboard's JavaScript
sends the CSRF token back in the ``X-CSRF-Token`` header (it reads it from the page, never from
the HttpOnly cookie), and every state-changing request made with the cookie must carry it.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from api.config import ApiConfig

COOKIE = "vigil_session"
CSRF_HEADER = "X-CSRF-Token"
_SALT = "vigil.dashboard.session"


@dataclass(frozen=True, slots=True)
class DashboardSession:
    key_id: str
    csrf: str

    def csrf_matches(self, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(self.csrf, presented)


def _serializer(config: ApiConfig) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config.session_secret, salt=_SALT)


def issue(response: Response, *, config: ApiConfig, key_id: str) -> DashboardSession:
    session = DashboardSession(key_id=key_id, csrf=secrets.token_urlsafe(24))
    value = _serializer(config).dumps({"k": session.key_id, "c": session.csrf})
    response.set_cookie(
        COOKIE,
        value,
        max_age=config.session_max_age_s,
        httponly=True,
        secure=config.cookie_secure,
        samesite="strict",
        path="/",
    )
    return session


def read(value: str | None, *, config: ApiConfig) -> DashboardSession | None:
    """The session in a cookie value, or None when absent, forged, malformed or expired."""
    if not value:
        return None
    try:
        data = _serializer(config).loads(value, max_age=config.session_max_age_s)
    except BadSignature:  # SignatureExpired is a subclass
        return None
    if not isinstance(data, dict):
        return None
    key_id, csrf = data.get("k"), data.get("c")
    if not isinstance(key_id, str) or not isinstance(csrf, str):
        return None
    return DashboardSession(key_id=key_id, csrf=csrf)


def clear(response: Response, *, config: ApiConfig) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, secure=config.cookie_secure, samesite="strict"
    )
