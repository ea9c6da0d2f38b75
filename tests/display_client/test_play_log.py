"""Proof of play in the player: play-log.js, the region player feeding it, and acks on the socket."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

STATIC = "/display-static/js"

# A clock the test moves, a Web Storage stand-in, and a wait on a condition with a deadline.
HELPERS = """
    let clock = Date.UTC(2026, 11, 2, 3, 0, 0);
    const now = () => clock;
    const advance = (ms) => { clock += ms; };
    class MemoryStorage {
      constructor() { this.items = new Map(); }
      getItem(k) { return this.items.has(k) ? this.items.get(k) : null; }
      setItem(k, v) { this.items.set(k, String(v)); }
    }
    const until = async (condition, ms, what) => {
      const deadline = Date.now() + ms;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
"""


def run(page: Any, body: str) -> Any:
    """Evaluate an async function body with `m(name)` importing a player module, and the helpers above."""
    return page.evaluate(f"async () => {{ const m = (name) => import('{STATIC}/' + name + '.js'); {HELPERS} {body} }}")


def test_plays_add_up_per_item_and_hour_of_their_start(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { PlayLog } = await m('play-log');
        const log = new PlayLog({ now });
        const vacancy = { kind: 'vacancy', id: 12, title: 'T' };
        let p = log.begin([vacancy, { kind: 'vacancy', id: 13 }]); advance(10_000); log.end(p);
        p = log.begin([vacancy]); advance(5_500); log.end(p);
        advance(3_600_000 - 15_500 - 2_000);          // 03:59:58
        p = log.begin([vacancy]); advance(4_000); log.end(p);   // runs into 04:00, booked to 03:00
        p = log.begin([vacancy]); log.end(p);                      // never seen: not a play
        const none = log.begin([{ kind: 'notice', title: 'no id' }, { kind: 'media', id: '7' }, null]);
        p = log.begin([vacancy]); advance(1_000); log.end(p); log.end(p);  // ending twice counts once
        return { buckets: [...log.buckets.values()], none };""",
    )
    assert result["none"] is None
    assert result["buckets"] == [
        {"id": 12, "kind": "vacancy", "start": "2026-12-02T03:00:00Z", "count": 3, "seconds": 19.5},
        {"id": 13, "kind": "vacancy", "start": "2026-12-02T03:00:00Z", "count": 1, "seconds": 10},
        {"id": 12, "kind": "vacancy", "start": "2026-12-02T04:00:00Z", "count": 1, "seconds": 1},
    ]


def test_time_under_an_emergency_or_the_kiosk_ui_is_not_counted(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { PlayLog } = await m('play-log');
        const log = new PlayLog({ now });
        const notice = { kind: 'notice', id: 3 };
        let p = log.begin([notice]); advance(4_000);
        log.setObscured(true); advance(60_000); log.setObscured(false);
        advance(6_000); log.end(p);
        log.setObscured(true);
        p = log.begin([notice]); advance(20_000); log.end(p);   // covered the whole time: not a play
        return [...log.buckets.values()];""",
    )
    assert result == [{"id": 3, "kind": "notice", "start": "2026-12-02T03:00:00Z", "count": 1, "seconds": 10}]


def test_a_batch_leaves_the_buffer_only_once_acknowledged(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { PlayLog } = await m('play-log');
        const sent = [];
        let online = false;
        const log = new PlayLog({ now, send: (batch, onAck) => {
          if (!online) return false;
          sent.push({ batch: JSON.parse(JSON.stringify(batch)), onAck });
          return true;
        } });
        const show = (item, ms) => { const p = log.begin([item]); advance(ms); log.end(p); };
        show({ kind: 'media', id: 7 }, 8_000);
        const offline = log.flush();
        online = true;
        log.flush();
        const whileAwaiting = log.flush();           // one batch in flight at a time
        show({ kind: 'media', id: 7 }, 8_000);       // logged meanwhile: a new bucket, not the batch
        sent[0].onAck(null);                         // no answer: lost or timed out
        log.flush();
        const retried = sent[1].batch;
        sent[1].onAck({ ok: false, error: 'unavailable' });
        const keptAfterError = log.pendingCount;
        log.flush();
        sent[2].onAck({ ok: true, accepted: 1, rejected: [], duplicate: false });
        await until(() => sent.length === 4, 3000, 'the next batch right after the ack');
        const next = sent[3].batch;
        sent[3].onAck({ ok: true, accepted: 1, rejected: [] });
        return { offline, whileAwaiting, first: sent[0].batch, retried, keptAfterError, next,
                 left: log.pendingCount };""",
    )
    assert result["offline"] is False
    assert result["whileAwaiting"] is False
    first = result["first"]
    assert first["plays"] == [{"id": 7, "kind": "media", "start": "2026-12-02T03:00:00Z", "count": 1, "seconds": 8}]
    assert result["retried"] == first, "the same batch, with the same id, goes again until acknowledged"
    assert result["keptAfterError"] == 2
    assert result["next"]["batch"] != first["batch"]
    assert result["next"]["plays"][0]["seconds"] == 8
    assert result["left"] == 0


def test_a_batch_the_server_calls_hopeless_is_dropped(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { PlayLog } = await m('play-log');
        const sent = [];
        const log = new PlayLog({ now, send: (batch, onAck) => { sent.push(onAck); return true; } });
        const p = log.begin([{ kind: 'ticker', id: 2 }]); advance(30_000); log.end(p);
        log.flush();
        sent[0]({ ok: false, error: 'invalid_batch', message: 'x' });
        return log.pendingCount;""",
    )
    assert result == 0


def test_the_log_survives_a_reload_and_stays_bounded(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { PlayLog, MAX_BUCKETS, MAX_AGE_MS } = await m('play-log');
        const storage = new MemoryStorage();
        const log = new PlayLog({ now, storage, slot: 'wall:k:plays', send: () => false });
        const p = log.begin([{ kind: 'notice', id: 1 }]); advance(15_000); log.end(p);
        log.flush();                                   // offline: becomes the batch in flight
        const q = log.begin([{ kind: 'notice', id: 2 }]); advance(15_000);
        log.suspend();                                 // the page goes away mid-play
        const saved = JSON.parse(storage.getItem('wall:k:plays'));
        const again = new PlayLog({ now, storage, slot: 'wall:k:plays' });
        log.end(q);                                    // a late end after suspend counts nothing more

        const big = new PlayLog({ now });
        for (let i = 1; i <= MAX_BUCKETS + 5; i++) { const r = big.begin([{ kind: 'vacancy', id: i }]); advance(1); big.end(r); }
        const old = new PlayLog({ now, send: () => false });
        const r = old.begin([{ kind: 'vacancy', id: 1 }]); advance(1_000); old.end(r);
        advance(MAX_AGE_MS + 3_600_000);
        old.flush();
        return { saved, restored: { inflight: again.inflight, buckets: [...again.buckets.values()] },
                 bigSize: big.buckets.size, bigFirst: [...big.buckets.values()][0].id, oldLeft: old.pendingCount };""",
    )
    assert result["saved"]["inflight"]["plays"][0]["id"] == 1
    assert result["restored"]["inflight"] == result["saved"]["inflight"]
    assert result["restored"]["buckets"] == [
        {"id": 2, "kind": "notice", "start": "2026-12-02T03:00:00Z", "count": 1, "seconds": 15}
    ]
    assert result["bigSize"] == 2000 and result["bigFirst"] == 6, "the oldest buckets go first"
    assert result["oldLeft"] == 0, "plays the server would refuse as too old are dropped"


def test_the_region_player_logs_each_step_it_shows(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { RegionPlayer } = await m('region-player');
        const calls = [];
        const playLog = {
          begin(items) { const p = { ids: items.map((i) => i.id) }; calls.push(['begin', p.ids]); return p; },
          end(p) { calls.push(['end', p.ids]); },
        };
        const el = document.createElement('div');
        el.style.cssText = 'position:absolute;width:800px;height:400px';
        document.body.append(el);
        const i18n = { t: (k) => k, parts: () => [] };
        const player = new RegionPlayer(el, { i18n, playLog });
        const items = { 'ticker:1': { kind: 'ticker', id: 1, text: 'a' }, 'ticker:2': { kind: 'ticker', id: 2, text: 'b' } };
        const entries = [{ kind: 'item', item: 'ticker:1', duration: 0.1 }, { kind: 'item', item: 'ticker:2', duration: 0.1 }];
        player.update({ entries, items, env: { led: false, maxRows: 8 } });
        await until(() => calls.filter((c) => c[0] === 'begin').length >= 3, 5000, 'three steps');
        player.destroy();
        return calls.slice(0, 6).concat([calls.at(-1)]);""",
    )
    assert result[:6] == [["begin", [1]], ["end", [1]], ["begin", [2]], ["end", [2]], ["begin", [1]], ["end", [1]]]
    assert result[-1][0] == "end", "destroying the region ends the play on screen"


def test_socket_acks_reach_their_callback_once_and_a_drop_answers_null(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { SocketClient } = await m('socket');
        class FakeSocket {
          static made = [];
          constructor(url) { this.url = url; this.sent = []; FakeSocket.made.push(this); }
          send(text) { this.sent.push(text); }
          close() { this.closed = true; }
          serve(text) { this.onmessage({ data: text }); }
        }
        const client = new SocketClient({ url: 'ws://x', namespace: '/screen', auth: { key: 'k' },
                                          WebSocketImpl: FakeSocket, random: () => 0.5 });
        const answers = [];
        const early = client.emitWithAck('plays', {}, (a) => answers.push(['early', a]));
        client.start();
        const ws = FakeSocket.made[0];
        ws.serve('0{"sid":"a","upgrades":[],"pingInterval":25000,"pingTimeout":20000}');
        ws.serve('40/screen,{"sid":"b"}');
        client.emitWithAck('plays', { batch: 'b1', plays: [] }, (a) => answers.push(['first', a]));
        const frame = ws.sent.at(-1);
        ws.serve('43/screen,0[{"ok":true,"accepted":0}]');
        ws.serve('43/screen,0[{"ok":true,"accepted":99}]');    // a repeated answer is dropped
        client.emitWithAck('plays', { batch: 'b2', plays: [] }, (a) => answers.push(['second', a]));
        client.emitWithAck('plays', { batch: 'b3', plays: [] }, (a) => answers.push(['timeout', a]), 30);
        await until(() => answers.length === 2, 2000, 'the timeout');
        client.stop();
        return { early, frame, answers };""",
    )
    assert result["early"] is False
    assert result["frame"] == '42/screen,0["plays",{"batch":"b1","plays":[]}]'
    assert result["answers"] == [["first", {"ok": True, "accepted": 0}], ["timeout", None], ["second", None]]
