"""API keys, for admins (the same operations as ``vigil keys``), and who am I."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from api import keys
from api.deps import AdminKey, AnyKey, SessionDep
from api.roles import Role
from api.schemas import KeyCreate, KeyCreated, KeyRead, Me

router = APIRouter(tags=["keys"])


@router.get("/me", response_model=Me, summary="The key making this request")
def me(key: AnyKey) -> Me:
    return Me(
        id=key.id,
        name=key.name,
        role=Role(key.role),
        customer_id=key.customer_id,
        engineer_id=key.engineer_id,
    )


@router.get("/keys", response_model=list[KeyRead], summary="API keys (never the keys themselves)")
def list_keys(session: SessionDep, key: AdminKey, include_revoked: bool = False) -> list[KeyRead]:
    rows = keys.list_keys(session=session, include_revoked=include_revoked)
    return [KeyRead.model_validate(row) for row in rows]


@router.post(
    "/keys",
    response_model=KeyCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create a key; the response is the only place it is ever shown",
)
def create_key(body: KeyCreate, session: SessionDep, key: AdminKey) -> KeyCreated:
    try:
        created = keys.create_key(
            session=session,
            name=body.name,
            role=body.role,
            customer_id=body.customer_id,
            engineer_id=body.engineer_id,
        )
    except ValueError as error:
        raise HTTPException(422, detail=str(error)) from None
    return KeyCreated(key=created.key, **KeyRead.model_validate(created.row).model_dump())


@router.delete(
    "/keys/{key_id}",
    response_model=KeyRead,
    responses={404: {"description": "No such key"}},
    summary="Revoke a key (it stops working at once)",
)
def revoke_key(key_id: str, session: SessionDep, key: AdminKey) -> KeyRead:
    try:
        row = keys.revoke_key(session=session, key_id=key_id)
    except keys.KeyNotFound as error:
        raise HTTPException(404, detail=str(error)) from None
    return KeyRead.model_validate(row)
