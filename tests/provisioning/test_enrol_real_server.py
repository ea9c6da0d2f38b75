"""`kiosk provision` against a real `kiosk serve`: the box's enrolment client and the server's enrolment API agree.

The box asks the real server for a code and shows it; the technician's side is the domain's own claim
(what the console's enrol page calls), run on the server's database while the box polls. The box then
writes an agent configuration that the server accepts, and opens the screen's real URL.
"""

from __future__ import annotations

import threading
import tomllib
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from content.citizens.keyed_hash import derive_key
from content.citizens.kiosk_agents import verify_agent_credential
from content.org.enrolment import Placement, claim, find_code
from content.org.screens import Orientation, ScreenKind
from content.org.tree import Hall, OrgLevel, OrgUnit
from provisioning.enrol import Code
from provisioning.provision import ProvisionOptions, run_provision
from tests.support.server import ServerProcess

HALL = "兰州市城关区人力资源市场"
SECRET = "a-test-secret-of-the-server-0123456789"


def _seed_hall(url: str) -> int:
    engine = create_engine(url)
    with Session(engine) as db:
        unit = OrgUnit(level=OrgLevel.CITY.value, name="兰州市", path="")
        db.add(unit)
        db.flush()
        unit.path = f"/{unit.id}/"
        hall = Hall(org_unit=unit, name=HALL)
        db.add(hall)
        db.commit()
        hall_id = hall.id
    engine.dispose()
    return hall_id


class ClaimingTechnician:
    """The box's code display; claims each shown code on the server's database, as the console would."""

    def __init__(self, database_url: str, hall_id: int) -> None:
        self.database_url = database_url
        self.hall_id = hall_id
        self.shown: list[str] = []
        self.errors: list[BaseException] = []
        self.threads: list[threading.Thread] = []

    def show(self, code: Code) -> None:
        self.shown.append(code.code)
        thread = threading.Thread(target=self._claim, args=(code.code,), daemon=True)
        self.threads.append(thread)
        thread.start()

    def expired(self, code: Code) -> None:
        self.errors.append(AssertionError(f"code {code.code} expired in a test that claims it at once"))

    def _claim(self, typed: str) -> None:
        engine = create_engine(self.database_url)
        try:
            with Session(engine) as db:
                now = datetime.now(UTC)
                row = find_code(db, typed.lower(), actor="tech", now=now)  # typed in lower case, as people do
                hall = db.get(Hall, self.hall_id)
                assert hall is not None
                placement = Placement(
                    hall=hall,
                    name="一楼自助终端 3 号",
                    kind=ScreenKind.KIOSK,
                    width_px=1080,
                    height_px=1920,
                    orientation=Orientation.PORTRAIT,
                )
                claim(db, row, actor="tech", now=now, placement=placement)
                db.commit()
        except BaseException as err:  # noqa: BLE001 - reported to the test's thread
            self.errors.append(err)
        finally:
            engine.dispose()


def test_a_box_enrols_against_the_real_server_and_gets_a_working_credential(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    server = ServerProcess(
        tmp_path / "server", database_url, async_mode="threading", extra_env={"KIOSK_SECRET_KEY": SECRET}
    )
    server.start()
    try:
        hall_id = _seed_hall(database_url)
        technician = ClaimingTechnician(database_url, hall_id)
        root = tmp_path / "box"
        root.mkdir()
        out = tmp_path / "out.txt"
        with out.open("w", encoding="utf-8") as stream:
            status = run_provision(ProvisionOptions(server_url=server.url, root=root), stream, display=technician)
        for thread in technician.threads:
            thread.join(10)
        assert technician.errors == []
        assert status == 0, out.read_text(encoding="utf-8")
        assert len(technician.shown) == 1 and len(technician.shown[0]) == 6

        config = tomllib.loads((root / "etc/kiosk/agent.toml").read_text(encoding="utf-8"))
        assert config["server"]["url"] == server.url
        key, credential = config["device"]["key"], config["device"]["credential"]
        engine = create_engine(database_url)
        with Session(engine) as db:
            screen = verify_agent_credential(db, key, credential, derive_key(SECRET, "agent-credentials"))
            assert screen is not None and screen.name == "一楼自助终端 3 号" and screen.hall_id == hall_id
            assert (
                verify_agent_credential(db, key, credential, derive_key("another secret", "agent-credentials")) is None
            )
        engine.dispose()
        with urllib.request.urlopen(f"{server.url}/screen/{key}", timeout=10) as answer:
            assert answer.status == 200
        env = (root / "etc/kiosk/display.env").read_text(encoding="utf-8")
        assert f"{server.url}/screen/{key}" in env
        assert key not in out.read_text(encoding="utf-8") and credential not in out.read_text(encoding="utf-8")
    finally:
        server.stop()
