"""REST API v1 (JSON), described by OpenAPI at /api/v1/openapi.json.

Importing a resource module registers its routes on ``api_blueprint``.
"""

from kiosk_server.api import (  # noqa: F401
    agents,
    documents,
    emergencies,
    employers,
    fairs,
    feeds,
    guides,
    halls,
    layouts,
    media,
    notices,
    openapi,
    org_units,
    playlists,
    queues,
    schedules,
    screen_groups,
    screens,
    tickers,
    training,
    vacancies,
    webpages,
)
from kiosk_server.api._routing import api_blueprint

__all__ = ["api_blueprint"]
