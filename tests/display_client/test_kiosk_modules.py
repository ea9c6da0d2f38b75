"""The kiosk touch UI's modules one by one, imported into a blank page of real Chromium."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

STATIC = "/display-static/js/kiosk"


def run(page: Any, body: str) -> Any:
    """Evaluate an async function body with `m(name)` importing a kiosk module."""
    return page.evaluate(f"async () => {{ const m = (name) => import('{STATIC}/' + name + '.js'); {body} }}")


def test_kiosk_catalogues_define_the_same_strings_with_the_same_placeholders(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { kioskCatalogues, createKioskI18n, educationLabel, categoryLabel } = await m('strings');
        const all = kioskCatalogues();
        const shape = (cat) => Object.fromEntries(Object.entries(cat).map(
          ([k, v]) => [k, [...v.matchAll(/\\{(\\w+)\\}/g)].map(x => x[1]).sort()]));
        const zh = createKioskI18n('zh-CN'), en = createKioskI18n('en');
        return { zh: shape(all['zh-CN']), en: shape(all.en),
                 left: zh.t('idle.left', { seconds: 10 }), leftEn: en.t('idle.left', { seconds: 10 }),
                 edu: [educationLabel(zh.t, '高中/中专'), educationLabel(en.t, '高中/中专'), educationLabel(en.t, '??')],
                 cat: [categoryLabel(zh.t, '4', 'x'), categoryLabel(en.t, '4', 'x'), categoryLabel(en.t, '9', 'x')] };""",
    )
    assert result["zh"] == result["en"]
    assert result["left"] == "还剩 10 秒"
    assert result["leftEn"] == "10 s left"
    assert result["edu"] == ["高中/中专", "Senior high or vocational school", "??"]
    assert result["cat"] == ["生活服务", "Services", "x"]


def test_money_arrives_in_fen_and_is_shown_in_yuan_without_floats(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { yuanText, money, monthLabel } = await m('format');
        const { createKioskI18n } = await m('strings');
        const { t } = createKioskI18n('zh-CN');
        return { values: [0, 5, 100, 1234567, 100000000001, -250].map(yuanText),
                 money: money(t, 1369365), none: money(t, null), month: monthLabel(t, '2024-03') };""",
    )
    assert result["values"] == ["0.00", "0.05", "1.00", "12,345.67", "1,000,000,000.01", "-2.50"]
    assert result["money"] == "13,693.65 元"
    assert result["none"] == "无"
    assert result["month"] == "2024年3月"


def test_a_new_session_bumps_the_generation_and_a_re_sent_one_only_replaces_the_token(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { Citizen, NEW, REFRESHED, INVALID } = await m('citizen');
        const c = new Citizen();
        const payload = (id, token) => ({ session_id: id, token, source: 'ssc', idle_seconds: 180,
                                          expires_at: '2026-11-22T01:03:00+00:00',
                                          citizen: { masked_name: '张*', masked_id: '620102********1234' } });
        const out = [];
        out.push([c.take(payload(7, 'a'), 0), c.generation, c.token]);
        c.cache.set('records', 1);
        out.push([c.take(payload(7, 'b'), 0), c.generation, c.token, c.cache.has('records')]);
        out.push([c.take(payload(8, 'c'), 0), c.generation, c.token, c.cache.has('records')]);
        out.push([c.end(7), c.generation, c.token]);
        out.push([c.end(8), c.generation, c.token]);
        out.push([c.take({ session_id: 9 }, 0), c.generation]);
        const d = new Citizen();
        d.take(payload(1, 't'), 0);
        const before = d.current.expiresAt;
        d.activity(before);  // a call that started at the old expiry moves it by the idle time
        return { out, moved: d.current.expiresAt - before };""",
    )
    assert result["out"] == [
        ["new", 1, "a"],
        ["refreshed", 1, "b", True],
        ["new", 2, "c", False],
        [False, 2, "c"],
        [True, 3, None],
        ["invalid", 3],
    ]
    assert result["moved"] == 180_000


def test_api_calls_carry_the_kiosk_and_the_token_and_give_up_after_the_timeout(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { KioskApi, ApiError } = await m('api');
        const calls = [];
        const answer = (status, body) => async (url, init) => {
          calls.push({ url, method: init.method, headers: init.headers, cache: init.cache });
          return new Response(body === null ? null : JSON.stringify(body), { status });
        };
        const ok = await new KioskApi({ screenKey: 'k1', fetchImpl: answer(200, { items: [] }) })
          .get('/vacancies', { params: { district: '城关区', page: 2, q: '' } });
        const fail = async (api, call) => { try { await call(api); return null; } catch (e) {
          return e instanceof ApiError ? [e.status, e.code, e.message] : String(e); } };
        const down = await fail(new KioskApi({ screenKey: 'k1',
          fetchImpl: answer(503, { error: 'backend_unavailable', message: '暂时无法访问' }) }),
          (api) => api.get('/session/records', { token: 'tok' }));
        const finished = await new KioskApi({ screenKey: 'k1', fetchImpl: answer(204, null) })
          .post('/session/finish', { token: 'tok' });
        const hanging = (url, init) => new Promise((_, reject) =>
          init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
        const started = performance.now();
        const slow = await fail(new KioskApi({ screenKey: 'k1', fetchImpl: hanging, timeoutMs: 200 }),
                                (api) => api.get('/session/records', { token: 'tok' }));
        const elapsed = performance.now() - started;
        const stop = new AbortController();
        const pending = fail(new KioskApi({ screenKey: 'k1', fetchImpl: hanging }),
                             (api) => api.get('/vacancies', { signal: stop.signal }));
        stop.abort();
        return { ok, first: calls[0], personal: calls[1], down, finished, slow, elapsed, cancelled: await pending };""",
    )
    assert result["ok"] == {"items": []}
    assert result["first"]["url"] == "/kiosk/api/vacancies?district=%E5%9F%8E%E5%85%B3%E5%8C%BA&page=2"
    assert result["first"]["headers"]["X-Screen-Key"] == "k1"
    assert "X-Citizen-Session" not in result["first"]["headers"]
    assert result["first"]["cache"] == "no-store"
    assert result["personal"]["headers"]["X-Citizen-Session"] == "tok"
    assert result["down"] == [503, "backend_unavailable", "暂时无法访问"]
    assert result["finished"] is None
    assert result["slow"] == [0, "timeout", "timeout"]
    assert 150 <= result["elapsed"] < 2000
    assert result["cancelled"][1] == "cancelled"


def test_the_idle_timer_warns_in_the_last_seconds_and_expires_once(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { IdleTimer, WARN_SECONDS } = await m('idle');
        let now = 0, deadline = 60_000;
        const log = [];
        const timer = new IdleTimer({ now: () => now, deadline: () => deadline,
          onWarn: (s) => log.push('warn ' + s), onCalm: () => log.push('calm'), onExpire: () => log.push('expire') });
        for (const at of [0, 44_000, 45_000, 50_500, 59_999, 60_000, 61_000]) { now = at; timer.check(); }
        deadline = 120_000;  // someone touched the screen
        now = 62_000; timer.check();
        deadline = null; now = 200_000; timer.check();  // the attract loop: nothing runs
        return { warn: WARN_SECONDS, log };""",
    )
    assert result["warn"] == 15
    assert result["log"] == ["warn 15", "warn 10", "warn 1", "calm", "expire"]


def test_a_failed_call_says_what_happened_and_where_the_page_goes(module_page: Any) -> None:
    result = run(
        module_page,
        """
        const { failure } = await m('errors');
        const { ApiError } = await m('api');
        const cases = [
          [new ApiError(0, 'cancelled'), true], [new ApiError(401, 'session_ended'), true],
          [new ApiError(404, 'unknown_person'), true], [new ApiError(404, 'not_found'), false],
          [new ApiError(503, 'backend_unavailable'), true], [new ApiError(0, 'timeout'), true],
          [new ApiError(0, 'network'), false], [new ApiError(400, 'bad_request'), false], [new Error('bug'), false],
        ];
        return cases.map(([err, personal]) => { const f = failure(err, personal); return [f.go, f.name || null, f.body || null]; });""",
    )
    assert result == [
        [None, None, None],
        ["attract", None, None],
        ["home", "unknown-person", "error.unknown_person.body"],
        ["back", "not-found", "error.not_found.body"],
        ["home", "unavailable", "error.unavailable.body"],
        ["home", "unavailable", "error.timeout.body"],
        ["home", "unavailable", "error.public.body"],
        ["home", "error", "error.generic.body"],
        ["home", "unavailable", "error.public.body"],
    ]
