"""Sign-in with an API key, the session cookie, and who is looking at a page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from api import keys, sessions
from api.deps import ConfigDep, SessionDep
from api.models import ApiKey
from api.roles import BOUND, OPERATE, Role


@dataclass(frozen=True, slots=True)
class Viewer:
    key: ApiKey
    csrf: str

    @property
    def can_operate(self) -> bool:
        return self.key.role in OPERATE

    @property
    def role(self) -> Role:
        return Role(self.key.role)


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def safe_next(value: str | None) -> str:
    """Only a local path: never redirect a signed-in user to another site."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    parts = urlsplit(value)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def any_viewer(request: Request, session: SessionDep, config: ConfigDep) -> Viewer:
    """Whoever signed in, whatever the role (the portal pages check the role themselves)."""
    dashboard = sessions.read(request.cookies.get(sessions.COOKIE), config=config)
    key = keys.active_key(session=session, key_id=dashboard.key_id) if dashboard else None
    if dashboard is None or key is None:
        raise SignInRequired(
            request.url.path + (f"?{request.url.query}" if request.url.query else "")
        )
    return Viewer(key=key, csrf=dashboard.csrf)


# Where a key bound to one party works: the operations pages send it there.
HOME = {Role.customer: "/portal", Role.engineer: "/my-work"}


def home_of(role: Role) -> str:
    return HOME.get(role, "/")


def viewer(user: Annotated[Viewer, Depends(any_viewer)]) -> Viewer:
    """A staff member: a customer or engineer key is sent to its own pages (303), never shown
    the fleet, the board or anyone else's records."""
    if user.role in BOUND:
        raise HTTPException(
            303, detail="not for this role", headers={"Location": home_of(user.role)}
        )
    return user


CurrentViewer = Annotated[Viewer, Depends(viewer)]
AnyViewer = Annotated[Viewer, Depends(any_viewer)]


def redirect_to_sign_in(request: Request, error: SignInRequired) -> Response:
    if request.headers.get("HX-Request") or request.url.path.startswith("/fragments/"):
        # A background fetch: tell the script to reload into the sign-in page.
        return Response(status_code=401, headers={"X-Sign-In": "/login"})
    return RedirectResponse(f"/login?next={quote(error.next_path)}", status_code=303)


async def form_fields(request: Request, *, limit: int = 8192) -> dict[str, str]:
    """A small urlencoded form (at most ``limit`` bytes), parsed without extra dependencies."""
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        raise HTTPException(415, detail="expected a form (application/x-www-form-urlencoded)")
    body = await request.body()
    if len(body) > limit:
        raise HTTPException(413, detail="form too large")
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


def same_origin(request: Request) -> bool:
    """Browsers send Origin on POST; a form posted from another site is refused."""
    origin = request.headers.get("origin")
    if origin == "null":  # sandboxed frames and some redirects: cannot be trusted
        return False
    if origin is None:
        # No Origin (old browsers, curl): fall back on the Referer when there is one.
        origin = request.headers.get("referer")
        if origin is None:
            return True
    return urlsplit(origin).netloc == request.headers.get("host", "")
