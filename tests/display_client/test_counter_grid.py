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


def test_counters_that_do_not_fit_are_paged_not_dropped(module_page: Any) -> None:
    """Twelve counters in a box that holds five: pages of the rows that fit, each counter on one of them."""
    counters = [
        {"number": n, "name": f"{n}号窗口", "ticket": None, "state": None, "status": "idle"} for n in range(1, 13)
    ]
    module_page.evaluate(
        f"""async (counters) => {{
          const {{ counterGridNode, GridPager }} = await import('{STATIC}/counter-grid.js');
          const {{ createI18n }} = await import('{STATIC}/i18n.js');
          const i18n = createI18n('zh-CN');
          const box = document.createElement('div');
          box.style.cssText = 'height: 200px; overflow: hidden; font-size: 20px; line-height: 1';
          document.body.append(box);
          const table = counterGridNode(counters, i18n, (c) => c.name);
          table.style.borderCollapse = 'collapse';
          for (const td of table.querySelectorAll('td, th')) td.style.cssText = 'height: 30px; padding: 0';
          box.append(table);
          window.__pager = new GridPager({{ everyMs: 100, i18n }});
          window.__pager.start(table, box);
          window.__table = table;
          window.__seen = [];
          const record = () => {{
            const shown = [...table.querySelectorAll('tbody tr')].filter((tr) => !tr.hidden);
            window.__seen.push({{ page: table.dataset.page, rows: shown.map((tr) => tr.dataset.counter),
              bottom: Math.max(...shown.map((tr) => tr.getBoundingClientRect().bottom)),
              boxBottom: box.getBoundingClientRect().bottom,
              marker: table.querySelector('.qb__grid-page').textContent }});
          }};
          record();
          new MutationObserver(record).observe(table, {{ attributes: true, attributeFilter: ['data-page'] }});
        }}""",
        counters,
    )
    module_page.wait_for_function("() => new Set(window.__seen.map((s) => s.page)).size >= 3", timeout=10_000)
    seen = module_page.evaluate("() => { window.__pager.stop(); return window.__seen; }")
    assert module_page.evaluate("() => window.__table.dataset.pages") == "3"
    by_page = {s["page"]: s for s in seen}
    assert [by_page[p]["rows"] for p in ("1", "2", "3")] == [
        ["1", "2", "3", "4", "5"],
        ["6", "7", "8", "9", "10"],
        ["11", "12"],
    ]
    assert by_page["2"]["marker"] == "（2/3）"
    assert all(s["bottom"] <= s["boxBottom"] + 1 for s in seen)  # every shown row whole inside the box


def test_a_grid_that_fits_has_one_page_and_no_marker(module_page: Any) -> None:
    shown = module_page.evaluate(
        f"""async (counters) => {{
          const {{ counterGridNode, GridPager }} = await import('{STATIC}/counter-grid.js');
          const {{ createI18n }} = await import('{STATIC}/i18n.js');
          const i18n = createI18n('zh-CN');
          const box = document.createElement('div');
          box.style.height = '600px';
          document.body.append(box);
          const table = counterGridNode(counters, i18n, (c) => c.name || String(c.number));
          box.append(table);
          const pager = new GridPager({{ everyMs: 50, i18n }});
          pager.start(table, box);
          const result = {{ pages: table.dataset.pages, marker: table.querySelector('.qb__grid-page').hidden,
            hidden: [...table.querySelectorAll('tbody tr')].filter((tr) => tr.hidden).length, timer: pager.timer }};
          pager.stop();
          return result;
        }}""",
        COUNTERS,
    )
    assert shown == {"pages": "1", "marker": True, "hidden": 0, "timer": None}
