"""A whole kiosk for browser tests: the demo world, ``kiosk serve``, the real agent on a simulated ID reader.

The demo seed gives the kiosk real-looking vacancies, notices and synthetic people with coherent
36-month histories (content/demo). The agent reads cards from ``SimIdCardReader`` on a pty, exactly
as on a kiosk; tests ``present()`` and ``remove()`` the people's ID cards. Helpers below drive the
kiosk page in Chromium: open it, wait for a screen, read what the browser keeps, run axe-core.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.demo_backend import DemoRecords
from content.citizens.idnumbers import compose_id_number
from content.citizens.kiosk_agents import issue_agent_credential
from content.citizens.person_records import contribution_gaps
from content.citizens.records import CardSource, identity_from_card
from content.demo import DEFAULT_RNG_SEED, seed_demo
from content.demo.people import Person, demo_card_holders
from content.org.screens import Screen
from devices.agent.config import AgentConfig
from devices.agent.supervisor import Agent
from devices.drivers.idcard_reader import IdCardReader
from devices.drivers.known_readers import ReaderKind
from devices.simulators.idcard_reader import SimCard, SimIdCardReader
from kiosk_server.database import make_engine
from kiosk_server.records_backends import agent_credential_key, records_key
from tests.support import migrated_schema
from tests.support.citizens import Kiosk, KioskScreenClient
from tests.support.server import ServerProcess, wait_for

SECRET: Final = "kiosk-touch-ui-e2e-secret-0123456789abcdef"
KIOSK_HALL: Final = "城关区公共就业服务中心"  # a county hall: its own, the city's and the province's vacancies
AXE: Final = Path(__file__).resolve().parents[1] / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
PORTRAIT: Final = {"width": 1080, "height": 1920}
LANDSCAPE: Final = {"width": 1920, "height": 1080}


@dataclass
class KioskSite:
    server: ServerProcess
    kiosk: Kiosk
    sim: SimIdCardReader
    agent: Agent
    hall_name: str
    gappy: Person  # contributions with at least one gap
    steady: Person  # another person, for swaps
    unknown: SimCard = field(repr=False)  # a valid ID number the records backend does not know

    @property
    def page_url(self) -> str:
        return f"{self.server.url}/screen/{self.kiosk.key}"

    def present(self, person: Person) -> None:
        self.sim.present(sim_card(person))

    def remove(self) -> None:
        self.sim.remove()

    def has_open_session(self) -> bool:
        """Whether the server holds an open session for the kiosk (it re-sends it to a screen saying hello)."""
        client = KioskScreenClient(self.server.url, self.kiosk.key).connect()
        try:
            wait_for(lambda: client.received("welcome"), 10, "welcome on the kiosk's screen socket")
            return bool(client.received("citizen_session"))
        finally:
            client.close()

    def clear(self) -> None:
        """No card on the reader and no open session: the next test starts from nothing."""
        self.remove()
        wait_for(
            lambda: not self.has_open_session(), 20, "the kiosk's session to end after the card left", interval=0.3
        )


def sim_card(person: Person) -> SimCard:
    return SimCard(
        name=person.name,
        sex_code=person.sex_code,
        nation_code=person.nation_code or "01",
        birth_date=person.birth_date.strftime("%Y%m%d"),
        id_number=person.id_number,
    )


def masked_name(person: Person) -> str:
    """The masked name as the server shows it (the family name, the rest as stars)."""
    from content.citizens.records import mask_name

    return mask_name(person.name)


def _pick_people(session: Session, key: bytes, today: date) -> tuple[Person, Person]:
    """A person whose last 36 months have a gap, and another one (different family name) for swaps."""
    backend = DemoRecords(session, key, lambda: datetime.now(UTC))
    gappy = steady = None
    for person in demo_card_holders(DEFAULT_RNG_SEED):
        identity = identity_from_card(
            CardSource.IDCARD,
            "idcard-e2e",
            {
                "document_kind": "resident",
                "id_number": person.id_number,
                "name": person.name,
                "sex_code": person.sex_code,
                "birth_date": person.birth_date.strftime("%Y%m%d"),
            },
            today=today,
        )
        records = backend.records(backend.identify(identity).ref, today)
        gaps = contribution_gaps(records.contributions)
        paid = sum(1 for m in records.contributions if m.paid)
        if gappy is None and gaps and paid >= 12 and records.balances.pension_account_fen > 0:
            gappy = person
        elif steady is None and paid >= 6 and (gappy is None or person.name[0] != gappy.name[0]):
            steady = person
        if gappy is not None and steady is not None and steady.name[0] != gappy.name[0]:
            return gappy, steady
    raise AssertionError("the demo people hold nobody with a contribution gap")


@contextmanager
def kiosk_site(root: Path, *, idle_seconds: int = 180, extra_env: dict[str, str] | None = None) -> Iterator[KioskSite]:
    """Seed the demo world, start the server and the kiosk's agent on a simulated reader; stop them after."""
    root.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{root / 'kiosk.sqlite3'}"
    migrated_schema.install(url)  # a copy of the migrated template; upgrade_schema then finds it at head
    engine = make_engine(url)
    migrated_schema.ready(engine)
    key = records_key(SECRET)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    with Session(engine) as session:
        seed_demo(session, today=today, records_key=key)
        session.commit()
        screen = session.scalars(select(Screen).where(Screen.kind == "kiosk").order_by(Screen.id)).all()
        screen = next(s for s in screen if s.hall.name == KIOSK_HALL)
        credential = issue_agent_credential(session, screen, agent_credential_key(SECRET))
        session.commit()
        kiosk = Kiosk(screen.id, screen.key, credential)
        gappy, steady = _pick_people(session, key, today)
    engine.dispose()
    unknown = SimCard(
        name="查无此人",
        sex_code="1",
        birth_date="19700101",
        id_number=compose_id_number("620102", date(1970, 1, 1), 997),
    )
    env = {
        "KIOSK_SECRET_KEY": SECRET,
        "KIOSK_CITIZEN_SESSION_IDLE_SECONDS": str(idle_seconds),
        "KIOSK_SESSION_SWEEP_SECONDS": "0.5",
        **(extra_env or {}),
    }
    server = ServerProcess(root / "server", url, extra_env=env)
    server.start()
    sim = SimIdCardReader().start()
    config = AgentConfig(
        server_url=server.url,
        device_key=kiosk.key,
        credential=kiosk.credential,
        hotplug=False,
        pcsc=False,
        reconnect_backoff=(0.1, 0.5),
    )
    agent = Agent(
        config,
        # The simulated reader is a thread of this busy test process: under the parallel suite it can
        # miss a real reader's 1 s answer deadline, which the agent rightly reports as a fault and
        # the kiosk as the card gone, ending the session mid-test.
        drivers=(
            (
                ReaderKind.IDCARD_SERIAL,
                lambda emit: IdCardReader(sim.port, emit, reader_id="idcard-kiosk", response_timeout=5.0),
            ),
        ),
    )
    agent.start()
    try:
        wait_for(lambda: agent.link.connected, 15, "the agent's link to the server")
        yield KioskSite(server, kiosk, sim, agent, KIOSK_HALL, gappy, steady, unknown)
    finally:
        agent.stop()
        sim.stop()
        server.stop()


# -- the kiosk page ------------------------------------------------------------------------------------


def open_kiosk(browser: Any, site: KioskSite, viewport: dict[str, int] = PORTRAIT, **context_args: Any) -> Any:
    """A new context and page on the kiosk, online and showing the attract loop. Close its context after."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **context_args)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.kiosk_errors = errors  # type: ignore[attr-defined]
    page.goto(site.page_url)
    page.wait_for_function("() => document.getElementById('wall').dataset.conn === 'online'", timeout=20_000)
    wait_screen(page, "attract")
    return page


def wait_screen(page: Any, name: str, timeout: float = 15_000) -> None:
    page.wait_for_selector(f"#kiosk[data-screen='{name}']", state="attached", timeout=timeout)


def state(page: Any) -> dict[str, Any]:
    return page.evaluate("() => window.__kiosk.state()")


def wait_session(page: Any, timeout: float = 20_000) -> Any:
    """Wait until the page serves a citizen session; returns its id."""
    page.wait_for_function("() => window.__kiosk.state().session !== null", timeout=timeout)
    return state(page)["session"]


def tap(page: Any, selector: str) -> None:
    page.locator(selector).first.click()


def kiosk_text(page: Any) -> str:
    return page.inner_text("#kiosk")


def dom_text(page: Any) -> str:
    """Every character of the document, hidden ones and attributes included."""
    return page.evaluate("() => document.documentElement.outerHTML")


STORAGE_DUMP = """async () => {
  const out = { local: Object.entries(localStorage), session: Object.entries(sessionStorage), idb: [], caches: [],
                cookies: document.cookie };
  const dbs = indexedDB.databases ? await indexedDB.databases() : [];
  for (const info of dbs) {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open(info.name);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    for (const store of db.objectStoreNames) {
      const rows = await new Promise((resolve) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => resolve([]);
      });
      out.idb.push([info.name, store, rows]);
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      out.caches.push([name, request.url, await response.text()]);
    }
  }
  return JSON.stringify(out);
}"""


def browser_storage(page: Any) -> str:
    """localStorage, sessionStorage, IndexedDB, CacheStorage and cookies of the page's origin, as one text."""
    return str(page.evaluate(STORAGE_DUMP))


def assert_nothing_personal_stored(page: Any, secrets: list[str]) -> None:
    stored = browser_storage(page)
    dump = json.loads(stored)
    cached = [url for _name, url, _body in dump["caches"]]
    assert not [url for url in cached if "/kiosk/api/" in url], "no answer of the kiosk API may be cached"
    # The app shell's scripts name the API's paths; anything else that does is an answer kept by the page.
    kept = json.dumps([dump["local"], dump["session"], dump["idb"], dump["cookies"]], ensure_ascii=False)
    assert "/kiosk/api/" not in kept, "no answer of the kiosk API may be kept in page storage"
    for secret in secrets:
        assert secret and secret not in stored, "nothing personal may stay in browser storage"
        assert json.dumps(secret)[1:-1] not in stored, "nothing personal may stay in browser storage (escaped)"


def axe_missing() -> str | None:
    if not AXE.is_file():
        return f"{AXE} is missing: run ./dev.sh test or `npm ci --prefix tests/e2e`"
    return None


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through DevTools rather than added as a <script>: the pages' CSP refuses inline scripts.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("""async () => {
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')) }));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]
