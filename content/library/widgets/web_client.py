"""Reading a web page or feed URL for the server: allow-listed hosts only, bounded in time and size.

Used by the framing probe (``web_page_probe``) and the feed fetcher (``feed_fetch``). Every hop of a
redirect is checked against the allow-list before it is followed, so a listed host cannot bounce
the server to one that is not. The whole answer must arrive before the deadline (a server that
trickles one byte a second does not hold a worker for minutes), and a body past the cap is refused
rather than read.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from enum import StrEnum
from typing import IO, Any, Final

from content.errors import ContentError
from content.library.widgets.hosts import HostAllowList, host_of

USER_AGENT: Final = "hall-signage-widgets/1 (+server-side fetch for hall screens)"
MAX_REDIRECTS: Final = 5
_CHUNK: Final = 16 * 1024


class FetchProblem(StrEnum):
    """Why a fetch or a parse failed: the console shows each in words (``feeds.error.<code>``)."""

    HOST_NOT_ALLOWED = "host_not_allowed"  # 主机不在允许列表
    TIMEOUT = "timeout"  # 超时
    UNREACHABLE = "unreachable"  # 无法连接
    HTTP_STATUS = "http_status"  # the server answered with an error status
    TOO_LARGE = "too_large"  # 太大
    HTML_NOT_FEED = "html_not_feed"  # 返回的是网页而不是RSS
    BAD_XML = "bad_xml"  # 非法XML
    NOT_A_FEED = "not_a_feed"  # well-formed XML, but neither RSS nor Atom
    BAD_JSON = "bad_json"
    JSON_PATH = "json_path"  # the mapping's path does not lead to a list
    NO_ENTRIES = "no_entries"


class FetchError(ContentError):
    """A URL could not be read or understood; ``code`` is a ``FetchProblem``, ``detail`` says what exactly."""

    def __init__(self, code: FetchProblem, detail: str) -> None:
        super().__init__(f"{code.value}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    headers: Message
    body: bytes

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to an allow-listed URL, and at most MAX_REDIRECTS times."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, allow: HostAllowList) -> None:
        self.allow = allow

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        problem = self.allow.url_problem(newurl)
        if problem is not None:
            raise FetchError(FetchProblem.HOST_NOT_ALLOWED, f"redirected to {host_of(newurl) or newurl}: {problem}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _read_capped(response: IO[bytes], max_bytes: int, deadline: float, url: str) -> bytes:
    declared = response.headers.get("Content-Length") if hasattr(response, "headers") else None
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(FetchProblem.TOO_LARGE, f"{host_of(url)} sends {int(declared)} bytes; at most {max_bytes}")
    parts: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(FetchProblem.TIMEOUT, f"{host_of(url)} did not finish answering in time")
        chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(FetchProblem.TOO_LARGE, f"{host_of(url)} sent more than {max_bytes} bytes")
        parts.append(chunk)


def fetch(url: str, allow: HostAllowList, *, timeout: float, max_bytes: int, accept: str = "*/*") -> Fetched:
    """GET ``url`` (an allow-listed URL); a ``FetchError`` says why not. 4xx/5xx answers are errors too."""
    problem = allow.url_problem(url)
    if problem is not None:
        raise FetchError(FetchProblem.HOST_NOT_ALLOWED, problem)
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(_Redirects(allow))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
    host = host_of(url)
    try:
        with opener.open(request, timeout=timeout) as response:
            body = _read_capped(response, max_bytes, deadline, response.geturl())
            return Fetched(response.geturl(), response.status, response.headers, body)
    except FetchError:
        raise
    except urllib.error.HTTPError as err:
        raise FetchError(FetchProblem.HTTP_STATUS, f"{host} answered {err.code} {err.reason}") from err
    except TimeoutError as err:
        raise FetchError(FetchProblem.TIMEOUT, f"{host} did not answer within {timeout:g} s") from err
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            raise FetchError(FetchProblem.TIMEOUT, f"{host} did not answer within {timeout:g} s") from err
        raise FetchError(FetchProblem.UNREACHABLE, f"cannot reach {host}: {err.reason}") from err
    except (OSError, ValueError, http.client.HTTPException) as err:  # a reset connection, a malformed answer
        raise FetchError(FetchProblem.UNREACHABLE, f"cannot read from {host}: {err}") from err
