"""Web pages (网页): an allow-listed URL shown in a sandboxed frame on walls, probed for framing when saved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from content.library.widgets.hosts import URL_MAX_LENGTH
from content.library.widgets.web_page_probe import probe
from content.library.widgets.web_pages import OBJ_KIND, FrameStatus, WebPage
from kiosk_server.api._crud import Resource, register
from kiosk_server.api._items import ITEM_REFS, ItemFields, ItemFilters, ItemOut, save_item
from kiosk_server.api._schemas import partial
from kiosk_server.api._widgets import allow_list, check_url, now


class WebPageCreate(ItemFields):
    url: str = Field(
        min_length=1,
        max_length=URL_MAX_LENGTH,
        description="https URL whose host is on the deployment's allow-list (KIOSK_WIDGET_HOSTS)",
    )


WebPageUpdate = partial(WebPageCreate)


class WebPageOut(ItemOut):
    url: str
    frame_status: FrameStatus = Field(description="what the last probe learnt: ok, refuses, unreachable or unknown")
    frame_detail: str = Field(description="why, e.g. X-Frame-Options: DENY")
    probed_at: datetime | None
    host_blocked: bool = Field(description="the host left the allow-list: screens do not show the page")
    frameable: bool = Field(description="whether walls frame it (otherwise they show the title and a QR code)")


def save_webpage(session: Session, page: WebPage | None, values: dict[str, Any]) -> WebPage:
    """Create or update a web page; a new URL is checked against the allow-list and probed (at most 5 s)."""
    if "url" in values:
        check_url(values["url"])
    probe_it = page is None or ("url" in values and values["url"] != page.url)
    row = save_item(session, WebPage, page, values)
    if probe_it:
        result = probe(row.url, allow_list())
        row.frame_status, row.frame_detail, row.probed_at = result.status.value, result.detail, now()
        row.host_blocked = False
    return row


WEBPAGES: Resource[WebPage] = Resource(
    path="webpages",
    kind=OBJ_KIND,
    model=WebPage,
    out=WebPageOut,
    save=save_webpage,
    create=WebPageCreate,
    update=WebPageUpdate,
    filters=ItemFilters,
    refs=ITEM_REFS,
    computed=lambda page: {"frameable": page.frameable},
)
register(WEBPAGES)
