"""The console's live notice preview (js/console/notice-preview.js), imported into a blank page of Chromium."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

MODULE = "/display-static/js/console/notice-preview.js"

# A form like the editor's, and a fetch whose answers the test releases in any order.
SETUP = (
    """
    document.body.innerHTML = `
      <form class="notice-editor" data-preview-url="/console/notices/preview" data-csrf="tok">
        <textarea name="body_markdown"></textarea>
        <span id="preview-state" data-live="live" data-failed="failed"></span>
        <div id="preview" data-empty="empty"></div>
      </form>`;
    const form = document.querySelector("form");
    const calls = [];
    const fetchImpl = (url, options) => new Promise((resolve) => calls.push({ url, options, resolve }));
    const answer = (call, html, ok = true) =>
      call.resolve({ ok, status: ok ? 200 : 500, json: async () => ({ html }) });
    const settle = () => new Promise((r) => setTimeout(r, 0));
    const { startPreview, debounce } = await import('"""
    + MODULE
    + """');
"""
)


def run(page: Any, body: str) -> Any:
    return page.evaluate(f"async () => {{ {SETUP} {body} }}")


def test_it_posts_the_markdown_with_the_csrf_header_and_shows_the_servers_html(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const preview = startPreview(form, { fetchImpl, wait: 0 });
        preview.render("## 标题");
        const sent = calls[0];
        answer(sent, "<h2>标题</h2>");
        await settle();
        return { url: sent.url, method: sent.options.method, csrf: sent.options.headers["X-CSRF-Token"],
                 body: sent.options.body.toString(), shown: document.querySelector("#preview").innerHTML,
                 state: document.querySelector("#preview-state").textContent };""",
    )
    assert result == {
        "url": "/console/notices/preview",
        "method": "POST",
        "csrf": "tok",
        "body": "body_markdown=%23%23+%E6%A0%87%E9%A2%98",
        "shown": "<h2>标题</h2>",
        "state": "live",
    }


def test_a_late_answer_to_an_older_text_does_not_replace_a_newer_one(module_page: Any) -> None:
    shown = run(
        module_page,
        """
        const preview = startPreview(form, { fetchImpl, wait: 0 });
        preview.render("old");
        preview.render("new");
        answer(calls[1], "<p>new</p>");
        await settle();
        answer(calls[0], "<p>old</p>");
        await settle();
        return document.querySelector("#preview").innerHTML;""",
    )
    assert shown == "<p>new</p>"


def test_a_failed_preview_keeps_the_last_one_and_says_so(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const preview = startPreview(form, { fetchImpl, wait: 0 });
        const look = () => ({ shown: document.querySelector("#preview").innerHTML,
                              state: document.querySelector("#preview-state").textContent });
        preview.render("a");
        answer(calls[0], "<p>a</p>");
        await settle();
        preview.render("b");
        answer(calls[1], "", false);
        await settle();
        const failed = look();
        preview.render("");
        answer(calls[2], "");
        await settle();
        return { failed, emptied: look() };""",
    )
    assert result["failed"] == {"shown": "<p>a</p>", "state": "failed"}
    assert result["emptied"] == {"shown": '<p class="muted">empty</p>', "state": "live"}, "the page's placeholder"


def test_typing_asks_once_when_the_typing_pauses(module_page: Any) -> None:
    asked = run(
        module_page,
        """
        const timers = { pending: new Map(), next: 1,
          setTimeout(fn) { const id = this.next++; this.pending.set(id, fn); return id; },
          clearTimeout(id) { this.pending.delete(id); } };
        const seen = [];
        const later = debounce((v) => seen.push(v), 400, timers);
        later("a"); later("ab"); later("abc");
        const waiting = timers.pending.size;
        for (const fn of timers.pending.values()) fn();
        return { waiting, seen };""",
    )
    assert asked == {"waiting": 1, "seen": ["abc"]}
