"""The player's modules one by one, imported into a blank page of real Chromium."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

STATIC = "/display-static/js"


def run(page: Any, body: str) -> Any:
    """Evaluate an async function body with `m(name)` importing a player module."""
    return page.evaluate(f"async () => {{ const m = (name) => import('{STATIC}/' + name + '.js'); {body} }}")


def test_backoff_is_exponential_capped_at_a_minute_with_jitter(module_page: Any) -> None:
    delays = run(
        module_page,
        """
        const { backoffDelay } = await m('socket');
        return {
          low: [0, 1, 2, 3, 6, 7, 10].map(a => backoffDelay(a, () => 0)),
          mid: [0, 1, 2, 5, 6, 20].map(a => backoffDelay(a, () => 0.5)),
          high: [0, 6].map(a => backoffDelay(a, () => 0.999999)),
        };""",
    )
    assert delays["low"] == [500, 1000, 2000, 4000, 30000, 30000, 30000]
    assert delays["mid"] == [1000, 2000, 4000, 32000, 60000, 60000]
    assert [round(d) for d in delays["high"]] == [1500, 90000]


def test_socket_packets_encode_and_parse(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { encodePacket, parsePacket } = await m('socket');
        return {
          connect: encodePacket('0', '/screen', { key: 'k1' }),
          event: encodePacket('2', '/screen', ['hello', { held: {} }]),
          ack: encodePacket('3', '/screen', [], 7),
          parsedEvent: parsePacket('2/screen,["manifest",{"seq":42}]'),
          parsedAck: parsePacket('2/screen,12["welcome",{}]'),
          parsedError: parsePacket('4/screen,{"message":"unknown screen"}'),
          parsedDisconnect: parsePacket('1/screen,'),
          broken: parsePacket('2/screen,["unterminated'),
        };""",
    )
    assert result["connect"] == '40/screen,{"key":"k1"}'
    assert result["event"] == '42/screen,["hello",{"held":{}}]'
    assert result["ack"] == "43/screen,7[]"
    assert result["parsedEvent"] == {"type": "2", "nsp": "/screen", "id": None, "data": ["manifest", {"seq": 42}]}
    assert result["parsedAck"]["id"] == 12
    assert result["parsedError"]["data"] == {"message": "unknown screen"}
    assert result["parsedDisconnect"]["type"] == "1" and result["parsedDisconnect"]["nsp"] == "/screen"
    assert result["broken"] is None


# A WebSocket stand-in that records what the client sends and lets the test play the server.
FAKE_SOCKET = """
    class FakeSocket {
      static made = [];
      constructor(url) { this.url = url; this.sent = []; FakeSocket.made.push(this); }
      send(text) { this.sent.push(text); }
      close() { this.closed = true; }
      serve(text) { this.onmessage({ data: text }); }
      drop() { this.onclose(); }
    }
"""


def test_socket_client_speaks_engine_io_and_socket_io(module_page: Any) -> None:
    result = run(
        module_page,
        FAKE_SOCKET
        + """
        const { SocketClient } = await m('socket');
        const log = [];
        const client = new SocketClient({
          url: 'ws://x/socket.io/?EIO=4&transport=websocket', namespace: '/screen', auth: { key: 'k1' },
          WebSocketImpl: FakeSocket,
          onConnect: () => log.push('connect'),
          onEvent: (name, data) => log.push([name, data]),
          onStatus: (s) => log.push('status:' + s),
          onConnectError: (d) => log.push(['error', d]),
        });
        client.start();
        const ws = FakeSocket.made[0];
        ws.serve('0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}');
        const afterOpen = [...ws.sent];
        ws.serve('2');
        const afterPing = ws.sent.at(-1);
        const emittedEarly = client.emit('hello', {});
        ws.serve('40/screen,{"sid":"def"}');
        const emitted = client.emit('hello', { held: { manifest: { seq: 1, version: 'v' } } });
        ws.serve('42/screen,["manifest",{"seq":42}]');
        ws.serve('42/other,["manifest",{"seq":99}]');
        ws.serve('42/screen,5["welcome",{"heartbeat_seconds":45}]');
        const ackSent = ws.sent.at(-1);
        ws.serve('44/screen,{"message":"unknown screen"}');
        client.stop();
        return { url: ws.url, afterOpen, afterPing, emittedEarly, emitted, hello: ws.sent[2], ackSent, log,
                 closed: !!ws.closed };""",
    )
    assert result["url"] == "ws://x/socket.io/?EIO=4&transport=websocket"
    assert result["afterOpen"] == ['40/screen,{"key":"k1"}']
    assert result["afterPing"] == "3"
    assert result["emittedEarly"] is False, "nothing may be sent before the namespace is connected"
    assert result["emitted"] is True
    assert result["hello"] == '42/screen,["hello",{"held":{"manifest":{"seq":1,"version":"v"}}}]'
    assert result["ackSent"] == "43/screen,5[]"
    assert result["log"] == [
        "status:connecting",
        "status:online",
        "connect",
        ["manifest", {"seq": 42}],
        ["welcome", {"heartbeat_seconds": 45}],
        ["error", {"message": "unknown screen"}],
        "status:offline",
    ]
    assert result["closed"] is True


def test_socket_client_backs_off_and_resets_after_a_stable_connection(module_page: Any) -> None:
    attempts = run(
        module_page,
        FAKE_SOCKET
        + """
        const { SocketClient } = await m('socket');
        let clock = 0;
        const client = new SocketClient({ url: 'ws://x', namespace: '/screen', WebSocketImpl: FakeSocket,
                                          now: () => clock, random: () => 0.5 });
        client.start();
        const seen = [];
        const connect = () => {
          const ws = FakeSocket.made.at(-1);
          ws.serve('0{"sid":"a","pingInterval":25000,"pingTimeout":20000}');
          ws.serve('40/screen,{"sid":"b"}');
          return ws;
        };
        connect().drop(); seen.push(client.attempt);           // up for 0 s
        client._open(); connect().drop(); seen.push(client.attempt);
        client._open(); const ws = connect(); clock += 30000; ws.drop(); seen.push(client.attempt);  // stable
        client.stop();
        return seen;""",
    )
    assert attempts == [1, 2, 1], "the attempt counter must grow, then restart after 30 s connected"


def test_socket_client_closes_a_connection_that_stops_pinging(module_page: Any) -> None:
    result = run(
        module_page,
        FAKE_SOCKET
        + """
        const { SocketClient } = await m('socket');
        const states = [];
        const client = new SocketClient({ url: 'ws://x', namespace: '/screen', WebSocketImpl: FakeSocket,
                                          onStatus: (s) => states.push(s) });
        client.start();
        const ws = FakeSocket.made[0];
        ws.serve('0{"sid":"a","pingInterval":100,"pingTimeout":100}');
        ws.serve('40/screen,{"sid":"b"}');
        await new Promise((resolve) => {
          const started = Date.now();
          const check = () => (ws.closed || Date.now() - started > 5000) ? resolve() : setTimeout(check, 20);
          check();
        });
        client.stop();
        return { closed: !!ws.closed, states };""",
    )
    assert result["closed"] is True
    assert result["states"][:3] == ["connecting", "online", "offline"]


def test_store_applies_only_newer_seq_and_persists(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { Store } = await m('store');
        const mk = (seq, version, group = 'g1') => ({ stream: 'manifest', seq, version, group,
                                                      manifest: { segments: [], items: {} } });
        localStorage.clear();
        const store = new Store({ storage: localStorage, screenKey: 'k' });
        const out = [
          store.applyManifest(mk(5, 'a')),
          store.applyManifest(mk(5, 'b')),
          store.applyManifest(mk(4, 'c')),
          store.applyManifest(mk(6, 'a')),
          store.applyManifest(mk(7, 'd', 'g2')),
          store.applyManifest({ seq: 9 }),
        ];
        const held = store.held();
        const again = new Store({ storage: localStorage, screenKey: 'k' });
        const restored = again.restore();
        const other = new Store({ storage: localStorage, screenKey: 'other' });
        localStorage.setItem('wall:broken:manifest', '{not json');
        const broken = new Store({ storage: localStorage, screenKey: 'broken' });
        return { out, held, restored, seq: again.seq, version: again.version, group: again.group,
                 otherRestored: other.restore(), brokenRestored: broken.restore() };""",
    )
    assert [o["status"] for o in result["out"]] == ["applied", "stale", "stale", "same-version", "applied", "invalid"]
    assert [o["groupChanged"] for o in result["out"]] == [False, False, False, False, True, False]
    assert result["held"] == {"manifest": {"seq": 7, "version": "d"}}
    assert result["restored"] is True
    assert (result["seq"], result["version"], result["group"]) == (7, "d", "g2")
    assert result["otherRestored"] is False
    assert result["brokenRestored"] is False


def test_timeline_picks_the_segment_of_now_and_clamps_outside_the_horizon(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { segmentIndexAt, nextBoundaryAfter, Timeline } = await m('timeline');
        const manifest = { segments: [
          { start: '2026-11-22T00:00:00+00:00', end: '2026-11-22T04:00:00+00:00' },
          { start: '2026-11-22T04:00:00+00:00', end: '2026-11-23T00:00:00+00:00' },
        ] };
        const at = (iso) => Date.parse(iso);
        const changes = [];
        const timeline = new Timeline({ systemNow: () => at('2026-11-22T03:00:00Z'),
                                        onChange: (c) => changes.push(c && c.index) });
        timeline.setManifest(manifest);
        timeline.setServerTime('2026-11-22T05:00:00Z', at('2026-11-22T03:00:00Z'));
        const offset = timeline.offsetMs;
        const current = timeline.current().index;
        timeline.stop();
        return {
          before: segmentIndexAt(manifest, at('2026-11-21T23:00:00Z')),
          first: segmentIndexAt(manifest, at('2026-11-22T03:59:59Z')),
          boundary: segmentIndexAt(manifest, at('2026-11-22T04:00:00Z')),
          after: segmentIndexAt(manifest, at('2026-11-24T00:00:00Z')),
          none: segmentIndexAt({ segments: [] }, 0),
          next: new Date(nextBoundaryAfter(manifest, at('2026-11-22T01:00:00Z'))).toISOString(),
          offset, current, changes,
        };""",
    )
    assert (result["before"], result["first"], result["boundary"], result["after"], result["none"]) == (0, 0, 1, 1, -1)
    assert result["next"] == "2026-11-22T04:00:00.000Z"
    assert result["offset"] == 2 * 3600 * 1000
    assert result["current"] == 1, "the server-time offset moves the wall into the next segment"
    assert result["changes"] == [0, 1]


def test_clock_formats_date_weekday_and_time_in_the_hall_time_zone(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { formatClock } = await m('clock');
        const { createI18n } = await m('i18n');
        const at = Date.parse('2026-11-22T01:05:00Z');
        return {
          shanghai: formatClock(at, { timeZone: 'Asia/Shanghai', i18n: createI18n('zh-CN') }),
          urumqi: formatClock(at, { timeZone: 'Asia/Urumqi', i18n: createI18n('zh-CN') }),
          broken: formatClock(at, { timeZone: 'Mars/Olympus', i18n: createI18n('zh-CN') }),
          english: formatClock(at, { timeZone: 'Asia/Shanghai', i18n: createI18n('en') }),
        };""",
    )
    assert result["shanghai"] == {"date": "2026年11月22日 星期日", "time": "09:05"}
    assert result["urumqi"] == {"date": "2026年11月22日 星期日", "time": "07:05"}
    assert result["broken"] == result["shanghai"], "an unknown zone falls back to Asia/Shanghai"
    assert result["english"] == {"date": "Sunday, November 22, 2026", "time": "09:05"}


def test_catalogues_define_the_same_strings_with_the_same_placeholders(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { catalogues, createI18n } = await m('i18n');
        const all = catalogues();
        const shape = (cat) => Object.fromEntries(Object.entries(cat).map(
          ([k, v]) => [k, [...v.matchAll(/\\{(\\w+)\\}/g)].map(x => x[1]).sort()]));
        const zh = createI18n('zh-CN'), en = createI18n('en-GB'), fallback = createI18n('fr');
        return {
          zh: shape(all['zh-CN']), en: shape(all.en),
          pager: zh.t('pager', { page: 1, pages: 5 }), pagerEn: en.t('pager', { page: 1, pages: 5 }),
          fallbackLang: fallback.lang,
          parts: zh.parts('vacancies.led', { title: '电工', salary: '5000元', count: 3 }),
        };""",
    )
    assert result["zh"] == result["en"]
    assert result["pager"] == "第 1/5 页"
    assert result["pagerEn"] == "Page 1 of 5"
    assert result["fallbackLang"] == "zh-CN"
    assert result["parts"] == [
        {"name": "title", "text": "电工"},
        {"text": "　"},
        {"name": "salary", "text": "5000元"},
        {"text": "　招"},
        {"name": "count", "text": "3"},
        {"text": "人"},
    ]


def test_durations_fall_back_when_missing_or_invalid(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { durationMs, FALLBACK_SECONDS } = await m('_dom');
        return { fallback: FALLBACK_SECONDS,
                 values: [12, '8', null, undefined, 0, -3, NaN, 'abc', Infinity, {}].map(v => durationMs(v)),
                 none: durationMs(null, null) };""",
    )
    assert result["fallback"] == 15
    assert result["values"] == [12000, 8000, 15000, 15000, 15000, 15000, 15000, 15000, 15000, 15000]
    assert result["none"] is None


def test_entries_expand_to_pages_and_skip_what_is_missing(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { expandEntries } = await m('region-player');
        const v = (id) => ({ kind: 'vacancy', id, title: 'T' + id });
        const items = { 'vacancy:1': v(1), 'vacancy:2': v(2), 'vacancy:3': v(3), 'notice:1': { kind: 'notice', id: 1 },
                        'ticker:1': { kind: 'ticker', id: 1, text: 'x' } };
        const entries = [
          { kind: 'vacancy_board', items: ['vacancy:1', 'vacancy:2', 'vacancy:3', 'vacancy:404'], page_size: 2 },
          { kind: 'notice_feed', items: ['notice:1', 'notice:404'], duration: 5 },
          { kind: 'item', item: 'media:404' },
          { kind: 'item', item: 'ticker:1' },
          { kind: 'mystery' },
        ];
        const count = (env) => expandEntries(entries, items, env).length;
        const zero = expandEntries([{ kind: 'vacancy_board', items: ['vacancy:1'], page_size: 0 }], items,
                                   { led: false, maxRows: 8 }).length;
        return { wall: count({ led: false, maxRows: 8 }), tight: count({ led: false, maxRows: 1 }),
                 led: count({ led: true, maxRows: 8 }), zero };""",
    )
    assert result == {"wall": 4, "tight": 5, "led": 5, "zero": 1}


def test_a_guide_placed_as_one_item_plays_as_its_feed_would(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { expandEntries } = await m('region-player');
        const guide = { kind: 'guide', id: 7, title: '失业登记', steps: ['登记', '审核', '办结'], materials: [] };
        const items = { 'guide:7': guide };
        const keys = (entries, env) => expandEntries(entries, items, env).map((s) => s.key);
        const env = (led) => ({ led, maxRows: 8 });
        const one = [{ kind: 'item', item: 'guide:7', duration: 20 }];
        const feed = [{ kind: 'guide_feed', items: ['guide:7'], duration: 20 }];
        return { wall: keys(one, env(false)).length, led: keys(one, env(true)).length,
                 same: JSON.stringify(keys(one, env(true))) === JSON.stringify(keys(feed, env(true))) };""",
    )
    assert result["wall"] == 1 and result["led"] == 1, "one step, which pages itself on the LED"
    assert result["same"], "a guide shown alone plays exactly as it does in a feed"


def test_region_geometry_is_in_fractions_of_the_screen(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { regionStyle, widgetOf } = await m('layout');
        return { style: regionStyle({ x: 0.1, y: 0.1, w: 0.7, h: 0.82, z: 2 }),
                 defaults: regionStyle({}), widget: widgetOf({ widget: 'carousel' }) };""",
    )
    assert result["style"] == {"left": "10%", "top": "10%", "width": "70%", "height": "82%", "zIndex": "2"}
    assert result["defaults"] == {"left": "0%", "top": "0%", "width": "100%", "height": "100%", "zIndex": "0"}
    assert result["widget"] == "playlist"


def test_expired_emergencies_are_not_shown(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { activeEmergencies } = await m('emergency');
        const segment = { emergencies: [
          { id: 1, expires_at: '2026-11-22T02:00:00+00:00' },
          { id: 2, expires_at: '2026-11-22T04:00:00+00:00' },
          { id: 3 },
        ] };
        return activeEmergencies(segment, Date.parse('2026-11-22T03:00:00Z')).map(e => e.id);""",
    )
    assert result == [2, 3]
