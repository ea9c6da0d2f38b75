"""The queue board's counter grid (js/counter-grid.js), imported into a blank page of real Chromium."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

STATIC = "/display-static/js"

COUNTERS = [
    {"number": 5, "name": "5号窗口", "ticket": "A023", "state": "serving", "status": "serving"},
    {"number": 6, "name": "6号窗口", "ticket": "A024", "state": "called", "status": "calling"},
    {"number": 7, "name": "7号窗口", "ticket": "A020", "state": "called", "status": "paused",
     "paused": True, "pause_reason": "系统故障"},
    {"number": 8, "name": "8号窗口", "ticket": None, "state": None, "status": "idle"},
    {"number": 9, "name": "", "ticket": None, "state": None, "status": "closed"},
]  # fmt: skip


def grid(page: Any, lang: str, counters: list[dict[str, Any]]) -> Any:
    return page.evaluate(
        f"""async ([lang, counters]) => {{
          const {{ counterGridNode }} = await import('{STATIC}/counter-grid.js');
          const {{ counterLabel }} = await import('{STATIC}/queue-board.js');
          const {{ createI18n }} = await import('{STATIC}/i18n.js');
          const i18n = createI18n(lang);
          const table = counterGridNode(counters, i18n, (c) => counterLabel(i18n, c.name, c.number));
          return {{
            head: [...table.querySelectorAll('th')].map((th) => th.textContent),
            rows: [...table.querySelectorAll('tbody tr')].map((tr) => [
              tr.dataset.status, ...[...tr.children].map((td) => td.textContent)]),
          }};
        }}""",
        [lang, counters],
    )


def test_every_state_is_a_word_and_a_paused_counter_gives_its_reason(module_page: Any) -> None:
    shown = grid(module_page, "zh-CN", COUNTERS)
    assert shown["head"] == ["窗口", "状态", "当前号"]
    assert shown["rows"] == [
        ["serving", "5号窗口", "办理中", "A023"],
        ["calling", "6号窗口", "呼叫中", "A024"],
        ["paused", "7号窗口", "暂停服务系统故障", "—"],  # the ticket still open there is not offered
        ["idle", "8号窗口", "空闲", "—"],
        ["closed", "9号窗口", "未开放", "—"],
    ]


def test_the_grid_in_english(module_page: Any) -> None:
    shown = grid(module_page, "en", COUNTERS)
    assert shown["head"] == ["Counter", "Status", "Ticket"]
    assert [row[1:3] for row in shown["rows"]] == [
        ["5号窗口", "Serving"],
        ["6号窗口", "Calling"],
        ["7号窗口", "Paused系统故障"],
        ["8号窗口", "Free"],
        ["Counter 9", "Not open"],
    ]


def test_a_board_without_status_is_read_from_the_ticket_state(module_page: Any) -> None:
    old = [{k: v for k, v in c.items() if k not in ("status", "paused", "pause_reason")} for c in COUNTERS]
    old[2]["paused"] = True  # as a strip-era board would say it
    shown = grid(module_page, "zh-CN", old)
    assert [row[0] for row in shown["rows"]] == ["serving", "calling", "paused", "idle", "idle"]
