"""The engineer's visit on a work order: check-in/out, checklist, parts, notes, photos, the
customer's signature and resolution. The phone's pages call these with the session cookie.

Writing: the engineer the work is assigned to (an engineer key finds no one else's work: 404)
and the operations staff. Reading, files included: the same, and the customer of the asset (a
customer key finds only its own work orders); other engineers and customers get 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from api.config import ApiConfig
from api.deps import (
    MAX_ID,
    AnyKey,
    CurrentWorkOrder,
    SessionDep,
    actor,
    require,
)
from api.models import ApiKey
from api.roles import OPERATE, Role
from field.visits import files, service
from field.visits.models import (
    FileKind,
    FileRead,
    NotesIn,
    PartUse,
    PartUsed,
    Position,
    ResolveIn,
    StepRead,
    StepTick,
    VisitRead,
    VisitSheet,
)
from field.visits.s3store import open_s3_store
from field.visits.sheet import sheet
from field.visits.uploads import LocalStore, UploadRefused, UploadStore
from workorders.models import WorkOrderDocument, document

router = APIRouter(prefix="/work-orders/{ref}/visit", tags=["visits"])
VISIT = OPERATE | {Role.engineer}
VisitKey = Annotated[ApiKey, Depends(require(VISIT, "record an engineer's visit"))]
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such work order (or not yours), step, part or file"},
    409: {"description": "Already checked in, or not enough stock (the message says how many)"},
    422: {"description": "Invalid input, or the work order is finished"},
}
_UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    400: {"description": "The file name is a path or has characters a name may not have"},
    413: {"description": "The file is larger than the upload limit"},
    415: {"description": "Not an accepted image type (read from the content)"},
    503: {"description": "The upload store cannot be reached (the message says which)"},
}


def get_uploads(request: Request) -> UploadStore:
    store: UploadStore | None = getattr(request.app.state, "uploads", None)
    if store is None:
        config: ApiConfig = request.app.state.config
        if config.upload_store:
            store = open_s3_store(
                config.upload_store, endpoint_url=config.s3_endpoint_url, region=config.s3_region
            )
        else:
            store = LocalStore(config.uploads_root)
        request.app.state.uploads = store
    return store


UploadsDep = Annotated[UploadStore, Depends(get_uploads)]


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except UploadRefused as error:
        raise HTTPException(error.status, detail=str(error)) from None


async def upload_body(request: Request) -> bytes:
    """The raw request body, refused (413) as soon as it passes the upload limit."""
    limit: int = request.app.state.config.upload_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit:
        raise HTTPException(413, detail=f"the file has {declared} bytes; at most {limit} accepted")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, detail=f"the file is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


BodyDep = Annotated[bytes, Depends(upload_body)]
FileName = Annotated[
    str | None,
    Query(max_length=300, description="The file's own name (a label: no path)"),
]


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("", response_model=VisitSheet, responses=_ERRORS, summary="What the visit recorded")
def read_sheet(key: AnyKey, wo: CurrentWorkOrder, session: SessionDep) -> VisitSheet:
    return sheet(session=session, wo=wo)


@router.post("/check-in", response_model=VisitRead, responses=_ERRORS, summary="Arrived on site")
def check_in(body: Position, key: VisitKey, wo: CurrentWorkOrder, session: SessionDep) -> VisitRead:
    visit = service.check_in(
        session=session,
        wo=wo,
        engineer_id=key.engineer_id,
        position=body,
        actor=actor(key),
        now=_now(),
    )
    return VisitRead.model_validate(visit)


@router.post("/check-out", response_model=VisitRead, responses=_ERRORS, summary="Leaving")
def check_out(
    body: Position, key: VisitKey, wo: CurrentWorkOrder, session: SessionDep
) -> VisitRead:
    visit = service.check_out(session=session, wo=wo, position=body, now=_now())
    return VisitRead.model_validate(visit)


@router.put("/steps/{step_id}", response_model=StepRead, responses=_ERRORS, summary="Tick a step")
def tick_step(
    step_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: StepTick,
    key: VisitKey,
    wo: CurrentWorkOrder,
    session: SessionDep,
) -> StepRead:
    step = service.tick(
        session=session, wo=wo, step_id=step_id, done=body.done, actor=actor(key), now=_now()
    )
    return StepRead.model_validate(step)


@router.post(
    "/parts",
    response_model=PartUsed,
    status_code=201,
    responses=_ERRORS,
    summary="A part used, by number or barcode; taken from stock (the engineer's van)",
)
def use_part(body: PartUse, key: VisitKey, wo: CurrentWorkOrder, session: SessionDep) -> PartUsed:
    return service.use_part(
        session=session,
        wo=wo,
        engineer_id=key.engineer_id,
        data=body,
        actor=actor(key),
        now=_now(),
    )


@router.put("/notes", status_code=204, responses=_ERRORS, summary="The engineer's notes")
def set_notes(body: NotesIn, key: VisitKey, wo: CurrentWorkOrder, session: SessionDep) -> None:
    service.set_notes(session=session, wo=wo, text=body.text, actor=actor(key), now=_now())


@router.post(
    "/photos",
    response_model=FileRead,
    status_code=201,
    responses=_UPLOAD_ERRORS,
    summary="A photo (JPEG, PNG or WebP) as the request body",
)
def add_photo(
    key: VisitKey,
    wo: CurrentWorkOrder,
    session: SessionDep,
    uploads: UploadsDep,
    request: Request,
    data: BodyDep,
    filename: FileName = None,
) -> FileRead:
    with _refusals():
        row = files.add(
            session=session,
            wo=wo,
            store=uploads,
            kind=FileKind.PHOTO,
            data=data,
            max_bytes=request.app.state.config.upload_max_bytes,
            actor=actor(key),
            now=_now(),
            filename=filename,
        )
    return files.read(wo, row)


@router.post(
    "/signature",
    response_model=FileRead,
    status_code=201,
    responses=_UPLOAD_ERRORS,
    summary="The customer's signature (PNG) as the request body: their acceptance",
)
def add_signature(
    key: VisitKey,
    wo: CurrentWorkOrder,
    session: SessionDep,
    uploads: UploadsDep,
    request: Request,
    data: BodyDep,
    signer: Annotated[str, Query(min_length=1, max_length=200, description="Customer's name")],
) -> FileRead:
    with _refusals():
        row = files.add(
            session=session,
            wo=wo,
            store=uploads,
            kind=FileKind.SIGNATURE,
            data=data,
            max_bytes=request.app.state.config.upload_max_bytes,
            actor=actor(key),
            now=_now(),
            filename="signature.png",
            signer=signer,
        )
    return files.read(wo, row)


@router.get(
    "/files/{file_id}",
    response_class=Response,
    responses={200: {"content": {"image/*": {}}}, **_ERRORS, 503: _UPLOAD_ERRORS[503]},
    summary="A photo or signature, to the assigned engineer, staff and the asset's customer",
)
def get_file(
    file_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    key: AnyKey,
    wo: CurrentWorkOrder,
    session: SessionDep,
    uploads: UploadsDep,
) -> Response:
    row = files.get(session=session, wo=wo, file_id=file_id)
    with _refusals():
        data = uploads.get(row.stored_name)
    return Response(
        data,
        media_type=row.content_type,
        headers={
            "Cache-Control": "private, max-age=300",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Content-Disposition": f'inline; filename="{row.kind}-{row.id}"',
        },
    )


@router.post(
    "/resolve",
    response_model=WorkOrderDocument,
    responses=_ERRORS,
    summary="Resolve from the visit: needs the customer's signature or a reason there is none",
)
def resolve(
    body: ResolveIn, key: VisitKey, wo: CurrentWorkOrder, session: SessionDep, response: Response
) -> WorkOrderDocument:
    resolved = service.resolve(session=session, wo=wo, data=body, actor=actor(key), now=_now())
    response.headers["ETag"] = f'"{resolved.version}"'
    return document(resolved)
