"""The player's files as shipped: what the service worker caches, imports, strings, the template."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

import display_client

STATIC = display_client.STATIC_DIR
JS = STATIC / "js"
IMPORT = re.compile(r"""^\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']""", re.M)
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def _shell_files() -> list[str]:
    text = (STATIC / "sw.js").read_text(encoding="utf-8")
    block = re.search(r"const SHELL_FILES = \[(.*?)\];", text, re.S)
    assert block, "sw.js lists its shell in SHELL_FILES"
    return re.findall(r'"([^"]+)"', block.group(1))


# The counter staff page (/counter) and the console (/console) are no display: the worker's scope (/screen/) never covers them.
STAFF_PAGE_FILES = ("css/counter.css", "js/counter/", "css/console", "js/console/")  # console.css, console-designer.css


def test_service_worker_caches_every_file_of_the_shell() -> None:
    shipped = sorted(
        str(p.relative_to(STATIC))
        for p in STATIC.rglob("*")
        if p.is_file() and p.name != "sw.js" and not str(p.relative_to(STATIC)).startswith(STAFF_PAGE_FILES)
    )
    assert sorted(_shell_files()) == shipped


KIOSK = JS / "kiosk"
CATALOGUES = {JS / "i18n.js", KIOSK / "strings.js", JS / "evaluator" / "strings.js"}
KEY_USE = re.compile(r"""\bt\(\s*["']([\w.]+)["']""")
STORAGE = re.compile(r"\b(localStorage|sessionStorage|indexedDB|caches|document\.cookie)\b")


def _modules() -> list[Path]:
    return sorted(JS.rglob("*.js"))


def _code(module: Path) -> str:
    """The module without its comment lines."""
    return "\n".join(
        line
        for line in module.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith(("//", "*", "/*"))
    )


def test_modules_import_only_each_other() -> None:
    for module in _modules():
        for target in IMPORT.findall(module.read_text(encoding="utf-8")):
            name = module.relative_to(JS)
            assert target.startswith(("./", "../")), f"{name} imports {target!r}: no third-party code at runtime"
            resolved = (module.parent / target).resolve()
            assert resolved.is_relative_to(JS.resolve()), f"{name} imports {target!r} from outside static/js"
            assert resolved.is_file(), f"{name} imports missing {target}"


def test_every_shown_string_lives_in_the_catalogue() -> None:
    for module in _modules():
        if module in CATALOGUES:
            continue
        assert not CJK.search(_code(module)), f"{module.relative_to(JS)} holds Chinese text outside the catalogues"


def _catalogue_keys(path: Path, lang: str) -> set[str]:
    text = path.read_text(encoding="utf-8")
    block = re.search(rf'^  "?{re.escape(lang)}"?: \{{\n(.*?)^  \}},', text, re.S | re.M)
    assert block, f"{path.name} has a {lang} catalogue"
    return set(re.findall(r'^    "([^"]+)": ', block.group(1), re.M))


def test_kiosk_catalogue_has_every_key_the_kiosk_uses_in_both_languages() -> None:
    zh = _catalogue_keys(KIOSK / "strings.js", "zh-CN")
    en = _catalogue_keys(KIOSK / "strings.js", "en")
    assert zh == en, f"keys only in one language: {sorted(zh ^ en)}"
    for module in sorted(KIOSK.rglob("*.js")):
        for key in KEY_USE.findall(_code(module)):
            assert key in zh, f"{module.relative_to(JS)} shows {key!r}, which the kiosk catalogue lacks"


def test_kiosk_modules_keep_nothing_in_browser_storage() -> None:
    for module in sorted(KIOSK.rglob("*.js")):
        found = STORAGE.search(_code(module))
        assert not found, f"{module.relative_to(JS)} uses {found.group(0)}: nothing personal may be stored"


def test_service_worker_never_answers_the_kiosk_api() -> None:
    text = (STATIC / "sw.js").read_text(encoding="utf-8")
    handler = text[text.index('self.addEventListener("fetch"') :]
    guard = handler.index('if (path.startsWith("/kiosk/api/")) return;')
    assert guard < handler.index("respondWith"), "the kiosk API must be left to the network before any caching"


def test_package_exposes_only_its_paths() -> None:
    tree = ast.parse(Path(display_client.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"pathlib", "typing", "__future__"}
    public = {name for name in vars(display_client) if not name.startswith("_")} - {"Path", "Final", "annotations"}
    assert public == {"STATIC_DIR", "TEMPLATE_DIR"}
    assert (display_client.TEMPLATE_DIR / "player.html").is_file()
    assert (display_client.STATIC_DIR / "sw.js").is_file()


def test_player_template_renders_its_variables_escaped() -> None:
    env = Environment(loader=FileSystemLoader(display_client.TEMPLATE_DIR), autoescape=select_autoescape(["html"]))
    html = env.get_template("player.html").render(screen_key='k"<x>', static_url="/display-static", lang="zh-CN")
    assert '<html lang="zh-CN">' in html
    assert 'data-screen-key="k&#34;&lt;x&gt;"' in html
    assert 'src="/display-static/js/wall.js"' in html and 'type="module"' in html
    assert 'href="/display-static/css/wall.css"' in html
    assert "kiosk" not in html, "a wall loads nothing of the kiosk"


def test_kiosk_page_loads_the_touch_ui_before_the_wall_player() -> None:
    env = Environment(loader=FileSystemLoader(display_client.TEMPLATE_DIR), autoescape=select_autoescape(["html"]))
    html = env.get_template("player.html").render(
        screen_key="k", static_url="/display-static", lang="zh-CN", screen_kind="kiosk"
    )
    assert 'href="/display-static/css/kiosk.css"' in html
    assert html.index('src="/display-static/js/kiosk/app.js"') < html.index('src="/display-static/js/wall.js"')
    assert '<div id="kiosk" class="kiosk" lang="zh-CN"' in html
