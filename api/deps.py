"""Dependencies shared by the routers, as ``Annotated`` aliases so routes read like signatures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Query, Request, status
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from api import keys, sessions
from api.config import ApiConfig
from api.fleet import FleetIndex
from api.models import ApiKey
from api.roles import (
    ADMIN,
    ANY,
    INTEGRATE,
    KNOWLEDGE,
    MODELS,
    OPERATE,
    RECORDS,
    REQUEST,
    STAFF,
    STOCK,
    WEBHOOKS,
    Role,
)
from customers.db import begin_read_only
from field.models import Engineer
from ingest.store.base import TelemetryStore
from workorders import service as workorder_service
from workorders.errors import NotFound
from workorders.models import WorkOrder

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Recording last use on every request would make every read a write; once a minute is enough.
_LAST_USED_RESOLUTION = timedelta(minutes=1)

bearer_scheme = HTTPBearer(auto_error=False, description="`Authorization: Bearer vgl_...`")
header_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key header")
cookie_scheme = APIKeyCookie(
    name=sessions.COOKIE, auto_error=False, description="Dashboard session (after sign-in)"
)


def get_config(request: Request) -> ApiConfig:
    config: ApiConfig = request.app.state.config
    return config


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; the request owns the transaction and commits at its end."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_read_db(request: Request) -> Iterator[Session]:
    """A session for a route that only reads (the KPIs, reports): its transaction takes no lock
    on SQLite, so a long read never holds writers back (``begin_read_only``), and refuses
    writes on PostgreSQL. Rolled back at the end: there is nothing to commit."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        begin_read_only(session)
        try:
            yield session
        finally:
            session.rollback()


def get_store(request: Request) -> TelemetryStore:
    store: TelemetryStore = request.app.state.store
    return store


def get_fleet(request: Request) -> FleetIndex:
    fleet: FleetIndex = request.app.state.fleet
    return fleet


ConfigDep = Annotated[ApiConfig, Depends(get_config)]
# scope="function": commit before the response is sent, so a failed commit is the response.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_db, scope="function")]
StoreDep = Annotated[TelemetryStore, Depends(get_store)]
FleetDep = Annotated[FleetIndex, Depends(get_fleet)]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )


def current_key(
    request: Request,
    session: SessionDep,
    config: ConfigDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    header_key: Annotated[str | None, Depends(header_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> ApiKey:
    presented = bearer.credentials if bearer is not None else header_key
    if presented:
        row = keys.authenticate(session=session, key=presented)
        if row is None:
            raise _unauthorized("invalid or revoked API key")
    else:
        dashboard = sessions.read(cookie, config=config)
        if dashboard is None:
            raise _unauthorized(
                "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key'"
            )
        row = keys.active_key(session=session, key_id=dashboard.key_id)
        if row is None:
            raise _unauthorized("the key of this session was revoked; sign in again")
        if request.method not in _SAFE_METHODS and not dashboard.csrf_matches(
            request.headers.get(sessions.CSRF_HEADER)
        ):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, detail="missing or wrong CSRF token for this session"
            )
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_RESOLUTION:
        row.last_used_at = now
    # Authentication is its own short transaction. On SQLite every transaction holds the write
    # lock (BEGIN IMMEDIATE), so keeping this one open would block any other session the route
    # opens (metrics, scripts) until the request ends.
    session.commit()
    request.state.key = row
    return row


def require(allowed: frozenset[Role], action: str) -> Callable[[ApiKey], ApiKey]:
    """A dependency that lets through keys whose role is in ``allowed`` and refuses others."""

    def check(key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
        if key.role not in allowed:
            names = ", ".join(sorted(role.value for role in allowed))
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"role '{key.role}' may not {action}; allowed roles: {names}",
            )
        return key

    return check


# Staff read everything; a customer or engineer key reads only through the scoped routes.
_reader = require(STAFF, "read this (customer and engineer keys see their own records only)")
CurrentKey = Annotated[ApiKey, Depends(_reader)]
AnyKey = Annotated[ApiKey, Depends(require(ANY, "read"))]
RecordsKey = Annotated[
    ApiKey, Depends(require(RECORDS, "edit customer records, contracts, assets or rules"))
]
RequestKey = Annotated[ApiKey, Depends(require(REQUEST, "raise requests"))]
OperatorKey = Annotated[ApiKey, Depends(require(OPERATE, "acknowledge or silence alerts"))]
IntegratorKey = Annotated[ApiKey, Depends(require(INTEGRATE, "update work orders"))]
WebhookKey = Annotated[ApiKey, Depends(require(WEBHOOKS, "manage webhooks"))]
ModelsKey = Annotated[ApiKey, Depends(require(MODELS, "promote or roll back models"))]
AdminKey = Annotated[ApiKey, Depends(require(ADMIN, "manage API keys"))]
KnowledgeKey = Annotated[ApiKey, Depends(require(KNOWLEDGE, "write knowledge articles"))]
StockKey = Annotated[ApiKey, Depends(require(STOCK, "move spare parts"))]


def actor(key: ApiKey) -> str:
    """How a change made with this key appears in audit logs."""
    return f"{key.name} (key {key.id}, {key.role})"


def if_match(
    value: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=100,
            description='The version you read (the ETag, e.g. "3"); 409 if it changed since',
        ),
    ] = None,
) -> int | None:
    if value is None or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdecimal() or len(text) > 12:
        raise HTTPException(422, detail=f'If-Match must be a version like "3", got {value!r}')
    return int(text)


@dataclass(frozen=True, slots=True)
class Scope:
    """What a key may see: everything (staff), one customer's records, or one engineer's work."""

    customer_id: int | None = None
    engineer_code: str | None = None

    def sees(self, wo: WorkOrder) -> bool:
        if self.customer_id is not None:
            return wo.asset.customer_id == self.customer_id
        if self.engineer_code is not None:
            return wo.assignee == self.engineer_code
        return True


def scope_of(key: AnyKey, session: SessionDep) -> Scope:
    if key.role == Role.customer:
        # A customer key without its customer (deleted since) sees nothing, never everything.
        return Scope(customer_id=key.customer_id if key.customer_id is not None else -1)
    if key.role == Role.engineer:
        engineer = session.get(Engineer, key.engineer_id) if key.engineer_id is not None else None
        return Scope(engineer_code=engineer.code if engineer is not None else "\x00 nobody")
    return Scope()


ScopeDep = Annotated[Scope, Depends(scope_of)]


def customer_scope(key: AnyKey, scope: ScopeDep) -> int | None:
    """For the customer-record routes: None (staff: every customer) or the key's customer.
    Engineer keys do not read customer records."""
    if key.role == Role.engineer:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="role 'engineer' may not read customer records"
        )
    return scope.customer_id


# The customer a request is limited to (None: staff, every customer).
CustomerScope = Annotated[int | None, Depends(customer_scope)]


def get_work_order(ref: str, scope: ScopeDep, session: SessionDep) -> WorkOrder:
    """The work order named in the path, by id or by number (WO-2026-000123).

    Takes the key first: without one, a request learns nothing, not even whether it exists. A
    work order outside the key's scope is answered as if it did not exist (404).
    """
    wo = workorder_service.get_work_order(session=session, ref=ref)
    if not scope.sees(wo):
        raise NotFound(f"no work order {ref}")
    return wo


# Record ids in paths and queries: a number the databases' INTEGER holds (else 422, never a 500).
MAX_ID = 2**31 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
IfMatch = Annotated[int | None, Depends(if_match)]
CurrentWorkOrder = Annotated[WorkOrder, Depends(get_work_order)]
