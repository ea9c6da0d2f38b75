"""The console's live layout preview (js/console/layout-preview.js), imported into a blank page of Chromium."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

MODULE = "/display-static/js/console/layout-preview.js"

# A form like the layout editor's: two rows and the preview stage, the first drawn by the "server".
SETUP = (
    """
    const row = (i, name, x, y, w, h) => `<tr data-row="${i}"><td><input name="r${i}.name" value="${name}"></td>
      <td><select name="r${i}.widget" data-preview="widget"><option value="ticker" selected>t</option></select></td>
      ${[["x", x], ["y", y], ["w", w], ["h", h]].map(([f, v]) => `<td><input name="r${i}.${f}" data-preview="${f}" value="${v}"></td>`).join("")}
      <td><input type="checkbox" name="r${i}.remove"></td></tr>`;
    document.body.innerHTML = `<form id="layout-form"><table>${row(0, "main", "0", "0", "100", "90")}${row(1, "", "", "", "", "")}</table>
      <input data-preview="background" value="#0b1f3a">
      <div id="layout-preview"><div class="lay-box" data-row="0" style="left: 0%"><span>main</span></div></div></form>`;
    const form = document.querySelector("form");
    const box = (i) => document.querySelector(`#layout-preview .lay-box[data-row="${i}"]`);
    const type = (name, value) => {
      const input = form.querySelector(`[name="${name}"]`);
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    };
    const { startPreview, readRow, outside } = await import('"""
    + MODULE
    + """');
"""
)


def run(page: Any, body: str) -> Any:
    return page.evaluate(f"async () => {{ {SETUP} {body} }}")


def test_typing_moves_the_box_and_a_new_row_gets_one(module_page: Any) -> None:
    result = run(
        module_page,
        """
        startPreview(form);
        type("r0.w", "50");
        const first = box(0).style.cssText;
        type("r1.name", "side"); type("r1.x", "50"); type("r1.y", "0"); type("r1.w", "50"); type("r1.h", "90");
        return { first, second: box(1).style.width, label: box(1).textContent, cls: box(1).className,
                 boxes: document.querySelectorAll(".lay-box").length };""",
    )
    assert result == {
        "first": "left: 0%; top: 0%; width: 50%; height: 90%; z-index: 0;",
        "second": "50%",
        "label": "side",
        "cls": "lay-box lay-box--ticker",
        "boxes": 2,
    }


def test_a_box_off_the_screen_is_marked_and_a_row_without_numbers_has_none(module_page: Any) -> None:
    result = run(
        module_page,
        """
        startPreview(form);
        type("r0.w", "120");
        const marked = box(0).classList.contains("lay-box--bad");
        type("r0.w", "abc");
        return { marked, gone: box(0) === null,
                 edges: [outside({ x: 0, y: 0, w: 100, h: 100 }), outside({ x: 0, y: 100, w: 10, h: 10 }),
                         outside({ x: 10, y: 0, w: 0, h: 10 })],
                 blank: readRow(form.querySelector('tr[data-row="1"]')) };""",
    )
    assert result == {"marked": True, "gone": True, "edges": [False, True, True], "blank": None}
