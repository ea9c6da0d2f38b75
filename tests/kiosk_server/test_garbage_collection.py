"""kiosk serve freezes what it made while starting, so the collector's full passes skip it."""

from __future__ import annotations

import gc
import weakref

from kiosk_server.garbage_collection import freeze_startup_objects


def test_everything_alive_at_start_is_frozen_and_later_garbage_is_still_collected() -> None:
    try:
        frozen = freeze_startup_objects()
        # The interpreter's, pytest's and the app's modules at least; the count falls as frozen objects
        # are freed by reference counting (other threads of this worker keep freeing some).
        assert frozen > 10_000
        assert gc.get_freeze_count() > frozen // 2

        class Cycle:
            pass

        made = Cycle()
        made.me = made  # type: ignore[attr-defined]
        watched = weakref.ref(made)
        del made
        gc.collect()
        assert watched() is None, "a cycle made later is still collected"
    finally:
        gc.unfreeze()
