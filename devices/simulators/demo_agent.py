"""The demo's card reader and slip printer: the real agent and drivers, on simulated hardware.

``kiosk demo`` starts this next to the server for one demo kiosk. It runs a simulated GA/T 467
reader on a pseudo-terminal with the real ``IdCardReader`` driver on it, a simulated ESC/POS receipt
printer on 127.0.0.1 as the kiosk's slip printer, and the real ``Agent`` linked to the server, and
serves a small page on 127.0.0.1 where one puts a demo person's card on the reader and takes it
away, sees the last slip the kiosk printed (drawn from the bytes the printer received) and runs the
printer out of paper. Everything after the simulators is the code path of a real kiosk.

The card holders come from a JSON file the server writes (synthetic people of the demo records
backend); the credential comes from ``KIOSK_AGENT_CREDENTIAL``, never from the command line.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from content.citizens.idnumbers import mask_id_number
from devices.agent.config import AgentConfig
from devices.agent.printer_config import PrinterConfig
from devices.agent.supervisor import Agent
from devices.drivers.idcard_reader import IdCardReader
from devices.drivers.known_readers import ReaderKind
from devices.drivers.printer_states import PrinterKind, PrinterRole
from devices.simulators.escpos_printer import SimEscposPrinter, SimPaper
from devices.simulators.escpos_render import RenderError, render
from devices.simulators.idcard_reader import SimCard, SimIdCardReader

log = logging.getLogger(__name__)

READER_ID = "demo-idcard"
SHOWN = 12  # card holders listed on the page
JOB_START = b"\x1b@"  # ESC @: every slip starts by resetting the printer

# A permit holder the demo records backend does not know: shows how a refused read looks.
STRANGER = SimCard(
    name="陈嘉欣",
    sex_code="2",
    birth_date="19920615",
    address="香港特别行政区九龙城区",
    id_number="810000199206150023",
    issuing_authority="公安部出入境管理局",
    valid_from="20210101",
    valid_to="20260101",
    kind="J",
    permit_number="H12345678",
    issue_count="01",
)


@dataclass(frozen=True)
class Holder:
    """One synthetic card holder from the demo's cards file."""

    name: str
    id_number: str
    sex_code: str
    nation_code: str

    def card(self) -> SimCard:
        return SimCard(
            name=self.name,
            sex_code=self.sex_code,
            nation_code=self.nation_code,
            birth_date=self.id_number[6:14],
            id_number=self.id_number,
            address="甘肃省兰州市城关区东岗西路1号",
            issuing_authority="兰州市公安局城关分局",
        )


def load_holders(path: Path) -> list[Holder]:
    """The card holders in the server's demo cards file."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [
        Holder(str(r["name"]), str(r["id_number"]), str(r.get("sex_code", "1")), str(r.get("nation_code", "01")))
        for r in rows
    ]


class DemoReader:
    """The simulator, the driver and the agent, with the two actions the page offers."""

    def __init__(self, server_url: str, device_key: str, credential: str, holders: list[Holder]) -> None:
        self.holders = holders
        self.kiosk_url = f"{server_url.rstrip('/')}/screen/{device_key}"
        self.sim = SimIdCardReader()
        self.printer = SimEscposPrinter()
        self.printer.start()  # its port goes into the agent's configuration
        config = AgentConfig(
            server_url=server_url,
            device_key=device_key,
            credential=credential,
            hotplug=False,
            pcsc=False,
            reconnect_backoff=(0.5, 10.0),
            printers=(
                PrinterConfig(PrinterRole.SLIP, PrinterKind.ESCPOS_NETWORK, host="127.0.0.1", port=self.printer.port),
            ),
        )
        self.agent = Agent(
            config,
            drivers=((ReaderKind.IDCARD_SERIAL, lambda emit: IdCardReader(self.sim.port, emit, reader_id=READER_ID)),),
        )
        self.on_reader = ""  # masked number of the card on the reader

    def start(self) -> None:
        self.sim.start()
        self.agent.start()

    def stop(self) -> None:
        self.agent.stop()
        self.sim.stop()
        self.printer.stop()

    def paper(self, loaded: bool) -> None:
        """Run the simulated printer out of paper, or load a new roll (the agent notices at its next check)."""
        self.printer.state = SimPaper.READY if loaded else SimPaper.PAPER_OUT

    def last_slip_png(self) -> bytes | None:
        """The last slip the printer received, drawn as a PNG; None before the first."""
        printed = bytes(self.printer.printed)
        start = printed.rfind(JOB_START)
        if start < 0:
            return None
        try:
            picture = render(printed[start:])
        except RenderError as err:
            log.warning("the last slip could not be drawn: %s", err)
            return None
        out = io.BytesIO()
        picture.save(out, format="PNG")
        return out.getvalue()

    def present(self, index: int | None) -> None:
        card = STRANGER if index is None else self.holders[index].card()
        self.sim.remove()
        self.sim.present(card)
        self.on_reader = f"{card.name[0]}{'*' * (len(card.name) - 1)} {mask_id_number(card.id_number)}"

    def remove(self) -> None:
        self.sim.remove()
        self.on_reader = ""


def _page(reader: DemoReader) -> str:
    rows = []
    for index, holder in enumerate(reader.holders[:SHOWN]):
        rows.append(
            f"<li><form method=post action='/present?i={index}'><button>放卡：{html.escape(holder.name)} "
            f"<small>{html.escape(mask_id_number(holder.id_number))}</small></button></form></li>"
        )
    rows.append(
        "<li><form method=post action='/present?i=stranger'><button>放卡：陌生人（港澳台居民居住证，"
        "演示库里没有此人）</button></form></li>"
    )
    status = html.escape(reader.on_reader) if reader.on_reader else "（无卡）"
    link = "已连接服务器" if reader.agent.link.connected else "未连接服务器"
    out_of_paper = reader.printer.state is SimPaper.PAPER_OUT
    paper = "缺纸" if out_of_paper else "有纸"
    toggle = "/paper?loaded=1" if out_of_paper else "/paper?loaded=0"
    toggle_text = "装入新纸卷" if out_of_paper else "模拟缺纸"
    slip = (
        "<p><img src='/slip.png' alt='最近打印的小票' style='width:18em;border:1px solid #999'></p>"
        if reader.printer.printed
        else "<p>还没有打印过小票：在自助终端上取号即可打印。</p>"
    )
    return f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>读卡演示</title>
<style>body{{font:18px/1.5 "Noto Sans CJK SC",sans-serif;margin:2em;max-width:42em}}
button{{font:inherit;padding:.4em 1em;margin:.2em 0}}li{{list-style:none}}small{{color:#555}}</style>
<h1>读卡演示 · 模拟身份证阅读器</h1>
<p>把卡放到模拟阅读器上，打开<a href="{html.escape(reader.kiosk_url)}" target="kiosk">演示自助终端页面</a>即可看到读卡结果；取走卡片即结束会话。
这里的卡片经过真实的驱动程序（GA/T 467 串口协议）和设备代理发送到服务器。</p>
<p>阅读器上：<b>{status}</b> · 设备代理：{link}</p>
<form method=post action='/remove'><button>取走卡片</button></form>
<ul>{"".join(rows)}</ul>
<h2>小票打印机（模拟 ESC/POS，端口 {reader.printer.port}）</h2>
<p>纸卷：<b>{paper}</b> <form method=post action='{toggle}' style='display:inline'><button>{toggle_text}</button></form></p>
{slip}</html>"""


def _handler(reader: DemoReader) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = urlparse(self.path).path
            if path == "/slip.png":
                png = reader.last_slip_png()
                if png is None:
                    self.send_error(404, "no slip printed yet")
                    return
                self._send(png, "image/png")
                return
            if path != "/":
                self.send_error(404)
                return
            self._send(_page(reader).encode("utf-8"), "text/html; charset=utf-8")

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            if url.path == "/remove":
                reader.remove()
            elif url.path == "/paper":
                reader.paper(parse_qs(url.query).get("loaded", ["1"])[0] == "1")
            elif url.path == "/present":
                choice = parse_qs(url.query).get("i", [""])[0]
                if choice == "stranger":
                    reader.present(None)
                elif choice.isdigit() and int(choice) < len(reader.holders):
                    reader.present(int(choice))
                else:
                    self.send_error(400, "unknown card holder")
                    return
            else:
                self.send_error(404)
                return
            self.send_response(303)
            self.send_header("Location", "/")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: the server log is enough
            log.debug("control page: " + format, *args)

    return Handler


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devices.simulators.demo_agent", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--server", required=True, help="the server's URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--device", required=True, help="the demo kiosk's screen key")
    parser.add_argument("--cards", required=True, type=Path, help="the server's demo cards file (JSON)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001, help="port of the card simulator's page")
    args = parser.parse_args(argv)
    credential = os.environ.get("KIOSK_AGENT_CREDENTIAL", "")
    if not credential:
        print("KIOSK_AGENT_CREDENTIAL is not set", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=os.environ.get("KIOSK_LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    reader = DemoReader(args.server, args.device, credential, load_holders(args.cards))
    httpd = ThreadingHTTPServer((args.host, args.port), _handler(reader))
    done = threading.Event()
    parent = os.getppid()

    def _stop(_signum: int, _frame: Any) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    reader.start()
    threading.Thread(target=httpd.serve_forever, name="demo-cards-page", daemon=True).start()
    try:
        # Exit with the server that started us, even if it was killed without telling us.
        while not done.wait(1.0):
            if os.getppid() != parent:
                break
    finally:
        httpd.shutdown()
        reader.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
