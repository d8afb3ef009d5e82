"""Everything recorded on a work order's visits, in one read (the phone's page and the API)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from field.visits import files, service
from field.visits.models import StepRead, VisitRead, VisitSheet
from workorders.models import WorkOrder


def sheet(*, session: Session, wo: WorkOrder) -> VisitSheet:
    return VisitSheet(
        work_order=wo.number,
        status=wo.status.value,
        on_site=service.open_visit(session=session, wo=wo) is not None,
        visits=[VisitRead.model_validate(v) for v in service.visits(session=session, wo=wo)],
        steps=[StepRead.model_validate(s) for s in service.checklist(session=session, wo=wo)],
        parts=service.parts_used(session=session, wo=wo),
        notes=service.notes(session=session, wo=wo),
        files=[files.read(wo, f) for f in files.list_files(session=session, wo=wo)],
        accepted_by=wo.accepted_by,
        accepted_at=wo.accepted_at,
        no_acceptance_reason=wo.no_acceptance_reason,
    )
