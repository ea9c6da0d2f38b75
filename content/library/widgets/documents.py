"""PDF documents (文档) shown page by page: the content item that holds its rendered pages in order.

A document is a content item like media (joined table ``documents``, ``ItemKind.DOCUMENT``). Its pages
were rendered to images when it was uploaded (``kiosk_server.pdf_pages``) and stored by checksum in the
media store, so a screen loads each from ``/media/<sha256>`` and keeps it offline like any image.
The rules (how many seconds a page shows) live here once for the REST API and the console.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from content.db import Base
from content.errors import ValidationError
from content.library.items import ContentItem, ItemKind

DEFAULT_SECONDS_PER_PAGE: Final = 10
MAX_SECONDS_PER_PAGE: Final = 3600


class Document(ContentItem):
    """A PDF's pages as images, shown one after another for ``seconds_per_page`` each.

    ``pages`` are the page images in page order (``page_hashes``: their SHA-256); ``page_width`` ×
    ``page_height`` is the first page's rendered size in pixels (each page fits the same box,
    ``kiosk_server.pdf_pages``).
    ``sha256`` is the uploaded PDF's checksum (the PDF itself is not kept).
    """

    __tablename__ = "documents"
    __table_args__ = (CheckConstraint("seconds_per_page >= 1", name="seconds_per_page_positive"),)

    id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int]
    page_mime: Mapped[str] = mapped_column(String(32))
    page_width: Mapped[int] = mapped_column(Integer)
    page_height: Mapped[int] = mapped_column(Integer)
    seconds_per_page: Mapped[int] = mapped_column(Integer, default=DEFAULT_SECONDS_PER_PAGE)

    pages: Mapped[list[DocumentPage]] = relationship(
        cascade="all, delete-orphan", order_by="DocumentPage.number", lazy="selectin"
    )

    __mapper_args__ = {"polymorphic_identity": ItemKind.DOCUMENT.value}

    @property
    def page_hashes(self) -> list[str]:
        return [page.sha256 for page in self.pages]

    @page_hashes.setter
    def page_hashes(self, hashes: list[str]) -> None:
        self.pages = [DocumentPage(number=number, sha256=sha) for number, sha in enumerate(hashes, start=1)]

    @validates("seconds_per_page")
    def _check_seconds(self, _key: str, value: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SECONDS_PER_PAGE:
            raise ValidationError.single(
                "seconds_per_page", f"{value!r} is not a whole number of seconds from 1 to {MAX_SECONDS_PER_PAGE}"
            )
        return value


class DocumentPage(Base):
    """One page of a document: its image's SHA-256 in the media store (``/media/<sha256>``)."""

    __tablename__ = "document_pages"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)  # from 1
    sha256: Mapped[str] = mapped_column(String(64), index=True)


def page_mime(session: Session, sha256: str) -> str | None:
    """The image type of a stored document page with this checksum, or None if no document has it."""
    stmt = select(Document.page_mime).join(DocumentPage, DocumentPage.document_id == Document.id)
    return session.scalar(stmt.where(DocumentPage.sha256 == sha256).limit(1))


def document_data(document: Document) -> dict[str, Any]:
    """The document as a manifest item (docs/protocol.md §2): its pages' urls in order."""
    return {
        "kind": document.kind,
        "id": document.id,
        "title": document.title,
        "pages": [{"url": f"/media/{sha}", "sha256": sha} for sha in document.page_hashes],
        "page_mime": document.page_mime,
        "width": document.page_width,
        "height": document.page_height,
        "seconds_per_page": document.seconds_per_page,
    }
