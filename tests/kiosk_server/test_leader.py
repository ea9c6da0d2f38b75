"""Publisher leadership: one holder per deployment (database and schema), handed over on release."""

from __future__ import annotations

import pytest

from kiosk_server.database import make_engine
from kiosk_server.leader import LeaderLock


@pytest.mark.postgres
def test_one_leader_per_schema_and_each_schema_has_its_own(postgres_schemas) -> None:
    first_url, other_url = postgres_schemas(), postgres_schemas()
    engines = [make_engine(first_url), make_engine(first_url), make_engine(other_url)]
    locks = [LeaderLock(e) for e in engines]
    try:
        assert locks[0].acquire() is True
        assert locks[1].acquire() is False, "a second process of the same deployment must stand by"
        assert locks[2].acquire() is True, "another deployment (schema) must publish on its own"
        assert locks[0].acquire() is True, "the holder keeps its lock"
        locks[0].release()
        assert locks[1].acquire() is True, "released, the lock passes to the standby"
    finally:
        for lock in locks:
            lock.release()
        for engine in engines:
            engine.dispose()


def test_sqlite_is_always_its_own_leader(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'k.sqlite3'}")
    assert LeaderLock(engine).acquire() is True
    assert LeaderLock(engine).held is True
    engine.dispose()
