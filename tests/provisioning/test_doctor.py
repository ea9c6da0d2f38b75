"""``kiosk doctor``: against a real server, a server with a wrong clock, TLS, and what cannot be checked here."""

from __future__ import annotations

import io
import json
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from provisioning import checks
from provisioning.display_modes import Mode, parse_wlr_randr, parse_xrandr
from provisioning.doctor import CHECK_NAMES, DoctorOptions, run_doctor
from provisioning.provision import ProvisionOptions, run_provision
from tests.provisioning._fake_enrol import fake_enrol_server
from tests.provisioning.test_enrol import RecordingDisplay
from tests.support.server import ServerProcess, free_port

pytestmark = pytest.mark.timeout(180)


def doctor(*args: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "provisioning", "doctor", "--json", *args], capture_output=True, text=True, timeout=120
    )
    return done.returncode, json.loads(done.stdout)


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["name"]: check for check in report["checks"]}


def test_doctor_against_a_real_server(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "server", f"sqlite:///{tmp_path / 'kiosk.sqlite3'}", async_mode="threading")
    server.start()
    try:
        code, report = doctor("--server", server.url)
    finally:
        server.stop()
    assert code == 0, report
    assert report["version"] == 1 and report["ok"] is True
    assert [check["name"] for check in report["checks"]] == list(CHECK_NAMES)
    assert all(set(check) == {"name", "status", "reason", "data"} for check in report["checks"])
    assert sum(report["counts"].values()) == len(CHECK_NAMES)
    found = by_name(report)
    assert found["server"]["status"] == "ok" and found["server"]["data"]["http_status"] == 200
    assert found["clock"]["status"] == "ok" and abs(found["clock"]["data"]["skew_seconds"]) <= 10
    assert found["tls"] == {
        "name": "tls",
        "status": "skipped",
        "reason": "the server is http://: no certificate to check",
        "data": {},
    }
    assert found["display"]["status"] == "skipped" and "not enrolled" in found["display"]["reason"]
    assert found["services"]["status"] == "skipped" and found["services"]["reason"]
    assert found["disk"]["status"] in {"ok", "warn"} and found["disk"]["data"]["free_bytes"] > 0
    assert found["memory"]["data"]["total_bytes"] > 0
    assert found["readers"]["status"] in {"ok", "warn"} and "notes" in found["readers"]["data"]
    for check in report["checks"]:
        assert "\n" not in check["reason"] and check["reason"]


def test_an_unreachable_server_fails_the_doctor_and_skips_the_clock() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code, report = doctor("--server", url)
    assert code == 1 and report["ok"] is False
    found = by_name(report)
    assert found["server"]["status"] == "fail"
    assert found["server"]["reason"] == f"cannot reach {url}: Connection refused"
    assert found["clock"]["status"] == "skipped"


@contextmanager
def health_server(offset: timedelta, *, certificate: tuple[Path, Path] | None = None) -> Iterator[str]:
    """A /healthz that answers ok with a Date header ``offset`` away from now (HTTPS with ``certificate``)."""

    class Handler(BaseHTTPRequestHandler):
        def date_time_string(self, timestamp: float | None = None) -> str:
            return format_datetime(datetime.now(UTC) + offset, usegmt=True)

        def do_GET(self) -> None:
            body = json.dumps({"status": "ok", "version": "test"}).encode() if self.path == "/healthz" else b""
            self.send_response(200 if body else 500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    scheme = "http"
    if certificate is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*certificate)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_clock_five_minutes_off_fails() -> None:
    with health_server(timedelta(minutes=5)) as url:
        answer = checks.ask_server(url)
        server = checks.check_server(url, answer)
        clock = checks.check_clock(answer)
    assert server.status == "ok"
    assert clock.status == "fail" and "behind the server" in clock.reason
    assert 295 <= -float(clock.data["skew_seconds"]) <= 305


def test_a_clock_a_minute_off_warns() -> None:
    with health_server(timedelta(seconds=-60)) as url:
        clock = checks.check_clock(checks.ask_server(url))
    assert clock.status == "warn" and "ahead of the server" in clock.reason


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def certificates(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A CA and a localhost certificate valid for 10 days signed by it: (ca, cert, key)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificates to test TLS with")
    ca_key, ca, key, csr, cert = (tmp_path / n for n in ("ca.key", "ca.pem", "leaf.key", "leaf.csr", "leaf.pem"))
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca),
            "-days", "30", "-subj", "/CN=Test hall CA")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=localhost")
    ext = tmp_path / "ext.cnf"
    ext.write_text("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
            "-out", str(cert), "-days", "10", "-extfile", str(ext))  # fmt: skip
    return ca, cert, key


def test_tls_reports_days_to_expiry_and_warns_near_the_end(
    certificates: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    ca, cert, key = certificates
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # trust our CA as the box would trust the hall's
    with health_server(timedelta(0), certificate=(cert, key)) as url:
        tls = checks.check_tls(url)
        server = checks.check_server(url, checks.ask_server(url))
    assert server.status == "ok"
    assert tls.status == "warn" and tls.data["days_left"] in {9, 10}
    assert "expires in" in tls.reason


def test_tls_fails_on_an_untrusted_certificate(certificates: tuple[Path, Path, Path]) -> None:
    _, cert, key = certificates
    with health_server(timedelta(0), certificate=(cert, key)) as url:
        tls = checks.check_tls(url)
        server = checks.check_server(url, checks.ask_server(url))
    assert tls.status == "fail" and "is not valid: unable to get local issuer certificate" in tls.reason
    assert server.status == "fail" and "TLS certificate not trusted" in server.reason


def test_doctor_on_a_provisioned_tree_reads_the_server_from_the_box(box: Path) -> None:
    with fake_enrol_server([["enrolled"]]) as fake:
        run_provision(ProvisionOptions(server_url=fake.url, root=box), io.StringIO(), display=RecordingDisplay())
    with health_server(timedelta(0)) as url:
        (box / "etc/kiosk/screen.json").write_text((box / "etc/kiosk/screen.json").read_text().replace(fake.url, url))
        report = run_doctor(DoctorOptions(None, box))
    found = {check.name: check for check in report.checks}
    assert found["server"].status == "ok" and found["server"].data["url"] == url
    for name in ("display", "readers", "speaker", "voice", "services"):
        assert found[name].status == "skipped" and found[name].reason.startswith("--root"), name
    assert report.ok


WLR_RANDR = """HDMI-A-1 "Iiyama North America PL4380UH (HDMI-A-1)"
  Physical size: 940x530 mm
  Enabled: yes
  Modes:
    3840x2160 px, 30.000000 Hz (preferred)
    1920x1080 px, 60.000000 Hz (current)
  Position: 0,0
  Transform: 90
  Scale: 1.000000
DP-1 "Unknown"
  Enabled: no
  Modes:
    1280x1024 px, 60.020000 Hz (preferred, current)
"""

XRANDR = """Screen 0: minimum 320 x 200, current 1080 x 1920, maximum 16384 x 16384
HDMI-1 connected primary 1080x1920+0+0 left (normal left inverted right x axis y axis) 940mm x 530mm
   1920x1080     60.00*+
DP-1 disconnected (normal left inverted right x axis y axis)
"""


def test_the_display_mode_parsers_rotate_quarter_turns() -> None:
    assert parse_wlr_randr(WLR_RANDR) == Mode(1080, 1920)
    assert parse_wlr_randr(WLR_RANDR.replace("Transform: 90", "Transform: normal")) == Mode(1920, 1080)
    assert parse_wlr_randr('DP-1 "x"\n  Enabled: no\n  Modes:\n    800x600 px, 60 Hz (current)\n') is None
    assert parse_xrandr(XRANDR) == Mode(1080, 1920)
    assert Mode(1080, 1920).orientation == "portrait"


def test_speaker_and_memory_read_their_proc_files(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.write_text(
        " 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n                      HDA Intel PCH at 0xf7f10000\n"
    )
    assert checks.check_speaker(live=True, cards_file=cards).reason == "sound card: HDA-Intel - HDA Intel PCH"
    cards.write_text("--- no soundcards ---\n")
    assert checks.check_speaker(live=True, cards_file=cards).status == "warn"
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:        2000000 kB\nMemFree:   1000 kB\nMemAvailable:      80000 kB\n")
    assert checks.check_memory(meminfo=meminfo).status == "fail"


def test_the_human_report_has_one_line_per_check_and_a_verdict() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = subprocess.run(
        [sys.executable, "-m", "provisioning", "doctor", "--server", url], capture_output=True, text=True, timeout=120
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 1
    assert [line.split()[1] for line in lines[:-1]] == list(CHECK_NAMES)
    assert lines[0].startswith("FAIL  server") and lines[1].startswith("skip  clock")
    assert lines[-1].startswith("doctor: NOT fit to run: fix the FAIL lines (")
