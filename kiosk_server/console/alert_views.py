"""The alerts page: open screen alerts in the account's scope, newest first, and the recently cleared.

Times are the hall's local time (a province may span zones). The same words serve the screen page's
fragment (``console/_screen_alerts.html``, given ``screen``) and the fleet page's count, through the
template functions below. The page reloads itself every 30 seconds, as the fleet page does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from flask import g, render_template

from content.accounts.access import Permission
from content.citizens.kiosk_printers import PrinterRole, PrinterState
from content.org.timezones import zone
from content.signage import alerts
from content.signage.alert_rules import AlertKind
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import say
from kiosk_server.database import request_session

REFRESH_SECONDS: Final = 30
HISTORY: Final = 100  # cleared alerts listed on the page
SCREEN_HISTORY: Final = 10  # ... and on a screen's page
_STATE_CLASS: Final = {
    AlertKind.SILENT: "offline",
    AlertKind.BEHIND: "behind",
    AlertKind.READER_FAULT: "offline",
    AlertKind.PRINTER_FAULT: "offline",
}


@dataclass(frozen=True)
class ScreenAlerts:
    open: list[alerts.AlertLine]
    history: list[alerts.AlertLine]


def hall_time(moment: datetime | None, timezone: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant in the hall's own zone, or a dash."""
    return moment.astimezone(zone(timezone)).strftime(fmt) if moment is not None else "—"


def alert_what(alert: alerts.Alert) -> str:
    """The alert's kind in words, marked when it flaps; never the raw key."""
    known = alert.kind in AlertKind.__members__.values()
    what = say(g.lang, "alerts.kind." + alert.kind) if known else alert.kind
    return say(g.lang, "alerts.flapping_kind", what=what) if alert.flapping else what


def alert_class(alert: alerts.Alert) -> str:
    known = alert.kind in AlertKind.__members__.values()
    return _STATE_CLASS[AlertKind(alert.kind)] if known else "never"


def alert_detail(line: alerts.AlertLine) -> str:
    """What the watcher saw when it raised the alert, in words."""
    detail = line.alert.detail or {}
    kind = line.alert.kind
    if kind == AlertKind.SILENT.value:
        seen = detail.get("last_seen_at")
        if not seen:
            return say(g.lang, "alerts.detail.never")
        at = hall_time(datetime.fromisoformat(seen), line.hall_timezone, "%m-%d %H:%M:%S")
        return say(g.lang, "alerts.detail.last_seen", at=at)
    if kind == AlertKind.BEHIND.value:
        shown, expected = detail.get("shown") or "—", detail.get("expected") or "—"
        return say(g.lang, "alerts.detail.versions", shown=shown[:8], expected=expected[:8])
    if kind == AlertKind.READER_FAULT.value:
        parts = []
        for reader in detail.get("readers", []):
            state = say(g.lang, f"fleet.reader.{reader.get('state', 'unknown')}")
            if reader.get("reason"):
                key, extra = "alerts.detail.reason", {"reason": reader["reason"], "count": reader.get("repeated", 1)}
            else:
                key, extra = "alerts.detail.reader", {}
            parts.append(say(g.lang, key, reader=reader.get("reader_id", "?"), state=state, **extra))
        return "；".join(parts) if g.lang == "zh-CN" else "; ".join(parts)
    if kind == AlertKind.PRINTER_FAULT.value:
        parts = [
            say(g.lang, f"fleet.printer_role.{p.get('role')}") + "：" + say(g.lang, f"fleet.printer.{p.get('state')}")
            for p in detail.get("printers", [])
            if p.get("role") in PrinterRole.__members__.values() and p.get("state") in PrinterState.__members__.values()
        ]
        return "；".join(parts) if g.lang == "zh-CN" else "; ".join(parts)
    return ""


def screen_alerts(screen_id: int) -> ScreenAlerts:
    """One screen's open alerts and its last cleared ones, within the signed-in account's scope."""
    db = request_session()
    return ScreenAlerts(
        open=alerts.alert_lines(db, g.scope, is_open=True, screen_id=screen_id),
        history=alerts.alert_lines(db, g.scope, is_open=False, screen_id=screen_id, limit=SCREEN_HISTORY),
    )


def open_alert_count() -> int:
    """Open alerts within the signed-in account's scope (the fleet page's count)."""
    return sum(alerts.open_counts(request_session(), g.scope).values())


@bp.context_processor
def _alert_helpers() -> dict[str, Any]:
    """Functions, so a page that shows no alert costs no query."""
    return {
        "screen_alerts": screen_alerts,
        "open_alert_count": open_alert_count,
        "hall_time": hall_time,
        "alert_what": alert_what,
        "alert_class": alert_class,
        "alert_detail": alert_detail,
    }


@bp.get("/alerts", endpoint="alerts")
@console_page(Permission.VIEW_FLEET)
def alerts_page() -> Any:
    db = request_session()
    return render_template(
        "console/alerts.html",
        open_lines=alerts.alert_lines(db, g.scope, is_open=True),
        history=alerts.alert_lines(db, g.scope, is_open=False, limit=HISTORY),
        refresh=REFRESH_SECONDS,
    )
