"""Where power schedules are kept: a hall's opening hours, a screen's override, and what a screen follows."""

from __future__ import annotations

import pytest
from content_factories import Factory
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.org.opening_hours import OpeningHoursError
from content.org.power_schedules import (
    Source,
    effective,
    effective_of,
    read_power_rows,
    set_hall_hours,
    set_screen_override,
)

DATABASES = ("sqlite", "postgres")


def test_a_screen_follows_nothing_then_its_hall_then_its_override(session: Session, make: Factory) -> None:
    hall = make.hall(timezone="Asia/Urumqi")
    screen = make.screen(hall)
    nothing = effective(session, screen)
    assert (nothing.source, nothing.hours, nothing.wire()) == (
        Source.NONE,
        None,
        {"hours": None, "tz": "Asia/Urumqi", "margin_minutes": 15},
    )
    stored = set_hall_hours(session, hall, "周一至周五 8:30-17:30；周六 09:00-12:00", 20, by="user:1")
    assert stored == "Mon-Fri 08:30-17:30; Sat 09:00-12:00"
    by_hall = effective(session, screen)
    assert by_hall.source is Source.HALL
    assert by_hall.wire() == {"hours": stored, "tz": "Asia/Urumqi", "margin_minutes": 20}
    set_screen_override(session, screen, "hours", "Mon-Sun 07:00-22:00", by="user:1")
    own = effective(session, screen)
    assert (own.source, own.text, own.margin_minutes) == (Source.SCREEN, "Mon-Sun 07:00-22:00", 20)
    set_screen_override(session, screen, "always_on", by="user:1")
    assert effective(session, screen).wire() == {"hours": None, "tz": "Asia/Urumqi", "margin_minutes": 20}
    assert effective(session, screen).source is Source.ALWAYS_ON
    set_screen_override(session, screen, "hall", by="user:1")
    assert effective(session, screen).source is Source.HALL
    set_hall_hours(session, hall, "  ", 15, by="user:1")
    assert effective(session, screen).source is Source.NONE
    assert effective(session, screen).schedule.hours is None


def test_the_rows_read_at_once_give_every_screen_what_it_follows(session: Session, make: Factory) -> None:
    east, west, bare = make.hall(timezone="Asia/Shanghai"), make.hall(timezone="Asia/Urumqi"), make.hall()
    screens = [make.screen(east), make.screen(east), make.screen(west), make.screen(bare)]
    set_hall_hours(session, east, "周一至周五 8:30-17:30", 20, by="user:1")
    set_hall_hours(session, west, "Mon-Sun 10:00-19:00", 15, by="user:1")
    set_screen_override(session, screens[1], "hours", "Mon-Sun 07:00-22:00", by="user:1")
    set_screen_override(session, screens[2], "always_on", by="user:1")
    session.commit()
    rows = read_power_rows(session)
    got = [effective_of(rows, s.id, s.hall_id) for s in screens]
    assert [e.source for e in got] == [Source.HALL, Source.SCREEN, Source.ALWAYS_ON, Source.NONE]
    assert got == [effective(session, s) for s in screens]
    assert (got[2].timezone, got[0].margin_minutes) == ("Asia/Urumqi", 20)


def test_bad_hours_and_modes_are_refused_and_nothing_is_stored(session: Session, make: Factory) -> None:
    hall = make.hall()
    screen = make.screen(hall)
    with pytest.raises(OpeningHoursError, match="'Mun' is not a day"):
        set_hall_hours(session, hall, "Mun 08:00-12:00", 15, by="user:1")
    with pytest.raises(ValidationError, match="margin_minutes"):
        set_hall_hours(session, hall, "Mon 08:00-12:00", 999, by="user:1")
    with pytest.raises(ValidationError, match="mode"):
        set_screen_override(session, screen, "sometimes", by="user:1")
    assert effective(session, screen).source is Source.NONE
