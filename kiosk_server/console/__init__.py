"""The hall manager console (/console): server-rendered pages, one module per part.

Importing the view modules registers their routes on ``bp``.
"""

from kiosk_server.console import audit_views  # noqa: F401  (routes)
from kiosk_server.console import emergency_proposal_views  # noqa: F401  (routes)
from kiosk_server.console import emergency_views  # noqa: F401  (routes)
from kiosk_server.console import fleet_views  # noqa: F401  (routes)
from kiosk_server.console import home  # noqa: F401  (routes)
from kiosk_server.console import import_views  # noqa: F401  (routes)
from kiosk_server.console import layout_views  # noqa: F401  (routes)
from kiosk_server.console import login  # noqa: F401  (routes)
from kiosk_server.console import media_views  # noqa: F401  (routes)
from kiosk_server.console import notice_views  # noqa: F401  (routes)
from kiosk_server.console import playlist_views  # noqa: F401  (routes)
from kiosk_server.console import plays_views  # noqa: F401  (routes)
from kiosk_server.console import preview_views  # noqa: F401  (routes)
from kiosk_server.console import schedule_views  # noqa: F401  (routes)
from kiosk_server.console import ticker_views  # noqa: F401  (routes)
from kiosk_server.console import user_views  # noqa: F401  (routes)
from kiosk_server.console import vacancy_views  # noqa: F401  (routes)
from kiosk_server.console.base import bp

__all__ = ["bp"]
