"""What every answer says about its own safety: CSP, framing, sniffing and referrers; proxies and cookies.

- **Content-Security-Policy**: scripts, styles, media and connections from this server only.
  Inline ``<script>`` and ``<style>`` blocks carry the request's nonce (``csp_nonce()`` in
  templates); ``style`` attributes stay allowed (layout boxes and the preview are drawn with them,
  and a style cannot run code). No page may be framed: the console's preview is an ``iframe
  srcdoc`` inside the console page, not a framed URL. The wall page alone may frame other sites:
  exactly the hosts of ``KIOSK_WIDGET_HOSTS`` (``frame-src``), for web page items.
- **Trusted proxies**: with ``KIOSK_TRUSTED_PROXIES=n``, Werkzeug's ProxyFix believes the last ``n``
  hops of ``X-Forwarded-For``, ``-Proto`` and ``-Host``, so the sign-in guard counts the client's
  address and ``request.is_secure`` knows the browser used HTTPS. With 0 (the default) those
  headers are ignored: anyone can send them.
- **Secure cookies**: ``KIOSK_SECURE_COOKIES`` true, false or auto (Secure when this request came
  over HTTPS, directly or through a trusted proxy).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Final

from flask import Flask, Response, current_app, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from kiosk_server.config import Settings
from kiosk_server.settings_access import settings

if TYPE_CHECKING:
    from itsdangerous import URLSafeTimedSerializer

_POLICY: Final = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
WALL_PAGE_ENDPOINT: Final = "pages.player"  # the only page that frames other sites (web page items)


def csp_nonce() -> str:
    """This request's nonce for inline scripts and styles (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce


class _SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie session whose Secure flag follows KIOSK_SECURE_COOKIES.

    Its signing serializer is made once per set of keys, not at every request: Flask opens the
    session for every Socket.IO event too (a screen's beat, a hello), and making the serializer
    (which encodes a test value to learn whether it is a text serializer) stood out in a native
    profile of a process whose 5,000 screens beat (docs/benchmarks.md, "Fan-out").
    """

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self._serializers: dict[tuple[object, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        try:
            return self._serializers[keys]
        except KeyError:
            made = self._serializers[keys] = super().get_signing_serializer(app)
            return made

    def get_cookie_secure(self, app: Flask) -> bool:
        if self.mode == "auto":
            return has_request_context() and request.is_secure
        return self.mode == "true"


def _frame_sources() -> str:
    """The wall page frames web page items: exactly the allow-listed hosts (``KIOSK_WIDGET_HOSTS``), nowhere else."""
    if not has_request_context() or request.endpoint != WALL_PAGE_ENDPOINT:
        return ""
    sources = settings(current_app).widget_hosts.frame_sources()
    return f"; frame-src 'self' {' '.join(sources)}" if sources else ""


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = _POLICY.format(nonce=csp_nonce()) + _frame_sources()
    return response


def init_app(app: Flask, settings: Settings) -> None:
    """Apply the proxy hops, the cookie rule and the headers to ``app``; call after Socket.IO wraps it."""
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.session_interface = _SessionCookies(settings.secure_cookies)
    app.after_request(_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
