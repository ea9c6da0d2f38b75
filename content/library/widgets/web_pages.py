"""Web pages (网页): an allow-listed URL a wall shows in a sandboxed frame, with a fallback.

A web page is a content item (``content_items`` joined with ``web_pages``) placed in playlists as
a single item. Whether the page lets itself be framed is learnt by probing it
(``content.library.widgets.web_page_probe``) when it is saved and then periodically by the publishing
leader; the manifest says ``frameable`` and the player shows the fallback (the title, a note and a
QR code of the URL) instead of a frame that would stay blank.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from content.library.items import ContentItem, ItemKind
from content.library.widgets.hosts import URL_MAX_LENGTH

OBJ_KIND: Final = ItemKind.WEBPAGE.value  # the outbox's and audit log's noun
DETAIL_MAX_LENGTH: Final = 300


class FrameStatus(StrEnum):
    """What the last probe learnt (the console shows it); only ``ok`` and ``unknown`` pages are framed."""

    UNKNOWN = "unknown"  # not probed yet: the player tries, and falls back if it does not load
    OK = "ok"
    REFUSES = "refuses"  # X-Frame-Options or CSP frame-ancestors forbid framing by us
    UNREACHABLE = "unreachable"  # no answer, an error status, a timeout


FRAMED: Final = frozenset({FrameStatus.OK.value, FrameStatus.UNKNOWN.value})


class WebPage(ContentItem):
    """An allow-listed URL; ``host_blocked`` is set when its host left the allow-list (then never shown)."""

    __tablename__ = "web_pages"

    id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_MAX_LENGTH))
    frame_status: Mapped[str] = mapped_column(String(16), default=FrameStatus.UNKNOWN.value)
    frame_detail: Mapped[str] = mapped_column(String(DETAIL_MAX_LENGTH), default="")  # why, in the probe's words
    probed_at: Mapped[datetime | None]
    host_blocked: Mapped[bool] = mapped_column(default=False, server_default=false())

    __mapper_args__ = {"polymorphic_identity": ItemKind.WEBPAGE.value}

    @property
    def frameable(self) -> bool:
        return self.frame_status in FRAMED
