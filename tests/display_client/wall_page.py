"""Helpers for driving the wall page: waits on its state, what it showed, common payloads."""

from __future__ import annotations

from typing import Any

import wall_manifests as wm

MAIN = "[data-region=main] .region__view"


def wait_conn(page: Any, state: str, timeout: float = 15_000, negate: bool = False) -> None:
    op = "!==" if negate else "==="
    page.wait_for_function(f"s => document.getElementById('wall').dataset.conn {op} s", arg=state, timeout=timeout)


def wait_main_contains(page: Any, text: str, timeout: float = 15_000) -> None:
    page.wait_for_function(
        "([sel, t]) => (document.querySelector(sel)?.textContent || '').includes(t)", arg=[MAIN, text], timeout=timeout
    )


def seen_main(page: Any) -> list[dict[str, Any]]:
    return [s for s in page.evaluate("window.__seen") if s["region"] == "main"]


def assert_no_blank_frames(page: Any) -> None:
    """Once the main region showed something, it never showed nothing (the next item replaces it whole)."""
    shown = seen_main(page)
    first = next(i for i, s in enumerate(shown) if s["text"] or s["img"])
    blanks = [s for s in shown[first:] if not (s["text"] or s["img"])]
    assert not blanks, f"the main region went blank {len(blanks)} time(s)"


def notice_title(notice_id: int) -> str:
    return str(wm.notice(notice_id)["title"])


def notices_payload(ids: list[int], seq: int = 42, duration: float = 2, **args: Any) -> dict[str, Any]:
    items = wm.standard_items(**{f"notice:{i}": wm.notice(i) for i in ids})
    return wm.simple(wm.standard_regions([wm.entry(f"notice:{i}", duration) for i in ids]), items, seq=seq, **args)


def board_payload(count: int = 12, page_size: int = 8, duration: float = 30, seq: int = 42) -> dict[str, Any]:
    found = wm.vacancies(count)
    return wm.simple(
        wm.standard_regions([wm.board(list(found), page_size, duration)]), wm.standard_items(**found), seq=seq
    )
