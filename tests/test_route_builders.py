"""The test process's cache of Werkzeug URL builders (tests/support/route_builders.py) changes no URL."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.routing.rules import Rule

from tests.conftest import make_app
from tests.support import route_builders


def test_every_rule_of_a_second_app_gets_the_code_werkzeug_compiles_for_it(tmp_path: Path) -> None:
    make_app(tmp_path / "first", f"sqlite:///{tmp_path / 'first.sqlite3'}")
    app: Flask = make_app(tmp_path / "second", f"sqlite:///{tmp_path / 'second.sqlite3'}")
    assert Rule._compile_builder is route_builders._compile_builder, "conftest installs the cache"
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 100, "the app's rules were found"
    for rule in rules:
        for append_unknown, built in ((False, rule._build), (True, rule._build_unknown)):
            fresh = route_builders._original(rule, append_unknown)
            code = built.__func__.__code__  # type: ignore[attr-defined]  # a bound method: the rule is self
            assert code == fresh.__code__, f"{rule.rule} (append_unknown={append_unknown})"


def test_urls_built_through_the_cache_are_werkzeugs(tmp_path: Path) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="a b.css") == "/static/a%20b.css"
        assert url_for("static", filename="x.js", v="1") == "/static/x.js?v=1"
