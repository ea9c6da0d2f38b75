"""Content items: vacancies (and their employers), policy notices, media and ticker texts.

All share ``content_items`` (joined-table inheritance) so playlists can reference any of them
with one foreign key. ``org_unit_id`` is the publishing node: an item is visible to every hall
in that node's subtree.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.db import Base, utcnow
from content.org.tree import OrgUnit


class ItemKind(StrEnum):
    VACANCY = "vacancy"
    NOTICE = "notice"
    MEDIA = "media"
    TICKER = "ticker"
    TRAINING = "training"  # content.library.training.courses
    GUIDE = "guide"  # a service guide (办事指南): content.library.guides.service_guides
    WEBPAGE = "webpage"  # a framed web page (网页): content.library.widgets.web_pages
    FEED = "feed"  # an RSS/Atom/JSON data feed (信息源): content.library.widgets.data_feeds
    FAIR = "fair"  # a job fair (招聘会): content.library.fairs.job_fairs
    DOCUMENT = "document"  # a PDF shown page by page (文档): content.library.widgets.documents


class ItemStatus(StrEnum):
    """Where an item stands; only PUBLISHED items (inside their window) reach screens.

    IN_REVIEW and APPROVED are steps of the policy notices' review (``content.library.approval``).
    """

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Education(StrEnum):
    NONE = "不限"
    JUNIOR = "初中"
    SENIOR = "高中/中专"
    COLLEGE = "大专"
    BACHELOR = "本科"
    MASTER = "硕士及以上"


class ContentItem(Base):
    __tablename__ = "content_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.PUBLISHED.value)
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    org_unit: Mapped[OrgUnit] = relationship()

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "item"}

    def is_live(self, at: datetime) -> bool:
        """Published and inside its validity window at instant ``at``."""
        if self.status != ItemStatus.PUBLISHED.value:
            return False
        if self.valid_from is not None and at < self.valid_from:
            return False
        return self.valid_until is None or at < self.valid_until


class Employer(Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))  # 统一社会信用代码
    industry: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    latitude: Mapped[float | None] = mapped_column(Float)  # WGS 84 degrees, for distances to a hall; None: unknown
    longitude: Mapped[float | None] = mapped_column(Float)


class Vacancy(ContentItem):
    """A job vacancy (岗位). Salary of None/None means 面议 (negotiable)."""

    __tablename__ = "vacancies"

    id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="RESTRICT"), index=True)
    occupation_code: Mapped[str] = mapped_column(String(16), index=True)  # GB/T 6565, e.g. 4-01-02-01
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    salary_min: Mapped[int | None]  # yuan per month
    salary_max: Mapped[int | None]
    education: Mapped[str] = mapped_column(String(16), default=Education.NONE.value)
    district: Mapped[str] = mapped_column(String(60), default="")
    requirements: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(120), default="")
    # 岗位编号: the posting's number in the employer's or the source system's records, when known. An
    # import matches a row to the vacancy it updates by employer and this (content.library.vacancy_import).
    external_ref: Mapped[str | None] = mapped_column(String(64))

    employer: Mapped[Employer] = relationship(lazy="joined")

    __table_args__ = (Index("ix_vacancies_employer_id_external_ref", "employer_id", "external_ref"),)
    __mapper_args__ = {"polymorphic_identity": ItemKind.VACANCY.value}

    @property
    def salary_text(self) -> str:
        if self.salary_min is None and self.salary_max is None:
            return "面议"
        if self.salary_max is None:
            return f"{self.salary_min}元以上"
        if self.salary_min is None:
            return f"{self.salary_max}元以下"
        return f"{self.salary_min}-{self.salary_max}元"


class PolicyNotice(ContentItem):
    """A policy notice (政策公告); ``body_html`` is the sanitized rendering of ``body_markdown``."""

    __tablename__ = "policy_notices"

    id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), default="", index=True)
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    issuing_office: Mapped[str] = mapped_column(String(120), default="")
    effective_date: Mapped[date | None] = mapped_column(Date)
    # Counts content edits, so a review acts on the text the reviewer saw (``content.library.approval``).
    revision: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    # The console account that last changed the text: it may not approve it (four eyes).
    last_edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))

    __mapper_args__ = {"polymorphic_identity": ItemKind.NOTICE.value}


class Media(ContentItem):
    """An image or video stored by checksum under the data directory."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(8))  # image | video
    mime: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int]
    duration_seconds: Mapped[int | None]  # videos; None means play to the end (bounded by fallback)

    __mapper_args__ = {"polymorphic_identity": ItemKind.MEDIA.value}


class Ticker(ContentItem):
    """A line of scrolling text; ``title`` holds the text."""

    __tablename__ = "tickers"

    id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)

    __mapper_args__ = {"polymorphic_identity": ItemKind.TICKER.value}
