"""Voice packs and screens' voice settings: upload checks, and what reaches the manifest."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.org import screen_voice
from content.org.screens import Screen
from content.signage import voice_packs
from content.signage.live_manifests import Changes, LiveManifests
from content.signage.manifest import resolve
from tests.support.voice_pack_files import sine_wav, synthetic_pack_files
from tests.support.world import build_world

AT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def test_a_complete_pack_passes_in_segment_order() -> None:
    segments = voice_packs.check_segments(synthetic_pack_files())
    assert list(segments) == list(voice_packs.SEGMENTS)
    assert {s.mime for s in segments.values()} == {"audio/wav"}


def test_segment_names_are_read_from_ascii_or_chinese_stems() -> None:
    assert voice_packs.segment_name("pack/请.mp3") == "qing"
    assert voice_packs.segment_name("a.wav") == "A"
    assert voice_packs.segment_name("三.ogg") == "3"
    assert voice_packs.segment_name("号窗口办理.wav") == "haochuangkoubanli"
    assert voice_packs.segment_name("hello.wav") is None


def test_a_missing_segment_is_named() -> None:
    files = synthetic_pack_files()
    del files["chonghu.wav"], files["7.wav"]
    with pytest.raises(ValidationError) as caught:
        voice_packs.check_segments(files)
    assert caught.value.errors == {"segments": "missing: chonghu (重呼), 7 (七)"}


def test_a_file_that_is_not_audio_is_refused_whatever_its_name() -> None:
    files = synthetic_pack_files()
    files["qing.wav"] = b"<html>" + b"x" * 200
    files["A.mp3"] = b"\x89PNG\r\n\x1a\n" + b"\0" * 200
    with pytest.raises(ValidationError) as caught:
        voice_packs.check_segments(files)
    assert set(caught.value.errors) == {"qing.wav", "A.mp3"}
    assert "not a WAV, MP3 or OGG" in caught.value.errors["qing.wav"]


def test_mp3_and_ogg_are_told_by_their_first_bytes() -> None:
    assert voice_packs.audio_kind(b"ID3\x04\0\0") == "mp3"
    assert voice_packs.audio_kind(b"\xff\xfb\x90\x64") == "mp3"
    assert voice_packs.audio_kind(b"OggS\0\x02") == "ogg"
    assert voice_packs.audio_kind(sine_wav(440, 0.01)[:16]) == "wav"
    assert voice_packs.audio_kind(b"fLaC\0\0\0\x22") is None


def test_size_bounds_and_unknown_files_give_one_message_each() -> None:
    files = synthetic_pack_files()
    files["dao.wav"] = sine_wav(440, 0.001)[:40]  # a header and nothing to hear
    files["B.wav"] = b"RIFF\0\0\0\0WAVE" + b"\0" * voice_packs.MAX_SEGMENT_BYTES
    files["readme.txt"] = b"hello"
    with pytest.raises(ValidationError) as caught:
        voice_packs.check_segments(files)
    errors = caught.value.errors
    assert "too small" in errors["dao.wav"]
    assert "larger than 2 MB" in errors["B.wav"]
    assert "not a segment name" in errors["readme.txt"]


def test_a_zip_gives_its_files_and_a_non_zip_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in synthetic_pack_files().items():
            archive.writestr(f"my-pack/{name}", data)
        archive.writestr("__MACOSX/.DS_Store", b"junk")
    files = voice_packs.files_from_zip(buffer.getvalue())
    assert len(voice_packs.check_segments(files)) == len(voice_packs.SEGMENTS)
    with pytest.raises(ValidationError):
        voice_packs.files_from_zip(b"not a zip")


def test_settings_are_validated_per_field() -> None:
    with pytest.raises(ValidationError) as caught:
        screen_voice.validate("120", "8:30", "", "loud")
    assert set(caught.value.errors) == {"volume", "quiet_from", "quiet_to", "quiet_mode"}
    with pytest.raises(ValidationError) as caught:
        screen_voice.validate("50", "08:30", None, "chime")
    assert set(caught.value.errors) == {"quiet_to"}
    settings = screen_voice.validate(" 40 ", "20:00", "08:30", "silent")
    assert settings.quiet == [{"from": "20:00", "to": "08:30", "mode": "silent"}]


def _store(session: Session, hall_id: int | None) -> voice_packs.VoicePack:
    segments = voice_packs.check_segments(synthetic_pack_files())
    return voice_packs.register(session, hall_id, voice_packs.index_json(segments, "upload"), "upload")


def test_no_pack_and_default_settings_leave_the_manifest_without_voice(session: Session) -> None:
    world = build_world(session, vacancies=1)
    screen = session.scalars(select(Screen).where(Screen.hall_id == world.hall_id)).first()
    assert screen is not None
    assert "voice" not in resolve(session, screen.id, AT).body


def test_volume_quiet_hours_and_the_hall_pack_reach_the_manifest(session: Session) -> None:
    world = build_world(session, vacancies=1)
    walls = list(session.scalars(select(Screen).where(Screen.hall_id == world.hall_id).order_by(Screen.id)))
    default = _store(session, None)
    session.flush()
    before = resolve(session, walls[1].id, AT)
    assert before.body["voice"] == {
        "pack": {"url": f"/voice/{default.index_sha256}", "version": default.index_sha256[:16]},
        "volume": 100,
        "quiet": [],
    }
    screen_voice.save(session, walls[0].id, screen_voice.validate(35, "20:00", "08:30", "chime"))
    session.flush()
    quiet = resolve(session, walls[0].id, AT)
    assert quiet.body["voice"]["volume"] == 35
    assert quiet.body["voice"]["quiet"] == [{"from": "20:00", "to": "08:30", "mode": "chime"}]
    assert quiet.group != before.group, "a screen with its own settings needs its own manifest"
    again = resolve(session, walls[0].id, AT)
    assert again.version == quiet.version  # deterministic
    own = _store(session, world.hall_id)  # the hall's upload replaces the default for its screens
    session.flush()
    assert resolve(session, walls[1].id, AT).body["voice"]["pack"]["url"] == f"/voice/{own.index_sha256}"
    other = session.scalars(select(Screen).where(Screen.hall_id == world.other_hall_id)).first()
    assert other is not None
    assert resolve(session, other.id, AT).body["voice"]["pack"]["url"] == f"/voice/{default.index_sha256}"


def test_live_manifests_follow_a_settings_change_and_a_new_pack(session: Session) -> None:
    world = build_world(session, vacancies=1)
    wall = session.scalars(select(Screen).where(Screen.hall_id == world.hall_id).order_by(Screen.id)).first()
    assert wall is not None
    session.commit()
    live = LiveManifests.load(session, AT)
    screen_voice.save(session, wall.id, screen_voice.validate(20, "12:00", "13:30", "silent"))
    session.commit()
    changes = Changes.of([("content", {"kind": "screen", "id": wall.id, "action": "voice"})])
    live.apply(live.read(session, changes, AT), AT)
    held = live.manifests[live.screen_groups[wall.id]]
    assert held.body["voice"] == resolve(session, wall.id, AT).body["voice"]
    assert held.version == resolve(session, wall.id, AT).version
    pack = _store(session, None)
    session.commit()
    changes = Changes.of([("content", {"kind": "voice_pack", "id": pack.id, "action": "created"})])
    assert changes.everything  # a pack reaches every hall without one of its own
    live.apply(live.read(session, changes, AT), AT)
    held = live.manifests[live.screen_groups[wall.id]]
    assert held.body["voice"]["pack"]["version"] == pack.index_sha256[:16]
    assert held.version == resolve(session, wall.id, AT).version
