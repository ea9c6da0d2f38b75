"""Keeping web pages and feeds in step with the allow-list: an item whose host left it is not shown.

The allow-list is the deployment's (``KIOSK_WIDGET_HOSTS``) and may shrink between two runs of the
server; items saved under the old list stay in the database but are marked ``host_blocked``, which
leaves them out of manifests (``content.signage._snapshot``) and out of fetching and probing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from content import outbox
from content.library.widgets import data_feeds, web_pages
from content.library.widgets.hosts import HostAllowList


def check_hosts(session: Session, allow: HostAllowList) -> list[int]:
    """Mark the items whose URL the list no longer allows, unmark those it allows again (the caller commits).

    Each change stages an outbox row (screens stop or start showing the item). Returns the ids changed.
    """
    changed: list[int] = []
    rows: list[tuple[str, data_feeds.DataFeed | web_pages.WebPage]] = [
        *(
            (data_feeds.OBJ_KIND, f)
            for f in session.scalars(select(data_feeds.DataFeed).order_by(data_feeds.DataFeed.id))
        ),
        *((web_pages.OBJ_KIND, p) for p in session.scalars(select(web_pages.WebPage).order_by(web_pages.WebPage.id))),
    ]
    for kind, row in rows:
        blocked = allow.url_problem(row.url) is not None
        if blocked != row.host_blocked:
            row.host_blocked = blocked
            outbox.add_event(session, "content", kind=kind, id=row.id, action="updated")
            changed.append(row.id)
    return changed
