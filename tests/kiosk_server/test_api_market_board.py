"""The market_board playlist entry over the REST API: its params are checked on write."""

from __future__ import annotations

from typing import Any

from tests.kiosk_server.api_factories import Api, Factory, field_errors, row_counts


def test_market_board_params_are_checked(api: Api, make: Factory, app: Any) -> None:
    body = make.playlist_body(
        entries=[
            {"kind": "market_board", "params": {"quarters": 9, "area": "street", "groups": 0}},
            {"kind": "market_board", "params": {"page_size": 5}},
        ]
    )
    before = row_counts(app)
    errors = field_errors(api.post("playlists", body, expect=422))
    assert set(errors) == {"entries.0.params.quarters", "entries.0.params.area", "entries.0.params.groups"}
    body["entries"] = [{"kind": "market_board", "params": {"page_size": 5}}]
    errors = field_errors(api.post("playlists", body, expect=422))
    assert errors == {"entries.0.params.page_size": "not a parameter of a market_board entry"}
    assert row_counts(app) == before
    body["entries"] = [{"kind": "market_board", "params": {"quarters": 6, "area": "city", "groups": 4}}]
    saved = api.post("playlists", body, expect=201)
    assert saved["entries"][0]["params"] == {"quarters": 6, "area": "city", "groups": 4}
