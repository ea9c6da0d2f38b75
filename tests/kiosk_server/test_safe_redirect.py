"""After signing in, ``next`` leads only to a path of the same pages (kiosk_server.safe_redirect)."""

from __future__ import annotations

import pytest

from kiosk_server.safe_redirect import safe_next


@pytest.mark.parametrize(
    "value",
    [
        "/console",
        "/console/",
        "/console/vacancies",
        "/console/vacancies?q=%E5%BC%A0&status=published",
        "/console/vacancies/12",
        "/console?timed_out=1",
    ],
)
def test_paths_of_the_pages_are_kept(value: str) -> None:
    assert safe_next(value, under="/console") == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "//evil.example",
        "//evil.example/console",
        "/\\evil.example",
        "/console\\..\\..\\evil",
        "\\\\evil.example/console",
        "https://evil.example/console",
        "http:/console",
        "javascript:alert(1)",
        "JavaScript:/console",
        "/console/\tjavascript:alert(1)",
        "/console\r\nLocation: https://evil.example",
        "/console/\x00",
        "/console/\x7f",
        "/console/ space",
        "/console/%2F%2Fevil.example",
        "/console/%2f%2fevil.example",
        "/console/%5Cevil.example",
        "/console/%2e%2e/%2e%2e/counter",
        "/console/../counter",
        "/console/./x",
        "/console//evil.example",
        "/console/%0d%0aSet-Cookie:x",
        "/consoleevil",
        "/counter",
        "/console/ümlaut",
        "/console/" + "a" * 3000,
        " /console",
    ],
)
def test_hostile_values_are_refused(value: str | None) -> None:
    assert safe_next(value, under="/console") is None


def test_each_page_takes_only_its_own_prefix() -> None:
    assert safe_next("/counter/choose", under="/counter") == "/counter/choose"
    assert safe_next("/console/home", under="/counter") is None
