"""A fixed knowledge-base corpus for the search tests (titles are unique: tests name articles
by title)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from knowledge import service
from knowledge.models import ArticleCreate, ArticleStatus

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

CORPUS: list[dict[str, object]] = [
    {
        "title": "Pump bearing wear",
        "symptom": "Rising vibration and bearing temperature on a centrifugal pump",
        "cause": "Worn bearing after lubrication interval was missed",
        "fix_steps": ["Lock out the pump", "Replace bearing SKF 6205-2RS", "Grease and align"],
        "parts": ["SKF 6205-2RS"],
        "fault_codes": ["mechanical"],
        "asset_types": ["pump"],
        "metrics": ["vibration_rms", "bearing_temperature"],
    },
    {
        "title": "Pump seal leak",
        "symptom": "Water leak at the mechanical seal",
        "cause": "Seal faces worn by dry running",
        "fix_steps": ["Replace the mechanical seal", "Check for dry running protection"],
        "parts": ["Seal kit MS-40"],
        "fault_codes": ["leak"],
        "asset_types": ["pump"],
    },
    {
        "title": "Chiller refrigerant leak",
        "symptom": "Low suction pressure, ice on the evaporator",
        "cause": "Leak at a brazed joint",
        "fix_steps": ["Find the leak with a detector", "Braze the joint", "Recharge refrigerant"],
        "fault_codes": ["leak", "thermal"],
        "asset_types": ["chiller"],
        "metrics": ["suction_pressure"],
    },
    {
        "title": "Elevator door fault E-42",
        "symptom": "Door reopens repeatedly, error code E-42 on the controller",
        "cause": "Dirty door sill or misaligned light curtain",
        "fix_steps": ["Clean the sill", "Align the light curtain"],
        "fault_codes": ["door"],
        "asset_types": ["elevator"],
    },
    {
        "title": "Elevator trapped passenger procedure",
        "symptom": "Passenger trapped in the car between floors",
        "cause": "Power loss or safety circuit open",
        "fix_steps": ["Talk to the passenger", "Rescue with manual brake release"],
        "fault_codes": ["safety"],
        "asset_types": ["elevator"],
    },
    {
        "title": "Motor overheating",
        "symptom": "Winding temperature high, current above nameplate",
        "cause": "Blocked cooling fan or overload",
        "fix_steps": ["Clean the fan cover", "Measure the load current"],
        "fault_codes": ["thermal"],
        "asset_types": ["motor"],
        "metrics": ["winding_temperature", "current"],
    },
    {
        "title": "Motor bearing noise",
        "symptom": "Grinding noise from the drive end bearing",
        "cause": "Bearing lubrication failure",
        "fix_steps": ["Grease the bearing", "Replace the bearing if noise persists"],
        "parts": ["SKF 6308"],
        "fault_codes": ["mechanical"],
        "asset_types": ["motor"],
        "metrics": ["vibration_rms"],
    },
    {
        "title": "Café crème machine descaling",
        "symptom": "Slow flow, scale in the boiler",
        "fix_steps": ["Run the descaling programme"],
    },
    {
        "title": "冷水机组温度过高",
        "symptom": "出水温度过高,压缩机频繁启停",
        "cause": "冷凝器脏堵",
        "fix_steps": ["清洗冷凝器"],
        "fault_codes": ["thermal"],
        "asset_types": ["chiller"],
    },
    {
        "title": "Archived: old pump bearing note",
        "symptom": "bearing bearing bearing",
        "status": "archived",
    },
    {
        "title": "Draft: pump impeller wear",
        "symptom": "Flow drops at the same speed, pump vibration slightly up",
        "cause": "Impeller eroded by sand",
        "status": "draft",
        "fault_codes": ["mechanical"],
        "asset_types": ["pump"],
    },
]


def load(session: Session) -> dict[str, int]:
    """Write the corpus; returns title -> id."""
    ids = {}
    for fields in CORPUS:
        data = dict(fields)
        status = ArticleStatus(str(data.pop("status", "published")))
        article = service.create(
            session=session,
            data=ArticleCreate(status=status, **data),  # type: ignore[arg-type]
            author="kb-tests",
            now=NOW,
        )
        ids[article.title] = article.id
    session.flush()
    return ids
