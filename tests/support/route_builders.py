"""Werkzeug's URL builders, compiled once per rule shape in a test process instead of once per app.

Every ``create_app`` adds a few hundred URL rules, and Werkzeug turns each into two small Python
functions by building a syntax tree and compiling it: about four fifths of an app's creation, and
the suite creates a few thousand apps. The generated function depends only on what
``_builder_key`` collects (the rule's text, its parsed trace, its converters' types, its defaults),
and it reads the rule's converters through its ``self`` argument when called, so one compiled
function serves every equal rule. Only the test process is changed; server processes the tests
start compile as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from werkzeug.routing.rules import Rule

_original = Rule._compile_builder
_compiled: dict[Hashable, Callable[..., tuple[str, str]]] = {}


def _builder_key(rule: Any, append_unknown: bool) -> Hashable:
    """Everything ``Rule._compile_builder`` reads (Werkzeug 3.1): equal keys give equal code."""
    defaults = rule.defaults or {}
    converters = tuple((name, type(converter)) for name, converter in rule._converters.items())
    # A default for a variable in the rule is folded into the code as its URL text.
    folded = tuple(
        (data, rule._converters[data].to_url(defaults[data]))
        for is_dynamic, data in rule._trace
        if is_dynamic and data in defaults
    )
    return (append_unknown, rule.rule, tuple(rule._trace), converters, tuple(defaults), folded)


def _compile_builder(self: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    """``Rule._compile_builder``, remembered by ``_builder_key``."""
    try:
        key = _builder_key(self, append_unknown)
        hash(key)
    except Exception:  # noqa: BLE001 - an odd default (unhashable, failing to_url) compiles as Werkzeug does
        return _original(self, append_unknown)
    builder = _compiled.get(key)
    if builder is None:
        builder = _compiled[key] = _original(self, append_unknown)
    return builder


def install() -> None:
    """Remember compiled builders for the rest of this process (idempotent)."""
    Rule._compile_builder = _compile_builder  # type: ignore[method-assign]
