"""The counter pages' words, Chinese first and English: one catalogue for the server's pages and the page script.

The catalogue is ``display_client/static/js/counter/strings.json``. The server renders the sign-in,
counter-choice and counter pages from it, embeds it in the counter page for the script, and takes
the bilingual messages of its JSON errors from it, so every side says the same thing.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Final

import display_client

CATALOGUE_PATH: Final = display_client.STATIC_DIR / "js" / "counter" / "strings.json"
DEFAULT_LANG: Final = "zh-CN"
LANGS: Final = ("zh-CN", "en")
_PLACEHOLDER: Final = re.compile(r"\{(\w+)\}")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """{lang: {key: template}}, read once."""
    loaded: dict[str, dict[str, str]] = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    return loaded


def pick_lang(value: object) -> str:
    """The catalogue language closest to ``value`` ("en", "en-GB", "zh"…), Chinese when none fits."""
    text = str(value or "")
    if text in LANGS:
        return text
    return "en" if text.split("-")[0].lower() == "en" else DEFAULT_LANG


def translate(lang: str, key: str, /, **params: object) -> str:
    """The string for ``key`` in ``lang`` (Chinese when that language lacks it) with {name} filled in."""
    strings = catalogue()
    template = strings[pick_lang(lang)].get(key) or strings[DEFAULT_LANG][key]
    return _PLACEHOLDER.sub(lambda m: str(params.get(m.group(1), "")), template)


def both(key: str, /, **params: object) -> tuple[str, str]:
    """(Chinese, English) of ``key``: what a JSON error carries as ``message`` and ``message_en``."""
    return translate("zh-CN", key, **params), translate("en", key, **params)
