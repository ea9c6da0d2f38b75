"""What the web page and data feed resources share: the deployment's allow-list and the clock."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from content.errors import ValidationError
from content.library.widgets.hosts import HostAllowList
from kiosk_server.settings_access import runtime, settings


def allow_list() -> HostAllowList:
    return settings(current_app).widget_hosts


def now() -> datetime:
    return runtime(current_app).clock()


def check_url(url: str) -> None:
    """Refuse (422 on ``url``) a URL the allow-list does not allow, naming the host."""
    problem = allow_list().url_problem(url)
    if problem is not None:
        raise ValidationError.single("url", problem)
