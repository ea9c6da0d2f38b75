"""Feeds fetched and pages probed against a real local HTTP server: every bad answer named for what it is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from content.library.widgets.feed_fetch import FeedSpec, fetch_feed
from content.library.widgets.hosts import HostAllowList
from content.library.widgets.web_client import FetchError, FetchProblem
from content.library.widgets.web_page_probe import framing_refusal, probe
from content.library.widgets.web_pages import FrameStatus
from tests.support.widget_server import WidgetServer, widget_server

LOCAL = HostAllowList.parse("http://127.0.0.1")
MAPPING = {"list": "data.items", "title": "name", "summary": "desc", "date": "time", "link": "url"}


@pytest.fixture
def server() -> Iterator[WidgetServer]:
    with widget_server() as running:
        yield running


def spec(url: str, fmt: str = "xml", limit: int = 10, mapping: dict[str, str] | None = None) -> FeedSpec:
    return FeedSpec(1, url, fmt, limit, mapping or {})


def failure(url: str, fmt: str = "xml", allow: HostAllowList = LOCAL, **kwargs: float) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch_feed(spec(url, fmt), allow, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_rss_entries_come_as_plain_text_with_utc_dates(server: WidgetServer) -> None:
    entries = fetch_feed(spec(server.url("/rss")), LOCAL)
    assert [e["title"] for e in entries] == [
        "2026年高校毕业生就业服务月启动",
        "失业保险稳岗返还政策延续实施",
        "职业技能提升行动补贴申领指南",
    ]
    assert entries[0]["summary"] == "全省各级公共就业服务机构集中开展招聘活动。"
    assert entries[0]["date"] == "2026-12-07T01:00:00+00:00"
    assert entries[1]["date"] == "2026-12-04T00:30:00+00:00"  # +0800 taken into account
    assert entries[0]["link"] == "http://127.0.0.1/news/1"
    assert entries[2]["date"] == "" and entries[2]["link"] == ""


def test_at_most_the_feeds_limit_of_entries(server: WidgetServer) -> None:
    assert len(fetch_feed(spec(server.url("/rss"), limit=2), LOCAL)) == 2


def test_atom_entries_with_html_titles_and_summaries_become_text(server: WidgetServer) -> None:
    entries = fetch_feed(spec(server.url("/atom")), LOCAL)
    assert [e["title"] for e in entries] == ["社保卡服务网点调整公告", "养老保险待遇认证提醒"]
    assert entries[0]["summary"] == "自12月起调整。"
    assert entries[0]["link"] == "http://127.0.0.1/a/1"
    assert entries[1]["summary"] == "请按时认证。"  # <content> when there is no <summary>
    assert entries[1]["date"] == "2026-12-04T18:00:00+00:00"


def test_json_entries_follow_the_mapping_and_skip_those_without_a_title(server: WidgetServer) -> None:
    entries = fetch_feed(spec(server.url("/json"), "json", mapping=MAPPING), LOCAL)
    assert [e["title"] for e in entries] == ["人力资源市场周五专场招聘", "创业担保贷款申请开放"]
    assert entries[0]["summary"] == "岗位300余个"
    assert entries[0]["date"] == "2026-12-11T01:00:00+00:00"
    assert entries[1]["link"] == "http://x/1"


def test_a_json_mapping_whose_path_is_not_a_list_is_named(server: WidgetServer) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_feed(spec(server.url("/json"), "json", mapping={"list": "data.nothing", "title": "name"}), LOCAL)
    assert caught.value.code is FetchProblem.JSON_PATH
    assert "data.nothing" in caught.value.detail


@pytest.mark.parametrize("path", ["/html", "/html-as-xml"])
def test_a_web_page_instead_of_a_feed_is_called_that(server: WidgetServer, path: str) -> None:
    err = failure(server.url(path))
    assert err.code is FetchProblem.HTML_NOT_FEED
    assert "web page" in err.detail


def test_script_in_a_feed_is_dropped_and_the_words_stay(server: WidgetServer) -> None:
    [entry] = fetch_feed(spec(server.url("/scripted")), LOCAL)
    for text in (entry["title"], entry["summary"]):
        assert "<" not in text and "alert" not in text and "document.location" not in text
    assert entry["title"] == "通知标题"
    assert entry["summary"] == "正文结束"


def test_a_billion_laughs_document_is_refused_not_expanded(server: WidgetServer) -> None:
    err = failure(server.url("/laughs"))
    assert err.code is FetchProblem.BAD_XML
    assert "entities" in err.detail


def test_broken_xml_is_named(server: WidgetServer) -> None:
    assert failure(server.url("/broken")).code is FetchProblem.BAD_XML


def test_a_slow_server_times_out(server: WidgetServer) -> None:
    err = failure(server.url("/slow"), timeout=0.5)
    assert err.code is FetchProblem.TIMEOUT
    assert "127.0.0.1" in err.detail


def test_a_server_that_sends_headers_and_then_nothing_times_out(server: WidgetServer) -> None:
    assert failure(server.url("/hang"), timeout=0.5).code is FetchProblem.TIMEOUT


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_a_body_over_one_megabyte_is_refused(server: WidgetServer, path: str) -> None:
    err = failure(server.url(path))
    assert err.code is FetchProblem.TOO_LARGE
    assert str(1024 * 1024) in err.detail


def test_a_redirect_to_a_host_off_the_list_is_not_followed(server: WidgetServer) -> None:
    err = failure(server.url("/away"))
    assert err.code is FetchProblem.HOST_NOT_ALLOWED
    assert "evil.example.net" in err.detail


def test_a_redirect_within_the_list_is_followed(server: WidgetServer) -> None:
    assert len(fetch_feed(spec(server.url("/home")), LOCAL)) == 3
    assert server.hits[-2:] == ["/home", "/rss"]


def test_a_host_off_the_list_is_never_asked(server: WidgetServer) -> None:
    err = failure(server.url("/rss").replace("127.0.0.1", "localhost"))
    assert err.code is FetchProblem.HOST_NOT_ALLOWED
    assert "localhost" in err.detail
    assert server.hits == []


def test_an_empty_allow_list_refuses_everything_and_says_how_to_enable_it(server: WidgetServer) -> None:
    err = failure(server.url("/rss"), allow=HostAllowList())
    assert err.code is FetchProblem.HOST_NOT_ALLOWED
    assert "KIOSK_WIDGET_HOSTS" in err.detail
    assert server.hits == []


def test_plain_http_needs_the_host_listed_with_its_scheme(server: WidgetServer) -> None:
    err = failure(server.url("/rss"), allow=HostAllowList.parse("127.0.0.1"))
    assert "https only" in err.detail
    assert server.hits == []


def test_a_page_with_x_frame_options_deny_refuses_framing(server: WidgetServer) -> None:
    result = probe(server.url("/deny"), LOCAL)
    assert result.status is FrameStatus.REFUSES
    assert result.detail == "X-Frame-Options: DENY"


def test_a_page_whose_frame_ancestors_leave_us_out_refuses_framing(server: WidgetServer) -> None:
    result = probe(server.url("/ancestors"), LOCAL)
    assert result.status is FrameStatus.REFUSES
    assert "frame-ancestors 'self'" in result.detail


def test_a_plain_page_may_be_framed(server: WidgetServer) -> None:
    assert probe(server.url("/page"), LOCAL).status is FrameStatus.OK


def test_a_page_that_does_not_answer_is_unreachable(server: WidgetServer) -> None:
    assert probe(server.url("/nowhere"), LOCAL).status is FrameStatus.UNREACHABLE  # 404
    assert probe(server.url("/slow"), LOCAL, timeout=0.5).status is FrameStatus.UNREACHABLE


@pytest.mark.parametrize(
    ("xfo", "csp", "refused"),
    [
        ("SAMEORIGIN", "", True),
        ("", "frame-ancestors *", False),
        ("", "frame-ancestors 'none'", True),
        ("", "frame-ancestors https://screens.example.cn", False),
        ("", "default-src 'self'", False),
        ("ALLOW-FROM https://a.cn", "", True),
    ],
)
def test_framing_rules(xfo: str, csp: str, refused: bool) -> None:
    assert (framing_refusal(xfo, csp, {"screens.example.cn"}) is not None) is refused
