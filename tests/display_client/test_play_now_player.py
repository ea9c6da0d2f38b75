"""立即播放 in the player's modules: a ticker holding the item starts its line again with the texts waiting."""

from __future__ import annotations

from typing import Any

import pytest

from tests.display_client.test_modules import run

pytestmark = pytest.mark.browser


def test_a_ticker_plays_now_only_for_an_item_it_holds(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { Ticker } = await m('ticker');
        const el = document.createElement('div');
        el.style.cssText = 'position:absolute;width:800px;height:60px';
        document.body.append(el);
        const ticker = new Ticker(el);
        const items = { 'ticker:1': { kind: 'ticker', id: 1, text: '旧的字幕' },
                        'ticker:2': { kind: 'ticker', id: 2, text: '办事请先取号' } };
        const entries = [{ kind: 'item', item: 'ticker:1' }, { kind: 'item', item: 'ticker:2' }];
        ticker.update({ entries, items });
        const first = ticker.node;
        // An edit: the new text waits for the loop boundary, the running line stays.
        ticker.update({ entries, items: { ...items, 'ticker:1': { kind: 'ticker', id: 1, text: '新的字幕' } } });
        const waiting = el.innerText.includes('旧的字幕') && ticker.node === first;
        const other = ticker.playNow('notice:3');
        const keptAfterOther = ticker.node === first;
        const mine = ticker.playNow('ticker:1');
        return { waiting, other, keptAfterOther, mine, restarted: ticker.node !== first,
                 text: el.innerText, pending: ticker.pending };
        """,
    )
    assert result["waiting"] is True
    assert result["other"] is False and result["keptAfterOther"] is True
    assert result["mine"] is True and result["restarted"] is True
    assert "新的字幕" in result["text"] and "旧的字幕" not in result["text"]
    assert result["pending"] is None
