"""What the web page and data feed pages share: the allow-list check said in the page's language, "now" actions."""

from __future__ import annotations

from flask import current_app, g

from content.library.widgets.hosts import HostAllowList
from kiosk_server.console.words import say
from kiosk_server.settings_access import settings


def allow_list() -> HostAllowList:
    return settings(current_app).widget_hosts


def url_error(url: str) -> str | None:
    """Why the form's address cannot be used, naming its host, or None."""
    found = allow_list().refusal(url)
    if found is None:
        return None
    code, host = found
    return say(g.lang, f"widgets.url.{code}", host=host)
