"""Safe HTML for notices: Markdown rendered without raw HTML, then cleaned against an allow-list.

Notices are written by many hands (provincial offices, street stations, imports) and shown on
every screen below them, so the HTML that reaches a player is never trusted as written: it goes
through ``nh3`` with the tags, attributes and URL schemes below and nothing else.
"""

from __future__ import annotations

import html as html_entities
from functools import lru_cache
from typing import Final

import nh3
from markdown_it import MarkdownIt

from content.control_characters import without_control_characters

ALLOWED_TAGS: Final = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "blockquote",
        "code",
        "pre",
        "br",
        "hr",
        "img",
    }
)
ALLOWED_ATTRIBUTES: Final = {"a": frozenset({"href", "title"}), "img": frozenset({"src", "alt"})}
URL_SCHEMES: Final = frozenset({"http", "https", "mailto", "tel"})
LINK_REL: Final = "noopener noreferrer"
# Dropped together with everything inside them, not just unwrapped: their text is code, not prose.
DROP_WITH_CONTENT: Final = frozenset({"script", "style", "iframe", "object", "noscript", "template", "svg", "math"})
# Images load by themselves on a screen nobody is watching, so only from the web or our own media.
IMAGE_SOURCE_PREFIXES: Final = ("http://", "https://", "/media/")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if value.strip().lower().startswith(IMAGE_SOURCE_PREFIXES) else None
    return value


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # html=False: raw HTML in the source is shown as text, never passed through.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def sanitize_html(html: str) -> str:
    """Clean HTML that arrives as HTML (imports, pasted fragments) down to the notice allow-list."""
    return _cleaner().clean(html)


def render_markdown(markdown: str) -> str:
    """Render CommonMark (with tables) to HTML that is safe to show on a screen."""
    return sanitize_html(_markdown().render(markdown))


@lru_cache(maxsize=1)
def _text_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(tags=set(), clean_content_tags=set(DROP_WITH_CONTENT), attributes={}, strip_comments=True)


def plain_text(html: str) -> str:
    """Text from outside (a feed's titles and summaries): every tag stripped, scripts and styles dropped
    with their content, entities decoded, control characters removed, runs of white space made one space."""
    text = html_entities.unescape(_text_cleaner().clean(html))
    return " ".join(without_control_characters(text).split())
