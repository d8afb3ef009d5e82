"""Photos and the customer's signature: checked, kept in the upload store, listed and read back.

A signature with the customer's name is the customer's acceptance of the repair: storing it also
writes the acceptance on the work order (``workorders.service.record_acceptance``).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from field.visits.models import FileKind, FileRead, VisitFile
from field.visits.service import ensure_working
from field.visits.uploads import UploadStore, check_content, check_name
from workorders import service as workorders
from workorders.errors import InvalidInput, NotFound
from workorders.models import WorkOrder


def file_url(wo: WorkOrder, row: VisitFile) -> str:
    return f"/api/v1/work-orders/{wo.number}/visit/files/{row.id}"


def read(wo: WorkOrder, row: VisitFile) -> FileRead:
    return FileRead(
        id=row.id,
        kind=FileKind(row.kind),
        content_type=row.content_type,
        size=row.size,
        original_name=row.original_name,
        signer=row.signer,
        uploaded_at=row.uploaded_at,
        uploaded_by=row.uploaded_by,
        url=file_url(wo, row),
    )


def add(
    *,
    session: Session,
    wo: WorkOrder,
    store: UploadStore,
    kind: FileKind,
    data: bytes,
    max_bytes: int,
    actor: str,
    now: datetime,
    filename: str | None = None,
    signer: str | None = None,
) -> VisitFile:
    """Check an upload (name, size, type by content), store it under a generated name and
    record it. A signature needs the signer's name and records the acceptance."""
    ensure_working(wo)
    label = check_name(filename)
    name = (signer or "").strip()
    if kind is FileKind.SIGNATURE and not 0 < len(name) <= 200:
        raise InvalidInput("a signature needs the customer's name (1 to 200 characters)")
    content_type, extension = check_content(data, kind=kind, max_bytes=max_bytes)
    stored = store.put(data, extension=extension)
    try:
        row = VisitFile(
            work_order_id=wo.id,
            kind=kind.value,
            stored_name=stored,
            content_type=content_type,
            size=len(data),
            original_name=label,
            signer=name if kind is FileKind.SIGNATURE else None,
            uploaded_at=now,
            uploaded_by=actor,
        )
        session.add(row)
        session.flush()
        if kind is FileKind.SIGNATURE:
            workorders.record_acceptance(
                session=session,
                work_order_id=wo.id,
                accepted_by=name,
                expected_version=None,
                actor=actor,
                now=now,
            )
    except BaseException:
        store.delete(stored)  # the record failed: leave no file without one
        raise
    return row


def list_files(*, session: Session, wo: WorkOrder) -> list[VisitFile]:
    return list(
        session.scalars(
            sa.select(VisitFile).where(VisitFile.work_order_id == wo.id).order_by(VisitFile.id)
        )
    )


def get(*, session: Session, wo: WorkOrder, file_id: int) -> VisitFile:
    row = session.get(VisitFile, file_id)
    if row is None or row.work_order_id != wo.id:
        raise NotFound(f"{wo.number} has no file {file_id}")
    return row
