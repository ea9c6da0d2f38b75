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


def test_service_worker_caches_every_file_of_the_shell() -> None:
    shipped = sorted(str(p.relative_to(STATIC)) for p in STATIC.rglob("*") if p.is_file() and p.name != "sw.js")
    assert sorted(_shell_files()) == shipped


def test_modules_import_only_each_other() -> None:
    for module in JS.glob("*.js"):
        for target in IMPORT.findall(module.read_text(encoding="utf-8")):
            assert target.startswith("./"), f"{module.name} imports {target!r}: no third-party code at runtime"
            assert (JS / target).is_file(), f"{module.name} imports missing {target}"


def test_every_shown_string_lives_in_the_catalogue() -> None:
    for module in JS.glob("*.js"):
        if module.name == "i18n.js":
            continue
        code = "\n".join(line for line in module.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith(("//", "*", "/*")))
        assert not CJK.search(code), f"{module.name} holds Chinese text outside i18n.js"


def test_package_exposes_only_its_paths() -> None:
    tree = ast.parse(Path(display_client.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
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
