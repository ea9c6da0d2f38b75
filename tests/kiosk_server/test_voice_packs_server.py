"""Voice packs on the server: the espeak-ng default pack, uploads in the console, per-screen settings.

The console is the Flask test client of a real app on SQLite (and PostgreSQL when present); what
reaches a screen is read from its ``manifest.json``, and pack files from ``/voice/<sha256>``.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.org.screens import Screen
from content.signage.voice_packs import SEGMENTS, VoicePack
from kiosk_server.database import database
from kiosk_server.settings_access import settings
from kiosk_server.voice_store import build_default
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_now, sign_in
from tests.support.kiosk_cli import run_kiosk
from tests.support.server import wait_for
from tests.support.voice_pack_files import sine_wav, synthetic_pack_files

ESPEAK = shutil.which("espeak-ng")
DEADLINE = 10


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def console(app: Flask, username: str) -> Any:
    client = app.test_client()
    sign_in(client, username)
    return client


def wall(app: Flask, cw: ConsoleWorld) -> tuple[int, str]:
    with Session(database(app).engine) as session:
        screen = session.scalars(select(Screen).where(Screen.key == cw.world.wall_keys[0])).one()
        return screen.id, screen.key


def manifest_voice(app: Flask, key: str, wanted: Any = None) -> Any:
    """The ``voice`` entry of the screen's served manifest, waiting (to a deadline) until it passes ``wanted``."""
    client = app.test_client()

    def voice() -> Any:
        body = client.get(f"/screen/{key}/manifest.json").get_json()
        found = body["manifest"].get("voice")
        return (found,) if wanted is None or wanted(found) else None

    return wait_for(voice, DEADLINE, "the manifest's voice entry")[0]


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(client: Any, screen_id: int, files: list[tuple[bytes, str]]) -> Any:
    data = {"csrf_token": csrf_now(client), "files": [(io.BytesIO(b), name) for b, name in files]}
    return client.post(f"/console/screens/{screen_id}/voice/pack", data=data, content_type="multipart/form-data")


def packs(app: Flask) -> list[tuple[int | None, str]]:
    with Session(database(app).engine) as session:
        return [(p.hall_id, p.source) for p in session.scalars(select(VoicePack).order_by(VoicePack.id))]


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_espeak_ng_builds_a_default_pack_that_every_wall_is_sent(app: Flask, cw: ConsoleWorld) -> None:
    with Session(database(app).engine) as session:
        pack = build_default(session, settings(app).data_dir)
        session.commit()
        sha = pack.index_sha256
    client = app.test_client()
    index = client.get(f"/voice/{sha}")
    assert index.status_code == 200
    assert index.headers["Cache-Control"].startswith("public") or "max-age" in index.headers["Cache-Control"]
    segments = json.loads(index.get_data())["segments"]
    assert list(segments) == sorted(SEGMENTS)
    for name, segment in segments.items():
        audio = client.get(segment["file"])
        assert audio.status_code == 200, name
        assert audio.mimetype == "audio/wav"
        body = audio.get_data()
        assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
        assert len(body) > 2000, f"{name} ({segment['text']}) is too short to be speech"
    _, key = wall(app, cw)
    voice = manifest_voice(app, key, lambda v: v is not None)
    assert voice == {"pack": {"url": f"/voice/{sha}", "version": sha[:16]}, "volume": 100, "quiet": []}


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_kiosk_voice_pack_build_makes_the_default_pack(tmp_path: Path, database_url: str) -> None:
    result = run_kiosk(
        {"KIOSK_DATA_DIR": str(tmp_path / "cli"), "KIOSK_DATABASE_URL": database_url}, "voice-pack", "build"
    )
    assert result.returncode == 0, result.stderr
    assert "default voice pack" in result.stderr
    assert len(list((tmp_path / "cli" / "voice").iterdir())) == len(SEGMENTS) + 1  # the segments and the index


def test_kiosk_voice_pack_build_says_what_is_missing_without_a_speech_engine(tmp_path: Path, database_url: str) -> None:
    env = {"KIOSK_DATA_DIR": str(tmp_path / "cli"), "KIOSK_DATABASE_URL": database_url}
    result = run_kiosk(env, "voice-pack", "build", "--espeak", str(tmp_path / "no-such-espeak"))
    assert result.returncode == 2
    assert "not installed" in result.stderr and "apt-get install espeak-ng" in result.stderr
    assert not (tmp_path / "cli" / "voice").exists() or not any((tmp_path / "cli" / "voice").iterdir())


def test_a_hall_manager_uploads_a_zip_and_the_halls_walls_play_it(app: Flask, cw: ConsoleWorld) -> None:
    screen_id, key = wall(app, cw)
    manager = console(app, "manager")
    named_in_chinese = {("请.wav" if n == "qing.wav" else n): d for n, d in synthetic_pack_files().items()}
    response = upload(manager, screen_id, [(zipped(named_in_chinese), "录音.zip")])
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/console/screens/{screen_id}#voice")
    assert packs(app) == [(cw.world.hall_id, "upload")]
    voice = manifest_voice(app, key, lambda v: v is not None)
    index = app.test_client().get(voice["pack"]["url"]).get_json()
    assert set(index["segments"]) == set(SEGMENTS)
    page = manager.get(f"/console/screens/{screen_id}").get_data(as_text=True)
    assert 'data-voice-pack="hall"' in page and "本大厅上传的录音" in page
    with Session(database(app).engine) as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action == "voice_pack_uploaded")))
    assert actions == ["voice_pack_uploaded"]


def test_a_bad_upload_names_each_file_in_chinese_and_replaces_nothing(app: Flask, cw: ConsoleWorld) -> None:
    screen_id, _ = wall(app, cw)
    manager = console(app, "manager")
    assert upload(manager, screen_id, [(zipped(synthetic_pack_files()), "good.zip")]).status_code == 302
    files = synthetic_pack_files()
    del files["chonghu.wav"]
    files["A.wav"] = b"this is a text file, whatever its name says" * 4
    files["B.wav"] = sine_wav(440, 0.0001)[:50]
    response = upload(manager, screen_id, [(data, name) for name, data in files.items()])
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "没有更换语音包" in page
    assert 'data-voice-refused-file="A.wav"' in page and "不是 WAV、MP3 或 OGG 录音" in page
    assert 'data-voice-refused-file="B.wav"' in page and "文件太小" in page
    assert "缺少这些段：chonghu (重呼)" in page
    assert packs(app) == [(cw.world.hall_id, "upload")]  # the first pack only
    not_zip = upload(manager, screen_id, [(b"PK\x03\x04 broken archive", "pack.zip")])
    assert not_zip.status_code == 400 and "压缩包无法打开" in not_zip.get_data(as_text=True)


def test_a_field_technician_may_not_replace_the_halls_voice(app: Flask, cw: ConsoleWorld) -> None:
    screen_id, _ = wall(app, cw)
    response = upload(console(app, "tech"), screen_id, [(zipped(synthetic_pack_files()), "pack.zip")])
    assert response.status_code == 403
    assert packs(app) == []


def test_volume_and_quiet_hours_reach_the_screens_manifest(app: Flask, cw: ConsoleWorld) -> None:
    screen_id, key = wall(app, cw)
    tech = console(app, "tech")
    data = {"volume": "35", "quiet_from": "18:00", "quiet_to": "08:30", "quiet_mode": "silent"}
    response = tech.post(f"/console/screens/{screen_id}/voice", data={"csrf_token": csrf_now(tech), **data})
    assert response.status_code == 302
    voice = manifest_voice(app, key, lambda v: v is not None)
    assert voice == {"pack": None, "volume": 35, "quiet": [{"from": "18:00", "to": "08:30", "mode": "silent"}]}
    other_key = cw.world.wall_keys[1]
    assert manifest_voice(app, other_key) is None  # the hall's other wall keeps the defaults
    page = tech.get(f"/console/screens/{screen_id}").get_data(as_text=True)
    assert "18:00 至 08:30，完全静音" in page


def test_bad_settings_are_named_and_keep_nothing(app: Flask, cw: ConsoleWorld) -> None:
    screen_id, key = wall(app, cw)
    tech = console(app, "tech")
    data = {"volume": "150", "quiet_from": "25:00", "quiet_to": "", "quiet_mode": "chime"}
    response = tech.post(f"/console/screens/{screen_id}/voice", data={"csrf_token": csrf_now(tech), **data})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "音量请填 0 到 100 的整数" in page
    assert 'id="f-voice-quiet_from" name="quiet_from"' in page and 'value="25:00"' in page
    assert manifest_voice(app, key) is None
