"""Voice packs: the recorded segments a screen assembles calls from (请 A 零 二 三 号 到 五 号窗口办理).

A pack is a set of named audio segments and a JSON index (segment name → file URL and SHA-256).
Files and index are content-addressed (``/voice/<sha256>``), so a screen's service worker keeps
them for good. Every hall plays its own newest pack, or else the newest default pack (hall
``None``: generated at install with espeak-ng, ``kiosk voice-pack build``). An upload is checked
as a whole here (every segment present, audio by content, size bounds) before anything is stored,
so a hall's pack is never half replaced. The pack reaches screens in their manifest's ``voice``
entry (docs/protocol.md §2, "Voice"), built from ``voice_entry``.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Final

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from content import outbox
from content.db import Base, utcnow
from content.errors import ValidationError
from content.org.screen_voice import VoiceSettings

# Segment name → what it says. Names are ASCII so zip archives from any system agree on them.
WORDS: Final[dict[str, str]] = {
    "qing": "请",
    "hao": "号",
    "dao": "到",
    "haochuangkoubanli": "号窗口办理",
    "chonghu": "重呼",
}
DIGITS: Final = "零一二三四五六七八九"
LETTERS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SEGMENTS: Final[dict[str, str]] = {
    **WORDS,
    **{letter: letter for letter in LETTERS},
    **{str(d): DIGITS[d] for d in range(10)},
}
MIN_SEGMENT_BYTES: Final = 64  # below this no recording is long enough to hear
MAX_SEGMENT_BYTES: Final = 2 * 1024 * 1024
MAX_PACK_BYTES: Final = 40 * 1024 * 1024
AUDIO_MIME: Final = {"wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg"}
INDEX_SCHEMA: Final = 1


class VoicePack(Base):
    """One stored pack: its index's SHA-256 (the index file and its URL) and where it came from."""

    __tablename__ = "voice_packs"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), index=True)
    index_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # espeak-ng | upload
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Segment:
    name: str
    data: bytes
    mime: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def label(name: str) -> str:
    """How messages name a segment: its file stem, and what it says when that differs (``7 (七)``)."""
    return name if SEGMENTS[name] == name else f"{name} ({SEGMENTS[name]})"


def audio_kind(head: bytes) -> str | None:
    """wav, mp3 or ogg as told by a file's first bytes (never its name), or None."""
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:3] == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def segment_name(filename: str) -> str | None:
    """The segment a file is for, by its stem: ``A.wav``, ``0.mp3``, ``qing.ogg`` or ``请.wav``."""
    stem = PurePosixPath(filename.replace("\\", "/")).name.rsplit(".", 1)[0].strip()
    if stem.upper() in LETTERS and len(stem) == 1:
        return stem.upper()
    if stem in SEGMENTS:
        return stem
    by_text = {text: name for name, text in WORDS.items()} | {DIGITS[d]: str(d) for d in range(10)}
    return by_text.get(stem)


# Why a file or a pack was refused: reason → English message ({file}, {detail} filled in).
REASONS: Final[dict[str, str]] = {
    "not_zip": "the archive is not a zip file",
    "zip_large": f"the archive unpacks to more than {MAX_PACK_BYTES // 2**20} MB",
    "name": "not a segment name: use 请/qing, 号/hao, 到/dao, 号窗口办理, 重呼, A–Z or 0–9",
    "duplicate": "a second file for segment {detail}",
    "small": "too small to be a recording ({detail} bytes)",
    "large": f"larger than {MAX_SEGMENT_BYTES // 2**20} MB",
    "not_audio": "not a WAV, MP3 or OGG recording (checked by content, not by name)",
    "missing": "missing: {detail}",
    "none": "no file was chosen",
}


@dataclass(frozen=True)
class Problem:
    file: str  # the file's name; "file" for the archive, "segments" for what is missing
    reason: str  # a key of REASONS
    detail: str = ""


class PackRefused(ValidationError):
    """An upload that is not a whole pack: one ``Problem`` per bad file (and one for what is missing)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__({p.file: REASONS[p.reason].format(detail=p.detail) for p in problems})
        self.problems = tuple(problems)


def files_from_zip(data: bytes) -> dict[str, bytes]:
    """The files of a zip archive by name (folders and hidden files skipped); bounded before reading."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise PackRefused([Problem("file", "not_zip")]) from err
    infos = [i for i in archive.infolist() if not i.is_dir() and not PurePosixPath(i.filename).name.startswith(".")]
    if sum(i.file_size for i in infos) > MAX_PACK_BYTES:
        raise PackRefused([Problem("file", "zip_large")])
    files: dict[str, bytes] = {}
    for info in infos:
        if info.file_size > MAX_SEGMENT_BYTES:
            files[info.filename] = b"\0" * (MAX_SEGMENT_BYTES + 1)  # refused below with its name, not read
        else:
            files[info.filename] = archive.read(info)
    return files


def _check_file(filename: str, data: bytes, name: str, found: Mapping[str, Segment]) -> Problem | Segment:
    if name in found:
        return Problem(filename, "duplicate", label(name))
    if len(data) < MIN_SEGMENT_BYTES:
        return Problem(filename, "small", str(len(data)))
    if len(data) > MAX_SEGMENT_BYTES:
        return Problem(filename, "large")
    kind = audio_kind(data[:16])
    if kind is None:
        return Problem(filename, "not_audio")
    return Segment(name, data, AUDIO_MIME[kind])


def check_segments(files: Mapping[str, bytes]) -> dict[str, Segment]:
    """Every segment of a pack from uploaded files, or PackRefused with one problem per bad file.

    Errors are keyed by file name (``segments`` for what is missing); nothing is kept unless all pass.
    """
    problems: list[Problem] = []
    found: dict[str, Segment] = {}
    named: set[str] = set()  # segments some file was for (a bad file is reported, not also as missing)
    for filename, data in sorted(files.items()):
        name = segment_name(filename)
        if name is None:
            problems.append(Problem(filename, "name"))
            continue
        named.add(name)
        checked = _check_file(filename, data, name, found)
        if isinstance(checked, Problem):
            problems.append(checked)
        else:
            found[name] = checked
    missing = [n for n in SEGMENTS if n not in named]
    if missing:
        problems.append(Problem("segments", "missing", ", ".join(label(n) for n in missing)))
    if problems:
        raise PackRefused(problems)
    return {name: found[name] for name in SEGMENTS}


def index_json(segments: Mapping[str, Segment], source: str) -> bytes:
    """The pack's index file (canonical JSON): segment name → file URL, SHA-256, type and text."""
    body = {
        "schema": INDEX_SCHEMA,
        "source": source,
        "segments": {
            name: {"file": f"/voice/{seg.sha256}", "sha256": seg.sha256, "mime": seg.mime, "text": SEGMENTS[name]}
            for name, seg in sorted(segments.items())
        },
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def register(session: Session, hall_id: int | None, index: bytes, source: str, label: str = "") -> VoicePack:
    """Record a stored pack as its hall's current one (None: the default), with the outbox row."""
    pack = VoicePack(hall_id=hall_id, index_sha256=hashlib.sha256(index).hexdigest(), source=source, label=label)
    session.add(pack)
    session.flush()
    outbox.add_event(session, "content", kind="voice_pack", id=pack.id, action="created")
    return pack


def current_packs(session: Session) -> dict[int | None, VoicePack]:
    """The newest pack of every hall that has one, and the default under ``None``."""
    packs: dict[int | None, VoicePack] = {}
    for pack in session.scalars(select(VoicePack).order_by(VoicePack.id)):
        packs[pack.hall_id] = pack
    return packs


def pack_for_hall(session: Session, hall_id: int) -> VoicePack | None:
    """The pack a hall's screens play: its own newest, else the newest default."""
    packs = current_packs(session)
    return packs.get(hall_id) or packs.get(None)


def voice_entry(pack_sha256: str | None, settings: VoiceSettings) -> dict[str, Any] | None:
    """The manifest's ``voice`` entry, or None when there is no pack and the settings are the defaults."""
    if pack_sha256 is None and settings == VoiceSettings():
        return None
    pack = None if pack_sha256 is None else {"url": f"/voice/{pack_sha256}", "version": pack_sha256[:16]}
    return {"pack": pack, "volume": settings.volume, "quiet": settings.quiet}


def voice_key(entry: Mapping[str, Any] | None) -> str:
    """The entry as canonical text (empty for none): part of a screen's manifest group."""
    if entry is None:
        return ""
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
