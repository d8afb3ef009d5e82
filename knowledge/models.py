"""Knowledge-base tables and the schemas the API reads and writes them with.

An article's tags (fault codes, asset types, metrics) are rows of their own so that a work
order's suggestions are found by plain equality on both databases. ``search_text`` holds the
article's normalised tokens (``knowledge.text``): the full-text index of each database is built
on it, never on the raw text.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.db import Base


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class TagKind(enum.StrEnum):
    FAULT_CODE = "fault_code"
    ASSET_TYPE = "asset_type"
    METRIC = "metric"


class UseKind(enum.StrEnum):
    VIEWED = "viewed"
    APPLIED = "applied"  # the fix was followed on a work order


class Article(Base):
    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    symptom: Mapped[str] = mapped_column(sa.Text, default="")
    cause: Mapped[str] = mapped_column(sa.Text, default="")
    fix_steps: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    parts: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    attachments: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default=ArticleStatus.DRAFT.value)
    author: Mapped[str] = mapped_column(sa.String(200))
    # The work order whose resolution this article was written from, if any.
    source_work_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    tags: Mapped[list[ArticleTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ArticleTag.id"
    )

    def tag_values(self, kind: TagKind) -> list[str]:
        return [t.value for t in self.tags if t.kind == kind.value]


class ArticleTag(Base):
    __tablename__ = "kb_article_tags"
    __table_args__ = (
        sa.UniqueConstraint("article_id", "kind", "value", name="uq_kb_article_tags"),
        sa.Index("ix_kb_article_tags_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_articles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    value: Mapped[str] = mapped_column(sa.String(100))


class ArticleUse(Base):
    """Who read or applied an article, on which work order: the knowledge contribution KPI."""

    __tablename__ = "kb_article_uses"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    work_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="SET NULL")
    )
    actor: Mapped[str] = mapped_column(sa.String(200), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    at: Mapped[datetime]


# --- schemas --------------------------------------------------------------------------------


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArticleFields(_Schema):
    title: str = Field(min_length=3, max_length=200)
    symptom: str = Field(default="", max_length=20_000)
    cause: str = Field(default="", max_length=20_000)
    fix_steps: list[str] = Field(default_factory=list, max_length=100)
    parts: list[str] = Field(default_factory=list, max_length=100)
    attachments: list[str] = Field(default_factory=list, max_length=50)
    fault_codes: list[str] = Field(default_factory=list, max_length=50)
    asset_types: list[str] = Field(default_factory=list, max_length=50)
    metrics: list[str] = Field(default_factory=list, max_length=50)


class ArticleCreate(ArticleFields):
    status: ArticleStatus = ArticleStatus.DRAFT


class ArticleUpdate(_Schema):
    title: str | None = Field(default=None, min_length=3, max_length=200)
    symptom: str | None = Field(default=None, max_length=20_000)
    cause: str | None = Field(default=None, max_length=20_000)
    fix_steps: list[str] | None = Field(default=None, max_length=100)
    parts: list[str] | None = Field(default=None, max_length=100)
    attachments: list[str] | None = Field(default=None, max_length=50)
    fault_codes: list[str] | None = Field(default=None, max_length=50)
    asset_types: list[str] | None = Field(default=None, max_length=50)
    metrics: list[str] | None = Field(default=None, max_length=50)
    status: ArticleStatus | None = None


class ArticleRead(ArticleFields):
    id: int
    status: ArticleStatus
    author: str
    source_work_order_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, article: Article) -> ArticleRead:
        return cls(
            id=article.id,
            title=article.title,
            symptom=article.symptom,
            cause=article.cause,
            fix_steps=article.fix_steps,
            parts=article.parts,
            attachments=article.attachments,
            fault_codes=article.tag_values(TagKind.FAULT_CODE),
            asset_types=article.tag_values(TagKind.ASSET_TYPE),
            metrics=article.tag_values(TagKind.METRIC),
            status=ArticleStatus(article.status),
            author=article.author,
            source_work_order_id=article.source_work_order_id,
            created_at=article.created_at,
            updated_at=article.updated_at,
        )


class SearchHit(_Schema):
    article: ArticleRead
    score: float


class Suggestion(_Schema):
    article: ArticleRead
    score: float
    reasons: list[str]


class UseCreate(_Schema):
    kind: UseKind = UseKind.APPLIED
    work_order: str | None = Field(default=None, description="Work-order id or number")
