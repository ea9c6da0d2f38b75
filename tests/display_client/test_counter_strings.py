"""The counter page's one catalogue (js/counter/strings.json): both languages, and every key its users ask for."""

from __future__ import annotations

import json
import re
from pathlib import Path

import display_client

ROOT = Path(__file__).resolve().parents[2]
COUNTER_JS = display_client.STATIC_DIR / "js" / "counter"
CATALOGUE = json.loads((COUNTER_JS / "strings.json").read_text(encoding="utf-8"))
TEMPLATES = sorted((ROOT / "kiosk_server" / "templates").glob("counter*.html"))
SERVER = [
    ROOT / "kiosk_server" / name
    for name in ("counter_pages.py", "counter_api.py", "counter_state.py", "staff_session.py")
]
ACTIONS = ("call", "recall", "start", "finish", "no-show", "transfer")
CALL = re.compile(r"""\bt\(\s*["']([\w.-]+)["']""")
PYTHON_KEY = re.compile(r'"((?:api|login)\.[\w.-]+)"')
JINJA_PREFIX = re.compile(r"""t\(\s*["']([\w.-]+\.)["']\s*~""")
CJK = re.compile(r"[\u3400-\u9fff]")


def test_both_languages_have_the_same_keys_and_english_is_english() -> None:
    zh, en = CATALOGUE["zh-CN"], CATALOGUE["en"]
    assert set(zh) == set(en), f"keys only in one language: {sorted(set(zh) ^ set(en))}"
    chinese_in_english = [key for key, text in en.items() if CJK.search(text) and key != "lang.switch"]
    assert not chinese_in_english


def test_placeholders_match_between_the_languages() -> None:
    names = re.compile(r"\{(\w+)\}")
    for key, text in CATALOGUE["zh-CN"].items():
        assert set(names.findall(text)) == set(names.findall(CATALOGUE["en"][key])), key


def test_every_key_the_page_script_shows_is_in_the_catalogue() -> None:
    for module in sorted(COUNTER_JS.glob("*.js")):
        for key in CALL.findall(module.read_text(encoding="utf-8")):
            assert key in CATALOGUE["zh-CN"], f"{module.name} shows {key!r}, which the catalogue lacks"
    for action in ACTIONS:  # keys the script builds from an action's name
        for prefix in ("action.", "key.", "done."):
            assert prefix + action in CATALOGUE["zh-CN"] or prefix + action == "done.transfer"


def test_every_key_the_server_renders_or_answers_is_in_the_catalogue() -> None:
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        for key in CALL.findall(text):
            if not key.endswith("."):  # a prefix, completed in the template: below
                assert key in CATALOGUE["zh-CN"], f"{template.name} shows {key!r}, which the catalogue lacks"
        for prefix in JINJA_PREFIX.findall(text):
            for suffix in ("username", "password") if prefix == "login." else ACTIONS:
                assert prefix + suffix in CATALOGUE["zh-CN"], f"{template.name} shows {prefix}{suffix}"
    for module in SERVER:
        for key in PYTHON_KEY.findall(module.read_text(encoding="utf-8")):
            assert key in CATALOGUE["zh-CN"], f"{module.name} answers {key!r}, which the catalogue lacks"
    for action in ACTIONS[1:]:
        assert f"api.nothing_to.{action}" in CATALOGUE["zh-CN"]


def test_the_page_script_holds_no_words_of_its_own() -> None:
    for module in sorted(COUNTER_JS.glob("*.js")):
        code = "\n".join(
            line
            for line in module.read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith(("//", "*", "/*"))
        )
        assert not CJK.search(code), f"{module.name} holds Chinese text outside the catalogue"
