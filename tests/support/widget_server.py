"""A real local HTTP server for the web page and data feed tests: good feeds, bad feeds, slow and huge answers.

Each path is one case the fetcher and the framing probe must handle (issue 23, "Bad input and
faults"). It listens on 127.0.0.1 on a free port, in a thread, for the length of a test.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Final

RSS: Final = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>人社新闻</title><link>http://127.0.0.1/</link><description>d</description>
<item><title>2026年高校毕业生就业服务月启动</title><link>http://127.0.0.1/news/1</link>
<description><![CDATA[<p>全省各级<b>公共就业服务机构</b>集中开展招聘活动。</p>]]></description>
<pubDate>Mon, 07 Dec 2026 01:00:00 GMT</pubDate></item>
<item><title>失业保险稳岗返还政策延续实施</title><link>http://127.0.0.1/news/2</link>
<description>符合条件的企业可申请返还。</description><pubDate>Fri, 04 Dec 2026 08:30:00 +0800</pubDate></item>
<item><title>职业技能提升行动补贴申领指南</title><description>按规定申领。</description></item>
</channel></rss>"""

ATOM: Final = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>公告</title><id>urn:x</id><updated>2026-12-07T00:00:00Z</updated>
<entry><title>社保卡服务网点调整公告</title><id>urn:1</id><updated>2026-12-06T02:00:00Z</updated>
<link rel="alternate" href="http://127.0.0.1/a/1"/><summary type="html">&lt;p&gt;自12月起调整。&lt;/p&gt;</summary></entry>
<entry><title type="html">&lt;b&gt;养老保险&lt;/b&gt;待遇认证提醒</title><id>urn:2</id>
<published>2026-12-05T02:00:00+08:00</published><content>请按时认证。</content></entry>
</feed>"""

JSON_FEED: Final = json.dumps(
    {
        "data": {
            "items": [
                {"name": "人力资源市场周五专场招聘", "desc": "岗位300余个", "time": "2026-12-11T09:00:00+08:00"},
                {"name": "创业担保贷款申请开放", "desc": "最高30万元", "time": "2026-12-01", "url": "http://x/1"},
                {"desc": "没有标题的一条"},
            ]
        }
    },
    ensure_ascii=False,
)

SCRIPTED: Final = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>通知&lt;script&gt;alert(1)&lt;/script&gt;标题</title>
<description><![CDATA[正文<script>document.location='http://evil/'</script><img src=x onerror=alert(2)>结束]]></description>
</item></channel></rss>"""

LAUGHS: Final = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rss version="2.0"><channel><title>&lol4;</title><item><title>&lol4;</title></item></channel></rss>"""

HTML_PAGE: Final = "<!DOCTYPE html><html><head><title>首页</title></head><body><h1>欢迎</h1></body></html>"
FRAMED_PAGE: Final = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>本地页面</title></head>'
    '<body style="margin:0;background:#e8f1fb;font:48px sans-serif">'
    '<h1 id="framed">本地允许的网页 Framed page</h1></body></html>'
)
SLOW_SECONDS: Final = 3.0
BIG_BYTES: Final = 2 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass  # quiet tests

    def _send(self, status: int, body: str | bytes, content_type: str, **headers: str) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.hits.append(self.path)
        path = self.path.split("?")[0]
        if path == "/rss":
            self._send(200, RSS, "application/rss+xml; charset=utf-8")
        elif path == "/atom":
            self._send(200, ATOM, "application/atom+xml")
        elif path == "/json":
            self._send(200, JSON_FEED, "application/json; charset=utf-8")
        elif path == "/html":
            self._send(200, HTML_PAGE, "text/html; charset=utf-8")
        elif path == "/html-as-xml":  # a front page served with an XML type: recognised by its body
            self._send(200, HTML_PAGE, "application/xml")
        elif path == "/scripted":
            self._send(200, SCRIPTED, "application/rss+xml")
        elif path == "/laughs":
            self._send(200, LAUGHS, "application/xml")
        elif path == "/broken":
            self._send(200, "<rss><channel><item><title>半截", "application/xml")
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._send(200, RSS, "application/rss+xml")
        elif path == "/big":
            self._send(200, b"<rss>" + b" " * BIG_BYTES + b"</rss>", "application/rss+xml")
        elif path == "/big-unannounced":  # no Content-Length: the cap must hold while reading
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            for _ in range(BIG_BYTES // 65536 + 1):
                self.wfile.write(b" " * 65536)
            self.close_connection = True
        elif path == "/away":
            self._send(302, "", "text/plain", Location="https://evil.example.net/feed.rss")
        elif path == "/home":
            self._send(302, "", "text/plain", Location="/rss")
        elif path == "/deny":
            self._send(200, FRAMED_PAGE, "text/html; charset=utf-8", X_Frame_Options="DENY")
        elif path == "/ancestors":
            self._send(
                200, FRAMED_PAGE, "text/html", Content_Security_Policy="default-src 'self'; frame-ancestors 'self'"
            )
        elif path == "/page":
            self._send(200, FRAMED_PAGE, "text/html; charset=utf-8")
        elif path == "/hang":  # answers headers, then never the body
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100")
            self.end_headers()
            time.sleep(SLOW_SECONDS)
        else:
            self._send(404, "not found", "text/plain")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up on a huge or slow answer is what those cases test


@dataclass(frozen=True)
class WidgetServer:
    base: str  # http://127.0.0.1:<port>
    hits: list[str]

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def widget_server() -> Iterator[WidgetServer]:
    """Serve the cases above on a free port until the block ends."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield WidgetServer(f"http://127.0.0.1:{server.server_address[1]}", server.hits)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
