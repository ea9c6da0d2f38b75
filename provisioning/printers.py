"""The kiosk's printers as ``kiosk provision`` sets them up: the options, the agent's ``[[printers]]`` block, the udev rule.

``--slip-printer network:HOST[:PORT]|usb:VVVV:PPPP|none``, ``--slip-paper 80|58``,
``--a4-printer cups:QUEUE|none`` and ``--a4-printer-uri URI``. An option left out keeps the printer
of that role as the last run wrote it (read back from its block in ``agent.toml``), so a re-run after
an upgrade needs no printer options and a new option changes exactly its role. Everything is checked
here, before enrolment, with the option and the value in the message.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass, replace
from typing import Final
from urllib.parse import urlsplit

from devices.agent.printer_config import PrinterConfigError, parse_printers
from devices.drivers.printer_states import PrinterKind, PrinterRole
from provisioning.errors import ProvisioningError
from provisioning.layout import LP_GROUP

NONE: Final = "none"
PAPER_WIDTHS: Final = (80, 58)
DEFAULT_PORT: Final = 9100
BLOCK_START: Final = (
    "# kiosk provision: printers (--slip-printer, --a4-printer); the next run that names them rewrites this"
)
BLOCK_END: Final = "# kiosk provision: end of printers"
# lpadmin's own rule is "printable, no space, / or #"; quotes, \ and ? break URIs and the agent's check,
# a leading - would read as an option. ASCII only, so the name is the same in every locale.
_QUEUE: Final = re.compile(r"(?!-)(?:(?![/\\#?'\"])[\x21-\x7e]){1,127}")
_LABEL: Final = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_HEX4: Final = re.compile(r"[0-9a-fA-F]{4}")
# ipp/ipps: driverless (IPP Everywhere, the printer describes itself); socket/lpd: a PostScript printer.
URI_SCHEMES: Final = ("ipp", "ipps", "socket", "lpd")
EVERYWHERE: Final = "everywhere"
POSTSCRIPT: Final = "drv:///sample.drv/generic.ppd"


class PrinterOptionError(ProvisioningError):
    """A printer option is malformed; the message names the option, the value and the expected form."""


@dataclass(frozen=True)
class PrinterRequest:
    """The printer options as given; ``None``: the option was left out (keep what is configured)."""

    slip: str | None = None
    slip_paper: int | None = None
    a4: str | None = None
    a4_uri: str | None = None


@dataclass(frozen=True)
class SlipPrinter:
    """An ESC/POS receipt printer on the network (``host``, ``port``) or on USB (``vendor``, ``product``)."""

    kind: PrinterKind
    host: str = ""
    port: int = DEFAULT_PORT
    vendor: int = 0
    product: int = 0
    paper_mm: int = PAPER_WIDTHS[0]

    @property
    def usb_id(self) -> str:
        return f"{self.vendor:04x}:{self.product:04x}"

    @property
    def address(self) -> str:
        return self.usb_id if self.kind is PrinterKind.ESCPOS_USB else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class A4Printer:
    """A CUPS queue; with ``uri`` provisioning creates it (``lpadmin``), without it the queue must exist."""

    queue: str
    uri: str | None = None

    @property
    def model(self) -> str:
        """lpadmin's ``-m``: driverless for IPP, generic PostScript for a raw socket or LPD printer."""
        return EVERYWHERE if urlsplit(self.uri or "").scheme in {"ipp", "ipps"} else POSTSCRIPT


@dataclass(frozen=True)
class Printers:
    slip: SlipPrinter | None = None
    a4: A4Printer | None = None

    @property
    def usb_slip(self) -> SlipPrinter | None:
        return self.slip if self.slip is not None and self.slip.kind is PrinterKind.ESCPOS_USB else None


def _host(text: str, option: str) -> str:
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        labels = text.rstrip(".").split(".")
        if text.startswith("[") or len(text) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
            raise PrinterOptionError(
                f"{option}: {text!r} is not a host name or IP address (e.g. network:192.168.10.31:9100)"
            ) from None
        if labels[-1].isdigit():
            raise PrinterOptionError(f"{option}: {text!r} is not a valid IP address") from None
        return text
    if ":" in bare and not text.startswith("["):
        raise PrinterOptionError(f"{option}: write an IPv6 address in brackets, e.g. network:[{bare}]:9100")
    return text


def _port(text: str, option: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise PrinterOptionError(f"{option}: port {text!r} is not a TCP port 1-65535")
    return int(text)


def parse_slip(value: str, paper: int | None = None) -> SlipPrinter | None:
    """``--slip-printer`` (and ``--slip-paper``); ``None`` for ``none``."""
    option = f"--slip-printer {value}"
    if paper is not None and paper not in PAPER_WIDTHS:
        raise PrinterOptionError(f"--slip-paper {paper}: expected 80 or 58 (mm)")
    if value == NONE:
        if paper is not None:
            raise PrinterOptionError("--slip-paper: there is no slip printer (--slip-printer none)")
        return None
    kind, _, rest = value.partition(":")
    paper_mm = paper or PAPER_WIDTHS[0]
    if kind == "network":
        if "://" in rest:
            raise PrinterOptionError(f"{option}: a bare host, no scheme (e.g. network:192.168.10.31:9100)")
        if rest.startswith("["):  # [IPv6]:PORT
            close = rest.find("]")
            host, tail = rest[: close + 1], rest[close + 1 :]
            if close < 0 or (tail and not tail.startswith(":")):
                raise PrinterOptionError(f"{option}: expected network:[ADDRESS] or network:[ADDRESS]:PORT")
            port = tail[1:]
        elif rest.count(":") == 1:
            host, port = rest.split(":")
        else:
            host, port = rest, ""
        if not host:
            raise PrinterOptionError(f"{option}: expected network:HOST or network:HOST:PORT")
        number = _port(port, option) if port else DEFAULT_PORT
        return SlipPrinter(PrinterKind.ESCPOS_NETWORK, host=_host(host, option), port=number, paper_mm=paper_mm)
    if kind == "usb":
        ids = rest.split(":")
        if len(ids) != 2 or not all(_HEX4.fullmatch(part) for part in ids):
            raise PrinterOptionError(
                f"{option}: expected usb:VVVV:PPPP, vendor and product as 4 hex digits each (lsusb shows them)"
            )
        vendor, product = (int(part, 16) for part in ids)
        if vendor == 0 or product == 0:
            raise PrinterOptionError(f"{option}: 0000 is not a USB vendor or product id")
        return SlipPrinter(PrinterKind.ESCPOS_USB, vendor=vendor, product=product, paper_mm=paper_mm)
    raise PrinterOptionError(f"{option}: expected network:HOST[:PORT], usb:VVVV:PPPP or none")


def parse_a4(value: str, uri: str | None = None) -> A4Printer | None:
    """``--a4-printer`` (and ``--a4-printer-uri``); ``None`` for ``none``."""
    if value == NONE:
        if uri is not None:
            raise PrinterOptionError("--a4-printer-uri: there is no A4 printer (--a4-printer none)")
        return None
    kind, _, queue = value.partition(":")
    if kind != "cups":
        raise PrinterOptionError(f"--a4-printer {value}: expected cups:QUEUE or none")
    if not _QUEUE.fullmatch(queue):
        raise PrinterOptionError(
            f"--a4-printer {value}: {queue!r} is not a CUPS queue name "
            "(1-127 ASCII letters, digits and punctuation; no spaces, /, \\, #, ?, quotes or leading -)"
        )
    return A4Printer(queue, None if uri is None else check_uri(uri))


def check_uri(uri: str) -> str:
    """``--a4-printer-uri``: an ipp://, ipps://, socket:// or lpd:// address with a host."""
    parts = urlsplit(uri)
    if parts.scheme not in URI_SCHEMES or any(ch.isspace() or not ch.isprintable() for ch in uri):
        raise PrinterOptionError(
            f"--a4-printer-uri {uri!r}: expected {', '.join(s + '://' for s in URI_SCHEMES)} "
            "(e.g. ipp://192.168.10.40/ipp/print or socket://192.168.10.40:9100)"
        )
    try:
        port = parts.port
    except ValueError:
        raise PrinterOptionError(f"--a4-printer-uri {uri!r}: the port is not 1-65535") from None
    if not parts.hostname or port == 0:
        raise PrinterOptionError(f"--a4-printer-uri {uri!r}: no printer host in it")
    return uri


def check_request(request: PrinterRequest) -> None:
    """Refuse malformed or contradictory options before anything happens."""
    if request.slip_paper is not None and request.slip is None:
        raise PrinterOptionError("--slip-paper needs --slip-printer (the paper width is the slip printer's)")
    if request.a4_uri is not None and request.a4 is None:
        raise PrinterOptionError("--a4-printer-uri needs --a4-printer cups:QUEUE (the queue it creates)")
    if request.slip is not None:
        parse_slip(request.slip, request.slip_paper)
    if request.a4 is not None:
        parse_a4(request.a4, request.a4_uri)


def choose(request: PrinterRequest, current: Printers) -> Printers:
    """The printers after this run: each role from its option, or as configured when the option is left out."""
    check_request(request)
    slip = current.slip if request.slip is None else parse_slip(request.slip, request.slip_paper)
    a4 = current.a4 if request.a4 is None else parse_a4(request.a4, request.a4_uri)
    if request.a4 is None and a4 is not None:
        a4 = replace(a4, uri=None)  # left out: the queue is used as it is, never recreated
    return Printers(slip, a4)


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_block(printers: Printers) -> str:
    """The ``[[printers]]`` tables between their markers; empty when there are none."""
    tables = []
    slip = printers.slip
    if slip is not None:
        lines = ["[[printers]]", 'role = "slip"', f'kind = "{slip.kind.value}"']
        if slip.kind is PrinterKind.ESCPOS_NETWORK:
            lines += [f"host = {_toml(slip.host)}", f"port = {slip.port}"]
        else:
            lines.append(f'usb = "{slip.usb_id}"')
        lines.append(f"paper_mm = {slip.paper_mm}")
        tables.append("\n".join(lines) + "\n")
    if printers.a4 is not None:
        tables.append(f'[[printers]]\nrole = "a4"\nkind = "cups"\nqueue = {_toml(printers.a4.queue)}\n')
    if not tables:
        return ""
    return f"{BLOCK_START}\n" + "\n".join(tables) + f"{BLOCK_END}\n"


def split_block(text: str) -> tuple[str, str]:
    """``text`` without the provisioning block, and the block (``""`` when there is none)."""
    lines = text.splitlines(keepends=True)
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip("\n") == BLOCK_START)
        end = next(i for i in range(start, len(lines)) if lines[i].rstrip("\n") == BLOCK_END)
    except StopIteration:
        return text, ""
    while start > 0 and not lines[start - 1].strip():  # the blank line that separated it
        start -= 1
    block = "".join(line for line in lines[start : end + 1] if line.strip())
    return "".join(lines[:start] + lines[end + 1 :]), block


def with_block(text: str, printers: Printers) -> str:
    """``text`` (an agent.toml) with its provisioning block replaced by one for ``printers``, at the end."""
    rest, _ = split_block(text)
    block = render_block(printers)
    if not block:
        return rest
    return rest.rstrip("\n") + "\n\n" + block


def configured(text: str | None) -> Printers:
    """The printers of the provisioning block in an agent.toml (hand-written tables are not ours to change)."""
    if not text:
        return Printers()
    _, block = split_block(text)
    if not block:
        return Printers()
    try:
        entries = parse_printers(tomllib.loads(block).get("printers", []))
    except (tomllib.TOMLDecodeError, PrinterConfigError):
        return Printers()  # damaged by hand: the options of this run decide, the agent's parser will judge
    slip = a4 = None
    for entry in entries:
        if entry.role is PrinterRole.A4:
            a4 = A4Printer(entry.queue)
        else:
            slip = SlipPrinter(
                entry.kind, entry.host, entry.port, entry.usb_vendor, entry.usb_product, entry.paper_mm or 80
            )
    return Printers(slip, a4)


def udev_rule(slip: SlipPrinter) -> str:
    """The rule that gives a USB slip printer's ``usblp`` node (``/dev/usb/lpN``) to ``lp``, mode 0660."""
    return (
        "# Written by kiosk provision (--slip-printer usb:...): the agent's user is in group lp.\n"
        f"# The USB receipt printer {slip.usb_id}; the kernel's usblp driver makes /dev/usb/lpN for it.\n"
        f'SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*", SUBSYSTEMS=="usb", '
        f'ATTRS{{idVendor}}=="{slip.vendor:04x}", ATTRS{{idProduct}}=="{slip.product:04x}", '
        f'GROUP="{LP_GROUP}", MODE="0660"\n'
    )
