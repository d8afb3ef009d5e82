"""Engineers (skills, certifications, working week, absences, capacity), what each asset type
requires of them, and the record of every dispatch (who sent whom, when and why)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.db import Base

ANY_FAULT = "*"


class EngineerLevel(enum.StrEnum):
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"


class DispatchMode(enum.StrEnum):
    MANUAL = "manual"
    AUTO = "auto"


def _enum(cls: type[enum.StrEnum]) -> sa.Enum:
    # Plain strings with a CHECK, as the work-order tables do: no PostgreSQL enum type to alter.
    return sa.Enum(
        cls,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        length=16,
        name=cls.__name__.lower(),
        validate_strings=True,
    )


class Engineer(Base):
    __tablename__ = "engineers"
    __table_args__ = (
        sa.CheckConstraint("max_open_jobs >= 1", name="capacity_positive"),
        sa.CheckConstraint(
            "(base_latitude IS NULL AND base_longitude IS NULL) OR "
            "(base_latitude BETWEEN -90 AND 90 AND base_longitude BETWEEN -180 AND 180)",
            name="base_coordinates",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The handle written as the work order's assignee (e.g. "j.smith").
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    level: Mapped[EngineerLevel] = mapped_column(_enum(EngineerLevel))
    base_label: Mapped[str | None] = mapped_column(sa.String(200))
    base_latitude: Mapped[float | None]
    base_longitude: Mapped[float | None]
    time_zone: Mapped[str] = mapped_column(sa.String(64))
    working_hours: Mapped[dict[str, list[list[str]]]] = mapped_column(sa.JSON)
    max_open_jobs: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    skills: Mapped[list[EngineerSkill]] = relationship(
        cascade="all, delete-orphan", order_by="EngineerSkill.id", lazy="selectin"
    )
    certifications: Mapped[list[EngineerCertification]] = relationship(
        cascade="all, delete-orphan", order_by="EngineerCertification.id", lazy="selectin"
    )
    absences: Mapped[list[EngineerAbsence]] = relationship(
        cascade="all, delete-orphan", order_by="EngineerAbsence.starts_at", lazy="selectin"
    )


class EngineerSkill(Base):
    __tablename__ = "engineer_skills"
    __table_args__ = (
        sa.UniqueConstraint("engineer_id", "asset_type", "fault_code", name="uq_engineer_skill"),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name="skill_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(sa.ForeignKey("engineers.id", ondelete="CASCADE"))
    asset_type: Mapped[str] = mapped_column(sa.String(100))
    # "*": every fault of the asset type.
    fault_code: Mapped[str] = mapped_column(sa.String(64))
    level: Mapped[int]


class EngineerCertification(Base):
    __tablename__ = "engineer_certifications"
    __table_args__ = (sa.UniqueConstraint("engineer_id", "name", name="uq_engineer_certification"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(sa.ForeignKey("engineers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100))
    expires_on: Mapped[date | None]


class EngineerAbsence(Base):
    __tablename__ = "engineer_absences"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="absence_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("engineers.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.String(200))


class DispatchRequirement(Base):
    """What work on an asset type asks of the engineer (no row: any skilled engineer will do)."""

    __tablename__ = "dispatch_requirements"
    __table_args__ = (sa.CheckConstraint("min_skill_level BETWEEN 1 AND 3", name="skill_level"),)

    asset_type: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    min_skill_level: Mapped[int] = mapped_column(default=1)
    min_level: Mapped[EngineerLevel] = mapped_column(
        _enum(EngineerLevel), default=EngineerLevel.JUNIOR
    )
    certifications: Mapped[list[str]] = mapped_column(sa.JSON, default=list)


_ACTIVE = sa.text("active")


class Dispatch(Base):
    """One engineer sent to one work order: by whom, how (by hand or automatically) and why.

    The current dispatch of a work order is the one row with ``active`` set (a partial unique
    index keeps it one); sending someone else clears it on the previous row.
    """

    __tablename__ = "dispatches"
    __table_args__ = (
        sa.Index(
            "uq_dispatches_one_active",
            "work_order_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        sa.Index("ix_dispatches_engineer_active", "engineer_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE")
    )
    engineer_id: Mapped[int] = mapped_column(sa.ForeignKey("engineers.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(sa.String(200))
    mode: Mapped[DispatchMode] = mapped_column(_enum(DispatchMode))
    reason: Mapped[str] = mapped_column(sa.Text)
    score: Mapped[float | None]
    parts: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    # The suggested spare parts held for this dispatch ("SKF-6205 from VAN-AM"), and those that
    # no van or store had free, said plainly.
    parts_held: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default="[]")
    parts_missing: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default="[]")
