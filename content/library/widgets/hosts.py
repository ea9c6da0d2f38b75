"""Which web hosts walls may frame and the server may fetch feeds from: the deployment's allow-list.

Web pages (``content.library.widgets.web_pages``) and data feeds (``content.library.widgets.data_feeds``) name URLs
outside this system. Only hosts the deployment lists are ever framed or fetched: an exact host
(``www.gov.cn``) or every subdomain of one (``*.gansu.gov.cn``, which does not match ``gansu.gov.cn``
itself). URLs must be https; plain http only for a host listed with its scheme
(``http://10.1.2.3``), such as a hall's own intranet server. Ports are not part of the rule.
The list is read once from the settings (``KIOSK_WIDGET_HOSTS``); empty turns the feature off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

SETTING: Final = "KIOSK_WIDGET_HOSTS"
URL_MAX_LENGTH: Final = 500
_HOST: Final = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
_PROBLEMS: Final = {
    "off": (
        "web pages and feeds are off on this server: list the allowed hosts in {setting} "
        "(for example www.gov.cn,*.gansu.gov.cn) and restart it"
    ),
    "too_long": "the URL is longer than {limit} characters",
    "not_url": "{url!r} is not a URL",
    "not_https": "{url!r} is not an https:// URL",
    "credentials": "the URL may not carry a user name or password",
    "host_not_listed": "the host {host} is not on the allow-list ({setting})",
    "https_only": "the host {host} is allowed over https only; use https:// (or list it as http://{host})",
}


def host_of(url: str) -> str:
    """The URL's host name, lower case, without port ("" when it has none or cannot be read)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@dataclass(frozen=True)
class HostAllowList:
    """The hosts a deployment allows, as parsed from its setting."""

    exact: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()  # ".gansu.gov.cn" for "*.gansu.gov.cn"
    plain_http: frozenset[str] = frozenset()  # exact hosts that may also be reached over http

    @classmethod
    def parse(cls, text: str) -> HostAllowList:
        """Read ``host, *.domain, http://host`` (commas or spaces); ValueError names the bad entry."""
        exact: set[str] = set()
        suffixes: list[str] = []
        plain: set[str] = set()
        for raw in re.split(r"[,\s]+", text.strip()):
            if not raw:
                continue
            entry = raw.lower()
            http = entry.startswith("http://")
            if http:
                entry = entry[len("http://") :].rstrip("/")
            elif entry.startswith("https://"):  # the default: written out, it means the same
                entry = entry[len("https://") :].rstrip("/")
            if entry.startswith("*."):
                if http:
                    raise ValueError(f"{raw!r}: plain http is allowed for exact hosts only, not for a wildcard")
                if not _HOST.match(entry[2:]) or "." not in entry[2:]:
                    raise ValueError(f"{raw!r}: expected *. followed by a domain such as *.gansu.gov.cn")
                suffixes.append(entry[1:])
                continue
            if not _HOST.match(entry):
                raise ValueError(f"{raw!r}: expected a host name such as www.gov.cn (no path, no port)")
            exact.add(entry)
            if http:
                plain.add(entry)
        return cls(frozenset(exact), tuple(suffixes), frozenset(plain))

    @property
    def enabled(self) -> bool:
        return bool(self.exact or self.suffixes)

    def allows_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in self.exact or any(host.endswith(suffix) for suffix in self.suffixes)

    def refusal(self, url: str) -> tuple[str, str] | None:
        """Why ``url`` may not be used, as (code, host) for a catalogue; None when it may.

        Codes: ``off`` (no list), ``too_long``, ``not_url``, ``not_https``, ``credentials``,
        ``host_not_listed``, ``https_only`` (an https-only host asked over http).
        """
        if not self.enabled:
            return ("off", "")
        if len(url) > URL_MAX_LENGTH:
            return ("too_long", "")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            return ("not_url", "")
        host = (parts.hostname or "").lower()
        if parts.scheme not in {"https", "http"} or not host:
            return ("not_https", host)
        if parts.username is not None or parts.password is not None:
            return ("credentials", host)
        if not self.allows_host(host):
            return ("host_not_listed", host)
        if parts.scheme == "http" and host not in self.plain_http:
            return ("https_only", host)
        return None

    def url_problem(self, url: str) -> str | None:
        """Why ``url`` may not be framed or fetched here, in English naming the host; None when it may."""
        found = self.refusal(url)
        if found is None:
            return None
        code, host = found
        return _PROBLEMS[code].format(host=host, url=url[:80], limit=URL_MAX_LENGTH, setting=SETTING)

    def frame_sources(self) -> tuple[str, ...]:
        """The CSP sources of a page that frames these hosts, any port (the allow-list ignores ports)."""
        sources = [f"https://{host}:*" for host in sorted(self.exact)]
        sources += [f"https://*{suffix}:*" for suffix in self.suffixes]
        sources += [f"http://{host}:*" for host in sorted(self.plain_http)]
        return tuple(sources)
