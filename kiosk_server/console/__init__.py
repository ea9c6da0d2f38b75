"""The hall manager console (/console): server-rendered pages, one module per part.

Importing the view modules registers their routes on ``bp``.
"""

from kiosk_server.console import (
    alert_views,  # noqa: F401  (routes)
    api_key_views,  # noqa: F401  (routes)
    audit_views,  # noqa: F401  (routes)
    care_views,  # noqa: F401  (routes)
    document_views,  # noqa: F401  (routes)
    emergency_proposal_views,  # noqa: F401  (routes)
    emergency_views,  # noqa: F401  (routes)
    enrol_views,  # noqa: F401  (routes)
    evaluation_views,  # noqa: F401  (routes)
    fair_views,  # noqa: F401  (routes)
    feed_views,  # noqa: F401  (routes)
    fleet_views,  # noqa: F401  (routes)
    group_views,  # noqa: F401  (routes)
    guide_views,  # noqa: F401  (routes)
    hall_views,  # noqa: F401  (routes)
    home,  # noqa: F401  (routes)
    import_views,  # noqa: F401  (routes)
    interest_views,  # noqa: F401  (routes)
    layout_views,  # noqa: F401  (routes)
    login,  # noqa: F401  (routes)
    market_views,  # noqa: F401  (routes)
    media_views,  # noqa: F401  (routes)
    notice_views,  # noqa: F401  (routes)
    occupation_picker,  # noqa: F401  (the vacancy form's occupation table)
    play_now_views,  # noqa: F401  (routes)
    playlist_views,  # noqa: F401  (routes)
    plays_views,  # noqa: F401  (routes)
    power_views,  # noqa: F401  (routes)
    preview_views,  # noqa: F401  (routes)
    schedule_reach,  # noqa: F401  (routes)
    schedule_views,  # noqa: F401  (routes)
    screen_views,  # noqa: F401  (routes)
    seal_views,  # noqa: F401  (routes)
    ticker_views,  # noqa: F401  (routes)
    training_views,  # noqa: F401  (routes)
    user_views,  # noqa: F401  (routes)
    vacancy_views,  # noqa: F401  (routes)
    voice_views,  # noqa: F401  (routes)
    webpage_views,  # noqa: F401  (routes)
)
from kiosk_server.console.base import bp

__all__ = ["bp"]
