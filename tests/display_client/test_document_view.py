"""document.js in Chromium: pages one after another for seconds_per_page each, a failing page skipped."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import wall_manifests as wm

from tests.display_client.test_modules import run

pytestmark = pytest.mark.browser


def data_url(rgb: tuple[int, int, int]) -> str:
    return "data:image/png;base64," + base64.b64encode(wm.png(rgb=rgb)).decode("ascii")


def test_pages_play_in_order_skipping_one_that_fails_then_the_view_ends(module_page: Any) -> None:
    pages = [data_url((200, 30, 30)), "/media/" + "9" * 64, data_url((30, 30, 200))]  # the middle one is missing
    result = run(
        module_page,
        """
        const { buildDocumentView } = await m('document');
        const staging = document.createElement('div');
        document.body.append(staging);
        const item = { kind: 'document', id: 9, title: '政策解读', seconds_per_page: 0.3,
                       pages: PAGES.map((url) => ({ url })) };
        const view = await buildDocumentView(item, { staging, entryDuration: 10, fallbackMs: 1500 });
        const shown = [];
        const look = () => { const img = view.node.querySelector('img'); shown.push([img.src, view.node.querySelector('.document__counter').textContent]); };
        new MutationObserver(look).observe(view.node, { childList: true, subtree: true, characterData: true });
        const started = performance.now();
        await new Promise((resolve) => view.start(resolve));
        const took = performance.now() - started;
        return { pages: view.pages, imgs: view.node.querySelectorAll('img').length, shown, took };
        """.replace("PAGES", str(pages).replace("'", '"')),
    )
    assert result["pages"] == 3 and result["imgs"] == 1, "one page on screen at a time"
    srcs = [src for src, _ in result["shown"]]
    assert not any(src.endswith("9" * 64) for src in srcs), "the missing page never showed"
    assert result["shown"][-1] == [pages[2], "3 / 3"], "the last page, counted as the third"
    assert 2 * 300 <= result["took"] < 300 * 3 + 1500 + 1000, "two shown pages, and at most the fallback on the bad one"


def test_a_document_without_a_loadable_first_page_is_skipped(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { buildDocumentView } = await m('document');
        const staging = document.createElement('div');
        const empty = await buildDocumentView({ kind: 'document', pages: [] }, { staging, fallbackMs: 500 });
        const broken = await buildDocumentView({ kind: 'document', pages: [{ url: '/media/missing' }] },
                                               { staging, fallbackMs: 500 });
        return { empty, broken, left: staging.children.length };
        """,
    )
    assert result == {"empty": None, "broken": None, "left": 0}
