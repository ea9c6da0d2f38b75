"""Turning a fetched feed (RSS 2.0, Atom or JSON) into plain-text entries for screens.

XML is parsed with defusedxml: a document that declares entities (the billion-laughs bomb, an
external entity reading a file) is refused, never expanded. Every text is reduced to plain text by
the project's sanitizer (``content.library.sanitize.plain_text``), so a feed carrying ``<script>``
shows words, not code. A page of HTML where a feed was expected is named as such: it is the most
common mistake (the site's front page instead of its RSS link).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final
from xml.etree.ElementTree import Element, ParseError

from content.library.sanitize import plain_text
from content.library.widgets.data_feeds import FeedFormat
from content.library.widgets.web_client import FetchError, FetchProblem

try:  # a runtime dependency (pyproject); guarded so the rest of the library imports without it
    from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
    from defusedxml.ElementTree import fromstring as safe_fromstring  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - installed everywhere the lock file is
    safe_fromstring = None
    DefusedXmlException = ValueError

TITLE_MAX: Final = 200
SUMMARY_MAX: Final = 600
LINK_MAX: Final = 500
ATOM: Final = "{http://www.w3.org/2005/Atom}"
_HTML_START: Final = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class JsonMapping:
    """Where a JSON feed keeps its list, and which field of each element is which (dotted paths)."""

    list: str = ""  # "" when the document itself is the list
    title: str = "title"
    summary: str = ""
    date: str = ""
    link: str = ""

    @classmethod
    def of(cls, mapping: Mapping[str, Any] | None) -> JsonMapping:
        known = {k: str(v) for k, v in (mapping or {}).items() if k in cls.__dataclass_fields__ and v is not None}
        return cls(**known)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _date(text: str) -> str:
    """An RFC 822 (RSS) or ISO 8601 (Atom, JSON) date as an ISO instant in UTC; "" when unreadable."""
    text = text.strip()
    if not text:
        return ""
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # a feed without an offset: taken as UTC
    return moment.astimezone(UTC).isoformat()


def _link(text: str) -> str:
    text = text.strip()
    return text if text.startswith(("https://", "http://")) and len(text) <= LINK_MAX else ""


def entry(title: str, summary: str, date: str, link: str) -> dict[str, str] | None:
    """One entry as screens get it (plain texts, clipped), or None without a title."""
    clean_title = _clip(plain_text(title), TITLE_MAX)
    if not clean_title:
        return None
    return {
        "title": clean_title,
        "summary": _clip(plain_text(summary), SUMMARY_MAX),
        "date": _date(plain_text(date)),
        "link": _link(link),
    }


def _text(element: Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _rss_entries(channel: Element) -> Iterable[dict[str, str] | None]:
    for item in channel.iter("item"):
        yield entry(
            _text(item.find("title")),
            _text(item.find("description")),
            _text(item.find("pubDate")),
            _text(item.find("link")),
        )


def _atom_link(item: Element) -> str:
    for link in item.findall(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate":
            return link.get("href", "")
    return ""


def _atom_entries(feed: Element) -> Iterable[dict[str, str] | None]:
    for item in feed.findall(f"{ATOM}entry"):
        summary = item.find(f"{ATOM}summary")
        yield entry(
            _text(item.find(f"{ATOM}title")),
            _text(summary if summary is not None else item.find(f"{ATOM}content")),
            _text(item.find(f"{ATOM}updated")) or _text(item.find(f"{ATOM}published")),
            _atom_link(item),
        )


def looks_like_html(body: bytes, content_type: str) -> bool:
    return content_type in {"text/html", "application/xhtml+xml"} or bool(_HTML_START.match(body[:4096]))


def parse_xml(body: bytes, content_type: str = "") -> Iterable[dict[str, str] | None]:
    """The entries of an RSS 2.0 or Atom document; ``FetchError`` says why it is not one."""
    if looks_like_html(body, content_type):
        raise FetchError(FetchProblem.HTML_NOT_FEED, f"the URL returned a web page ({content_type or 'HTML'}), not RSS")
    if safe_fromstring is None:
        raise FetchError(FetchProblem.BAD_XML, "defusedxml is not installed on this server: XML feeds cannot be read")
    try:
        root = safe_fromstring(body)
    except DefusedXmlException as err:
        raise FetchError(FetchProblem.BAD_XML, f"the XML declares entities or a DTD, refused: {err}") from err
    except ParseError as err:
        raise FetchError(FetchProblem.BAD_XML, f"not well-formed XML: {err}") from err
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise FetchError(FetchProblem.NOT_A_FEED, "an <rss> document without a <channel>")
        return _rss_entries(channel)
    if root.tag == f"{ATOM}feed":
        return _atom_entries(root)
    if root.tag.lower() in {"html", "{http://www.w3.org/1999/xhtml}html"}:
        raise FetchError(FetchProblem.HTML_NOT_FEED, "the URL returned a web page (XHTML), not RSS")
    raise FetchError(FetchProblem.NOT_A_FEED, f"the XML's root is <{root.tag}>, neither RSS (<rss>) nor Atom (<feed>)")


def _walk(value: Any, path: str) -> Any:
    for part in (p for p in path.split(".") if p):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def _scalar(value: Any) -> str:
    return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


def parse_json(body: bytes, mapping: JsonMapping, content_type: str = "") -> Iterable[dict[str, str] | None]:
    """The entries of a JSON document through ``mapping``; ``FetchError`` says why it has none."""
    if looks_like_html(body, content_type):
        raise FetchError(
            FetchProblem.HTML_NOT_FEED, f"the URL returned a web page ({content_type or 'HTML'}), not JSON"
        )
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as err:
        raise FetchError(FetchProblem.BAD_JSON, f"not valid JSON: {err}") from err
    rows = _walk(document, mapping.list)
    if not isinstance(rows, list):
        where = mapping.list or "the document itself"
        raise FetchError(FetchProblem.JSON_PATH, f"{where!r} is not a list in this JSON (found {type(rows).__name__})")
    for row in rows:
        yield entry(
            _scalar(_walk(row, mapping.title)),
            _scalar(_walk(row, mapping.summary)) if mapping.summary else "",
            _scalar(_walk(row, mapping.date)) if mapping.date else "",
            _scalar(_walk(row, mapping.link)) if mapping.link else "",
        )


def parse_entries(
    body: bytes, fmt: str, *, limit: int, mapping: Mapping[str, Any] | None = None, content_type: str = ""
) -> list[dict[str, str]]:
    """At most ``limit`` entries, in the feed's order; a feed with none is an error (a screen would show nothing)."""
    if fmt == FeedFormat.JSON.value:
        found: Iterable[dict[str, str] | None] = parse_json(body, JsonMapping.of(mapping), content_type)
    else:
        found = parse_xml(body, content_type)
    entries: list[dict[str, str]] = []
    for item in found:
        if item is not None:
            entries.append(item)
            if len(entries) >= limit:
                break
    if not entries:
        raise FetchError(FetchProblem.NO_ENTRIES, "the feed has no entries with a title")
    return entries
