"""Benchmark: card placed on the reader → the kiosk is told the person or the refusal, ID card and social-security card.

Run from the repository root: ``.venv/bin/python bench/bench_card_to_kiosk.py [--runs 100] [--card both]``.

Real parts only: a ``kiosk serve`` process (gevent, SQLite, the demo records backend), the real
``Agent`` with the real drivers, and a Socket.IO client in the kiosk page's place. The ID card lies
on a GA/T 467 reader simulated on a pseudo-terminal (``SimIdCardReader``, the driver polling at its
default 0.1 s); the social-security card (2.0, readable without PSAM) is a ``VirtualSscCard`` inserted
into vpcd under a ``pcscd --foreground`` this script starts (it needs pcscd and vsmartcard-vpcd, and
no other pcscd running). The clock starts just before the card is placed (``present()`` /
``insert()``) and stops when the kiosk's socket receives ``citizen_session`` (a known person) or
``citizen_session_refused`` (a valid number the records do not know); runs alternate the two. So
the time includes the driver's poll wait, the serial transfer or the APDUs, decoding, the agent's
send, the records lookup, the commit and the emit; the browser's paint is not included
(``bench_kiosk_records.py`` measures the page's side). Each run then takes the card
away and waits for the session to end.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import Session  # noqa: E402

from content.citizens.idnumbers import compose_id_number  # noqa: E402
from devices.agent.config import AgentConfig  # noqa: E402
from devices.agent.supervisor import Agent  # noqa: E402
from devices.drivers.idcard_reader import IdCardReader  # noqa: E402
from devices.drivers.known_readers import ReaderKind  # noqa: E402
from devices.drivers.ssc_reader import SocialSecurityCardReader  # noqa: E402
from devices.simulators.idcard_reader import SimCard, SimIdCardReader  # noqa: E402
from devices.simulators.ssc_card import SyntheticPerson, VirtualSscCard, VpcdCardSocket  # noqa: E402
from kiosk_server.database import make_engine, upgrade_schema  # noqa: E402
from kiosk_server.records_backends import agent_credential_key, records_key  # noqa: E402
from tests.support.citizens import KioskScreenClient, add_holder, add_kiosk  # noqa: E402
from tests.support.server import ServerProcess, wait_for  # noqa: E402
from tests.support.world import build_world  # noqa: E402

SECRET = "bench-card-to-kiosk-secret-0123456789"
VPCD_READER = "Virtual PCD 00 00"
WARM_UP = 3


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def _pcscd(folder: Path) -> subprocess.Popen[bytes]:
    from devices.drivers import pcsc

    if shutil.which("pcscd") is None:
        raise SystemExit("pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)")
    deadline = time.monotonic() + 60
    while subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode == 0:
        if time.monotonic() > deadline:
            raise SystemExit("another pcscd is running: stop it (or wait for its tests) and run again")
        time.sleep(0.5)
    process = subprocess.Popen(
        ["pcscd", "--foreground"], stdout=(folder / "pcscd.log").open("ab"), stderr=subprocess.STDOUT
    )

    def listed() -> bool:
        try:
            return VPCD_READER in pcsc.list_readers()
        except pcsc.PcscError:
            return False

    wait_for(listed, 15, "pcscd to list the vpcd reader")
    return process


def _measure(
    runs: int, place: Callable[[bool], None], take: Callable[[], None], screen: KioskScreenClient
) -> dict[str, list[float]]:
    """Alternate known and unknown cards; ms from placing to the kiosk's socket hearing the outcome."""
    times: dict[str, list[float]] = {"person": [], "refusal": []}
    for run in range(runs + WARM_UP):
        known = run % 2 == 0
        event = "citizen_session" if known else "citizen_session_refused"
        before = len(screen.received(event))
        ended_before = len(screen.received("citizen_session_ended"))
        started = time.perf_counter()
        place(known)
        wait_for(lambda e=event, b=before: len(screen.received(e)) > b, 15, event, interval=0.0005)
        elapsed = (time.perf_counter() - started) * 1000
        if run >= WARM_UP:
            times["person" if known else "refusal"].append(elapsed)
        take()
        if known:
            wait_for(lambda b=ended_before: len(screen.received("citizen_session_ended")) > b, 15, "the end")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="timed runs per card kind (half known, half refused)")
    parser.add_argument("--card", choices=("idcard", "ssc", "both"), default="both")
    args = parser.parse_args(argv)

    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-card-kiosk-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'kiosk.sqlite3'}"
        engine = make_engine(url)
        upgrade_schema(engine)
        with Session(engine) as session:
            world = build_world(session, vacancies=2)
            session.commit()
            kiosk = add_kiosk(session, world.hall_id, agent_credential_key(SECRET))
            holder = add_holder(session, records_key(SECRET), name="张伟", birth=date(1985, 3, 12), sequence=1)
        engine.dispose()
        stranger = compose_id_number("620102", date(1990, 7, 15), 77)

        server = ServerProcess(
            folder / "server", url, extra_env={"KIOSK_SECRET_KEY": SECRET, "KIOSK_LOG_LEVEL": "WARNING"}
        )
        server.start()
        config = AgentConfig(
            server_url=server.url,
            device_key=kiosk.key,
            credential=kiosk.credential,
            hotplug=False,
            pcsc=False,
            reconnect_backoff=(0.1, 1.0),
        )
        screen = KioskScreenClient(server.url, kiosk.key).connect()
        try:
            if args.card in ("idcard", "both"):
                results["ID card (pty GA/T 467)"] = _idcard(args.runs, config, screen, holder, stranger)
            if args.card in ("ssc", "both"):
                results["social-security card 2.0 (pcscd + vpcd)"] = _ssc(
                    args.runs, config, screen, holder, stranger, folder
                )
        finally:
            screen.close()
            server.stop()

    for name, times in results.items():
        print(f"{name}: card placed → kiosk socket hears the outcome")
        for outcome, values in times.items():
            print(
                f"  {outcome:8} runs {len(values):3}  median {statistics.median(values):6.1f} ms  "
                f"p95 {percentile(values, 0.95):6.1f} ms  max {max(values):6.1f} ms"
            )
        both = times["person"] + times["refusal"]
        print(
            f"  {'all':8} runs {len(both):3}  median {statistics.median(both):6.1f} ms  p95 {percentile(both, 0.95):6.1f} ms"
        )
    return 0


def _idcard(
    runs: int, config: AgentConfig, screen: KioskScreenClient, holder: Any, stranger: str
) -> dict[str, list[float]]:
    known = SimCard(
        name=holder.name,
        sex_code=holder.sex_code,
        birth_date=holder.birth_date.strftime("%Y%m%d"),
        id_number=holder.id_number,
    )
    unknown = SimCard(name="赵敏", sex_code="1", birth_date=stranger[6:14], id_number=stranger)
    sim = SimIdCardReader().start()
    agent = Agent(
        config,
        drivers=((ReaderKind.IDCARD_SERIAL, lambda emit: IdCardReader(sim.port, emit, reader_id="bench-idcard")),),
    )
    try:
        agent.start()
        wait_for(lambda: agent.link.connected, 15, "the agent's link")
        return _measure(runs, lambda k: sim.present(known if k else unknown), sim.remove, screen)
    finally:
        agent.stop()
        sim.stop()


def _ssc(
    runs: int, config: AgentConfig, screen: KioskScreenClient, holder: Any, stranger: str, folder: Path
) -> dict[str, list[float]]:
    pcscd = _pcscd(folder)
    known = SyntheticPerson(holder.name, holder.id_number, holder.sex_code, "01")
    unknown = SyntheticPerson("赵敏", stranger, "1", "01")
    agent = Agent(
        config,
        drivers=(
            (
                ReaderKind.SSC_PCSC,
                lambda emit: SocialSecurityCardReader(
                    emit, reader_name=VPCD_READER, reader_id="bench-ssc", reconnect_backoff=(0.1, 0.5)
                ),
            ),
        ),
    )
    inserted: list[VpcdCardSocket] = []

    def place(is_known: bool) -> None:
        card = VirtualSscCard(
            known if is_known else unknown, generation=2, card_number=holder.card_number if is_known else "Z00000077"
        )
        sock = VpcdCardSocket(card)
        inserted.append(sock)
        sock.insert()

    def take() -> None:
        inserted.pop().remove()

    try:
        agent.start()
        wait_for(lambda: agent.link.connected, 15, "the agent's link")
        wait_for(lambda: agent.reader_statuses.get("bench-ssc") is not None, 15, "the PC/SC reader")
        return _measure(runs, place, take, screen)
    finally:
        for sock in inserted:
            sock.remove()
        agent.stop()
        pcscd.terminate()
        pcscd.wait(10)


if __name__ == "__main__":
    raise SystemExit(main())
