"""Proof of play: tallies per screen, item and hour; reports over them; the CSV a manager opens in Excel."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from content_factories import Factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.org.screens import Screen
from content.signage.proof_of_play import (
    KINDS,
    MAX_AGE,
    Play,
    PlayTally,
    ReportRow,
    hour_of,
    play_report,
    record_plays,
    report_csv,
)

DATABASES = ("sqlite", "postgres")

NOW = datetime(2026, 12, 2, 4, 30, tzinfo=UTC)  # 12:30 in Asia/Shanghai
HOUR = datetime(2026, 12, 2, 3, tzinfo=UTC)


def wire(item_id: int, kind: str, start: datetime | str, seconds: Any = 10.0, **extra: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "kind": kind,
        "start": start if isinstance(start, str) else start.isoformat(),
        "seconds": seconds,
        **extra,
    }


def tallies(session: Session) -> list[PlayTally]:
    session.expire_all()
    return list(
        session.scalars(select(PlayTally).order_by(PlayTally.screen_id, PlayTally.item_id, PlayTally.hour_start))
    )


def test_plays_of_one_item_in_one_hour_add_up_to_one_tally(session: Session, make: Factory) -> None:
    screen = make.screen(name="大厅1号屏")
    vacancy = make.vacancy(title="仓储物流专员")
    result = record_plays(
        session,
        screen.id,
        [
            wire(vacancy.id, "vacancy", HOUR + timedelta(minutes=1), 12.0),
            wire(vacancy.id, "vacancy", HOUR + timedelta(minutes=59, seconds=59), 8.5, count=2),
            Play(vacancy.id, "vacancy", HOUR + timedelta(minutes=30), 1.5),
        ],
        NOW,
    )
    session.commit()
    assert (result.accepted, result.rejected) == (3, [])
    [tally] = tallies(session)
    assert (tally.plays, tally.seconds) == (4, pytest.approx(22.0))
    assert tally.hour_start == HOUR
    assert (tally.screen_id, tally.screen_name, tally.hall_id) == (screen.id, "大厅1号屏", screen.hall_id)
    assert (tally.item_id, tally.item_kind, tally.item_title) == (vacancy.id, "vacancy", "仓储物流专员")


def test_a_later_batch_adds_to_the_tallies_it_shares_and_opens_new_hours(session: Session, make: Factory) -> None:
    screen = make.screen()
    notice = make.notice()
    record_plays(session, screen.id, [wire(notice.id, "notice", HOUR, 15)], NOW)
    session.commit()
    record_plays(
        session,
        screen.id,
        [
            wire(notice.id, "notice", HOUR + timedelta(minutes=20), 15),
            wire(notice.id, "notice", HOUR - timedelta(seconds=1), 15),
        ],
        NOW,
    )
    session.commit()
    rows = tallies(session)
    assert [(t.hour_start, t.plays, t.seconds) for t in rows] == [
        (HOUR - timedelta(hours=1), 1, 15.0),
        (HOUR, 2, 30.0),
    ]


def test_screens_have_tallies_of_their_own(session: Session, make: Factory) -> None:
    first, second = make.screen(name="一号屏"), make.screen(name="二号屏")
    ticker = make.ticker()
    record_plays(session, first.id, [wire(ticker.id, "ticker", HOUR, 30)], NOW)
    record_plays(session, second.id, [wire(ticker.id, "ticker", HOUR, 30, count=3)], NOW)
    session.commit()
    assert [(t.screen_name, t.plays) for t in tallies(session)] == [("一号屏", 1), ("二号屏", 3)]


def test_the_title_follows_the_item_and_outlives_it(session: Session, make: Factory) -> None:
    screen = make.screen()
    notice = make.notice(title="失业保险金申领指南")
    record_plays(session, screen.id, [wire(notice.id, "notice", HOUR, 20)], NOW)
    session.commit()
    notice.title = "失业保险金申领指南（2027年修订）"
    session.commit()
    record_plays(session, screen.id, [wire(notice.id, "notice", HOUR, 20)], NOW)
    session.commit()
    assert [t.item_title for t in tallies(session)] == ["失业保险金申领指南（2027年修订）"]

    notice_id = notice.id
    session.delete(notice)
    session.commit()
    # Plays buffered by a screen while the item was being deleted still arrive, in a new hour too.
    result = record_plays(
        session,
        screen.id,
        [wire(notice_id, "notice", HOUR, 20), wire(notice_id, "notice", HOUR + timedelta(minutes=70), 20)],
        NOW,
    )
    session.commit()
    assert result.accepted == 2
    rows = tallies(session)
    assert [(t.plays, t.item_title) for t in rows] == [
        (3, "失业保险金申领指南（2027年修订）"),
        (1, "失业保险金申领指南（2027年修订）"),
    ]
    [row] = play_report(session, start=HOUR, end=HOUR + timedelta(hours=2))
    assert (row.item_id, row.item_title, row.plays) == (notice_id, "失业保险金申领指南（2027年修订）", 4)


def test_a_deleted_screens_tallies_stay_under_its_name_and_hall(session: Session, make: Factory) -> None:
    screen = make.screen(name="门口LED屏")
    media = make.media()
    record_plays(session, screen.id, [wire(media.id, "media", HOUR, 8)], NOW)
    session.commit()
    screen_id, hall_id = screen.id, screen.hall_id
    session.delete(screen)
    session.commit()
    assert session.get(Screen, screen_id) is None
    [row] = play_report(session, start=HOUR, end=HOUR + timedelta(hours=1), group_by="screen", hall_ids=[hall_id])
    assert (row.screen_id, row.screen_name, row.plays) == (screen_id, "门口LED屏", 1)


def test_bad_elements_are_refused_with_reasons_and_the_rest_booked(session: Session, make: Factory) -> None:
    screen = make.screen()
    vacancy = make.vacancy()
    good = wire(vacancy.id, "vacancy", HOUR, 10)
    batch: list[Any] = [
        good,
        "vacancy:12",
        {"kind": "vacancy", "start": HOUR.isoformat(), "seconds": 1},
        wire(True, "vacancy", HOUR),
        wire(vacancy.id, "emergency", HOUR),
        wire(vacancy.id, "vacancy", "2026-12-02T03:00:00"),
        wire(vacancy.id, "vacancy", "yesterday"),
        wire(vacancy.id, "vacancy", HOUR, -1),
        wire(vacancy.id, "vacancy", HOUR, 86_401),
        wire(vacancy.id, "vacancy", HOUR, "10"),
        wire(vacancy.id, "vacancy", HOUR, float("nan")),
        wire(vacancy.id, "vacancy", HOUR, 10, count=0),
        wire(vacancy.id, "vacancy", NOW + timedelta(minutes=6)),
        wire(vacancy.id, "vacancy", NOW - MAX_AGE - timedelta(seconds=1)),
        wire(vacancy.id, "notice", HOUR),
        Play(vacancy.id, "vacancy", datetime(2026, 12, 2, 3), 1),  # naive: from a careless caller
        wire(vacancy.id, "vacancy", NOW + timedelta(minutes=4)),  # within the clock skew allowed
    ]
    result = record_plays(session, screen.id, batch, NOW)
    session.commit()
    assert result.accepted == 2
    reasons = dict(r.split(": ", 1) for r in result.rejected)
    assert list(reasons) == [f"plays[{i}]" for i in range(1, 16)]
    assert "expected an object" in reasons["plays[1]"]
    assert "id must be a positive integer" in reasons["plays[2]"]
    assert "id must be a positive integer, got True" in reasons["plays[3]"]
    assert f"kind must be one of {', '.join(sorted(KINDS))}, got 'emergency'" in reasons["plays[4]"]
    assert "with an offset" in reasons["plays[5]"] and "with an offset" in reasons["plays[6]"]
    assert "between 0 and 86400, got -1.0" in reasons["plays[7]"]
    assert "got 86401.0" in reasons["plays[8]"]
    assert "seconds must be a number, got '10'" in reasons["plays[9]"]
    assert "got nan" in reasons["plays[10]"]
    assert "count must be between 1" in reasons["plays[11]"]
    assert "in the future" in reasons["plays[12]"]
    assert "more than 7 days old" in reasons["plays[13]"]
    assert reasons["plays[14]"] == f"item {vacancy.id} is a vacancy, not a notice"
    assert "has no time zone offset" in reasons["plays[15]"]
    assert [(t.hour_start, t.plays, t.seconds) for t in tallies(session)] == [(HOUR, 1, 10.0), (hour_of(NOW), 1, 10.0)]


def test_a_batch_sent_again_is_booked_once(session: Session, make: Factory) -> None:
    screen, other = make.screen(), make.screen()
    ticker = make.ticker()
    plays = [wire(ticker.id, "ticker", HOUR, 30)]
    first = record_plays(session, screen.id, plays, NOW, batch_id="b-1")
    again = record_plays(session, screen.id, plays, NOW + timedelta(seconds=15), batch_id="b-1")
    elsewhere = record_plays(session, other.id, plays, NOW, batch_id="b-1")  # ids are per screen
    session.commit()
    assert (first.accepted, first.duplicate) == (1, False)
    assert (again.accepted, again.duplicate) == (0, True)
    assert (elsewhere.accepted, elsewhere.duplicate) == (1, False)
    assert [t.plays for t in tallies(session)] == [1, 1]
    # Past the window in which its plays could still be accepted, an id is forgotten.
    later = record_plays(session, screen.id, [], NOW + MAX_AGE + timedelta(minutes=6), batch_id="b-1")
    assert later.duplicate is False


@pytest.fixture
def booked(session: Session, make: Factory) -> dict[str, Any]:
    """Two screens of one hall and one of another; a vacancy, a notice and a media item over two days."""
    hall = make.hall()
    far = make.hall(name="天水市人力资源市场")
    one, two, three = (
        make.screen(hall, name="一号屏"),
        make.screen(hall, name="二号屏"),
        make.screen(far, name="天水屏"),
    )
    vacancy, notice, media = make.vacancy(title='=HYPERLINK("http://x")'), make.notice(title="政策"), make.media()
    day1 = datetime(2026, 12, 1, 2, tzinfo=UTC)  # 10:00 on 1 December in Asia/Shanghai
    day2 = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 December in Asia/Shanghai
    record_plays(
        session,
        one.id,
        [
            wire(vacancy.id, "vacancy", day1, 10, count=5),
            wire(notice.id, "notice", day1, 15),
            wire(vacancy.id, "vacancy", day2, 10, count=2),
        ],
        NOW,
    )
    record_plays(
        session,
        two.id,
        [wire(vacancy.id, "vacancy", day1 + timedelta(minutes=5), 10), wire(media.id, "media", day2, 8, count=4)],
        NOW,
    )
    record_plays(session, three.id, [wire(notice.id, "notice", day2, 15, count=3)], NOW)
    session.commit()
    return {
        "screens": (one, two, three),
        "items": (vacancy, notice, media),
        "halls": (hall, far),
        "start": datetime(2026, 11, 30, 16, tzinfo=UTC),
        "end": datetime(2026, 12, 2, 16, tzinfo=UTC),
    }


def test_report_by_item_sums_every_screen_most_played_first(session: Session, booked: dict[str, Any]) -> None:
    vacancy, notice, media = booked["items"]
    rows = play_report(session, start=booked["start"], end=booked["end"], group_by="item")
    assert [(r.item_id, r.item_kind, r.plays, r.seconds) for r in rows] == [
        (vacancy.id, "vacancy", 8, 30.0),
        (notice.id, "notice", 4, 30.0),
        (media.id, "media", 4, 8.0),
    ]


def test_report_by_screen_for_one_item(session: Session, booked: dict[str, Any]) -> None:
    one, two, _ = booked["screens"]
    vacancy = booked["items"][0]
    rows = play_report(session, start=booked["start"], end=booked["end"], group_by="screen", item_id=vacancy.id)
    assert [(r.screen_id, r.screen_name, r.plays) for r in rows] == [(one.id, "一号屏", 7), (two.id, "二号屏", 1)]


def test_report_by_hour_and_by_local_day(session: Session, booked: dict[str, Any]) -> None:
    hours = play_report(session, start=booked["start"], end=booked["end"], group_by="hour")
    assert [(r.period_start.isoformat() if r.period_start else None, r.plays) for r in hours] == [
        ("2026-12-01T10:00:00+08:00", 7),
        ("2026-12-02T00:00:00+08:00", 9),
    ]
    days = play_report(session, start=booked["start"], end=booked["end"], group_by="day")
    assert [(r.period_start.date().isoformat() if r.period_start else None, r.plays) for r in days] == [
        ("2026-12-01", 7),
        ("2026-12-02", 9),
    ]
    in_utc = play_report(session, start=booked["start"], end=booked["end"], group_by="day", timezone="UTC")
    assert [r.plays for r in in_utc] == [16], "both hours fall on 1 December in UTC"


def test_report_period_counts_an_hour_when_it_starts_inside(session: Session, booked: dict[str, Any]) -> None:
    first_day = play_report(session, start=booked["start"], end=datetime(2026, 12, 1, 16, tzinfo=UTC), group_by="day")
    assert [r.plays for r in first_day] == [7]
    from_the_boundary = play_report(session, start=datetime(2026, 12, 1, 16, tzinfo=UTC), end=booked["end"])
    assert sum(r.plays for r in from_the_boundary) == 9
    up_to_the_hour = play_report(session, start=booked["start"], end=datetime(2026, 12, 1, 2, tzinfo=UTC))
    assert up_to_the_hour == [], "the end is exclusive"


def test_report_limited_to_screens_or_halls(session: Session, booked: dict[str, Any]) -> None:
    one, two, three = booked["screens"]
    hall, far = booked["halls"]
    by_screen = play_report(session, start=booked["start"], end=booked["end"], group_by="screen", screen_ids=[three.id])
    assert [r.screen_id for r in by_screen] == [three.id]
    by_hall = play_report(session, start=booked["start"], end=booked["end"], group_by="screen", hall_ids=[hall.id])
    assert [r.screen_id for r in by_hall] == [one.id, two.id]
    assert play_report(session, start=booked["start"], end=booked["end"], screen_ids=[]) == []


def test_report_refuses_a_period_it_cannot_read(session: Session) -> None:
    with pytest.raises(ValidationError, match="no time zone offset"):
        play_report(session, start=datetime(2026, 12, 1), end=NOW)
    with pytest.raises(ValidationError, match="is not after start"):
        play_report(session, start=NOW, end=NOW)
    with pytest.raises(ValidationError, match="group_by"):
        play_report(session, start=HOUR, end=NOW, group_by="week")


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_opens_in_excel_with_chinese_and_runs_no_formula(session: Session, booked: dict[str, Any]) -> None:
    vacancy = booked["items"][0]
    rows = play_report(session, start=booked["start"], end=booked["end"], group_by="item")
    text = report_csv(rows)
    assert "\r\n" in text
    table = read_csv(text)
    assert table[0] == ["内容ID", "类型", "标题", "播放次数", "展示时长（秒）"]
    assert table[1] == [str(vacancy.id), "岗位", '\'=HYPERLINK("http://x")', "8", "30.0"]
    assert table[2][1:3] == ["政策公告", "政策"]
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("title", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1"])
def test_csv_neutralises_every_formula_start(title: str) -> None:
    table = read_csv(report_csv([ReportRow("item", 1, 1.0, item_id=1, item_kind="notice", item_title=title)]))
    assert table[1][2] == "'" + title


def test_csv_of_screens_hours_and_days(session: Session, booked: dict[str, Any]) -> None:
    screens = read_csv(report_csv(play_report(session, start=booked["start"], end=booked["end"], group_by="screen")))
    assert screens[0] == ["屏幕ID", "屏幕名称", "播放次数", "展示时长（秒）"]
    assert [row[1] for row in screens[1:]] == ["一号屏", "二号屏", "天水屏"]
    hours = read_csv(report_csv(play_report(session, start=booked["start"], end=booked["end"], group_by="hour")))
    assert hours[1][0] == "2026-12-01T10:00+08:00"
    days = read_csv(report_csv(play_report(session, start=booked["start"], end=booked["end"], group_by="day")))
    assert days[0][0] == "日期" and [row[0] for row in days[1:]] == ["2026-12-01", "2026-12-02"]
    assert read_csv(report_csv([], group_by="day")) == [["日期", "播放次数", "展示时长（秒）"]]
