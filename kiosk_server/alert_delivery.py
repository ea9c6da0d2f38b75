"""Alert changes sent outside the console: a JSON webhook and e-mail through an SMTP server.

Both are optional (``KIOSK_ALERT_WEBHOOK_URL``, ``KIOSK_ALERT_SMTP_*``). Each alert change gets one
webhook attempt and no retry: a receiver that is down must not turn into a storm of requests when
it comes back. Once an attempt in a round fails, the rest of that round's changes are not sent on
that channel, so a dead receiver costs one timeout per round, not one per alert. A failing channel
is logged once, when it starts failing, and again when it works again; every failed attempt is
counted (``/metrics``: ``kiosk_alert_delivery_failures_total``). E-mail goes once per round and
address: each account told about an alert in the console (``content.signage.alerts.recipients``)
that has an address gets one message with the round's raised alerts of its halls, and the fixed
list (``KIOSK_ALERT_SMTP_TO``, optional) one message with all of them; zh-CN first, then English.
Each account's message is addressed to it alone, so no one learns another's address. The webhook
URL may carry a token and is never logged; nor is the SMTP password, nor any address.
"""

from __future__ import annotations

import http.client
import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Final, Protocol

from content.org.timezones import zone
from content.signage.alert_rules import Change
from kiosk_server.config import Settings
from kiosk_server.console.words import say

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS: Final = 5.0
SMTP_TIMEOUT_SECONDS: Final = 10.0
WEBHOOK: Final = "webhook"
EMAIL: Final = "email"
LANGS: Final = ("zh-CN", "en")


@dataclass(frozen=True)
class AlertMessage:
    """One alert change as the receivers get it."""

    change: Change
    alert_id: int
    kind: str
    flapping: bool
    screen_id: int
    screen_name: str
    hall_id: int
    hall_name: str
    hall_timezone: str
    raised_at: datetime
    cleared_at: datetime | None
    detail: dict[str, Any]
    mail_to: tuple[str, ...] = ()  # the addresses of the accounts told about it (raised alerts only)

    def as_json(self) -> dict[str, Any]:
        """The webhook's body (docs/deployment.md, "Monitoring")."""
        return {
            "event": f"alert.{self.change.value}",
            "alert": {
                "id": self.alert_id,
                "kind": self.kind,
                "flapping": self.flapping,
                "raised_at": self.raised_at.isoformat(),
                "cleared_at": self.cleared_at.isoformat() if self.cleared_at else None,
                "detail": self.detail,
            },
            "screen": {"id": self.screen_id, "name": self.screen_name},
            "hall": {"id": self.hall_id, "name": self.hall_name, "timezone": self.hall_timezone},
        }

    def line(self, lang: str) -> str:
        """One line of an e-mail: when (hall's local time), where, what."""
        local = self.raised_at.astimezone(zone(self.hall_timezone)).strftime("%Y-%m-%d %H:%M")
        what = say(lang, "alerts.kind." + self.kind)
        if self.flapping:
            what = say(lang, "alerts.flapping_kind", what=what)
        return say(lang, "alerts.mail.line", at=local, hall=self.hall_name, screen=self.screen_name, what=what)


class DeliveryFailed(Exception):
    """A channel failed part way through a round: ``sent`` went out before ``cause``."""

    def __init__(self, sent: int, cause: Exception) -> None:
        super().__init__(str(cause))
        self.sent = sent
        self.cause = cause


_FAILURES: Final = (OSError, http.client.HTTPException, smtplib.SMTPException, ValueError)


class Channel(Protocol):
    name: str

    def send(self, messages: list[AlertMessage]) -> int:
        """Deliver the messages; returns how many requests or e-mails it sent; raises OSError or
        smtplib.SMTPException when it could not."""


class Webhook:
    """One JSON POST per alert change."""

    name = WEBHOOK

    def __init__(self, url: str, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> None:
        self._url = url
        self._timeout = timeout

    def send(self, messages: list[AlertMessage]) -> int:
        for sent, message in enumerate(messages):
            body = json.dumps(message.as_json(), ensure_ascii=False).encode("utf-8")
            request = urllib.request.Request(
                self._url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
            )
            try:
                with urllib.request.urlopen(request, timeout=self._timeout) as answer:  # noqa: S310 - http(s) checked in config
                    answer.read(1024)
            except _FAILURES as err:
                raise DeliveryFailed(sent, err) from err
        return len(messages)


class Mailer:
    """One e-mail per round and address with the alerts raised in it for that address (cleared ones are not mailed)."""

    name = EMAIL

    def __init__(
        self, settings: Settings, timeout: float = SMTP_TIMEOUT_SECONDS, tls: ssl.SSLContext | None = None
    ) -> None:
        self._settings = settings
        self._timeout = timeout
        self._tls = tls  # None: the system's trusted certificates, host name checked

    def send(self, messages: list[AlertMessage]) -> int:
        raised = [m for m in messages if m.change is not Change.CLEARED]
        mails = self._mails(raised)
        if not mails:
            return 0
        s = self._settings
        sent = 0
        with smtplib.SMTP(s.alert_smtp_host, s.alert_smtp_port, timeout=self._timeout) as smtp:
            if s.alert_smtp_starttls:
                smtp.starttls(context=self._tls or ssl.create_default_context())
            if s.alert_smtp_user:
                smtp.login(s.alert_smtp_user, s.alert_smtp_password)
            for mail in mails:
                try:
                    smtp.send_message(mail)
                except _FAILURES as err:
                    raise DeliveryFailed(sent, err) from err
                sent += 1
        return sent

    def _mails(self, raised: list[AlertMessage]) -> list[EmailMessage]:
        """The fixed list's message with every alert, then one per account address with that address's alerts."""
        fixed = self._settings.alert_smtp_to
        mails = [self._mail(fixed, raised)] if fixed and raised else []
        already = {address.casefold() for address in fixed}  # they get every alert in the fixed list's message
        theirs: dict[str, tuple[str, list[AlertMessage]]] = {}  # by folded address: (as written, its alerts)
        for message in raised:
            for address in message.mail_to:
                if address.casefold() not in already:
                    theirs.setdefault(address.casefold(), (address, []))[1].append(message)
        mails.extend(self._mail((address,), alerts) for address, alerts in theirs.values())
        return mails

    def _mail(self, to: tuple[str, ...], raised: list[AlertMessage]) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self._settings.alert_smtp_from
        mail["To"] = ", ".join(to)
        first = raised[0]
        mail["Subject"] = " / ".join(
            say(lang, "alerts.mail.subject", count=len(raised), hall=first.hall_name) for lang in LANGS
        )
        parts = []
        for lang in LANGS:
            parts.append("\n".join([say(lang, "alerts.mail.intro"), *(m.line(lang) for m in raised)]))
        mail.set_content("\n\n".join(parts) + "\n")
        return mail


class Deliveries:
    """The configured channels, each tried once per round; failures counted, and logged once per outage."""

    def __init__(self, channels: list[Channel]) -> None:
        self._channels = channels
        self._failing: set[str] = set()
        self.failures: Counter[str] = Counter()  # by channel, since start
        self.sent: Counter[str] = Counter()

    @classmethod
    def from_settings(cls, settings: Settings) -> Deliveries:
        channels: list[Channel] = []
        if settings.alert_webhook_url:
            channels.append(Webhook(settings.alert_webhook_url))
        if settings.alert_smtp_host:
            channels.append(Mailer(settings))
        return cls(channels)

    @property
    def channels(self) -> list[str]:
        return [c.name for c in self._channels]

    def deliver(self, messages: list[AlertMessage]) -> None:
        if not messages:
            return
        for channel in self._channels:
            try:
                sent = channel.send(messages)
            except (DeliveryFailed, *_FAILURES) as err:
                failure = err.cause if isinstance(err, DeliveryFailed) else err
                self.sent[channel.name] += err.sent if isinstance(err, DeliveryFailed) else 0
                self.failures[channel.name] += 1
                if channel.name not in self._failing:
                    self._failing.add(channel.name)
                    log.warning(
                        "alert %s failed (%s); counting further failures without logging", channel.name, _why(failure)
                    )
                continue
            self.sent[channel.name] += sent
            if channel.name in self._failing:
                self._failing.discard(channel.name)
                log.info("alert %s works again", channel.name)


def _why(err: BaseException) -> str:
    """The failure without the URL (it may hold a token) or any credential."""
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code}"
    if isinstance(err, urllib.error.URLError):
        return f"{type(err.reason).__name__}: {err.reason}" if not isinstance(err.reason, str) else err.reason
    if isinstance(err, smtplib.SMTPResponseException):
        return f"SMTP {err.smtp_code}"
    return type(err).__name__
