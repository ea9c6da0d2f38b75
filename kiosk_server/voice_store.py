"""Voice pack files: content-addressed under ``<data dir>/voice``, built with espeak-ng or uploaded.

The rules (segment names, audio by content, size bounds, the index format) are the domain's
(``content/signage/voice_packs.py``); this module writes files and runs the speech engine. Every
file is written before the pack's row is committed, so screens never see a pack with a file missing
and a refused upload leaves the hall's pack as it was (docs/console.md, "Call voice").
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.errors import ContentError
from content.signage import voice_packs
from content.signage.voice_packs import SEGMENTS, Segment, VoicePack

log = logging.getLogger(__name__)

ESPEAK: Final = "espeak-ng"
ESPEAK_VOICE: Final = "cmn"  # Mandarin
ESPEAK_SPEED: Final = 150  # words per minute: a little slower than espeak's 175, for a hall
ESPEAK_TIMEOUT_S: Final = 30
SHA256: Final = re.compile(r"^[0-9a-f]{64}$")


class SpeechEngineMissing(ContentError):
    """espeak-ng is not installed (Debian: apt-get install espeak-ng), or it failed; the message says which."""


def voice_dir(data_dir: Path) -> Path:
    return data_dir / "voice"


def _write(directory: Path, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    target = directory / sha
    if not target.exists():
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".voice-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return sha


def store_pack(
    session: Session, data_dir: Path, hall_id: int | None, segments: Mapping[str, Segment], source: str, label: str = ""
) -> VoicePack:
    """Write every segment and the index, then record the pack (the caller commits)."""
    directory = voice_dir(data_dir)
    for segment in segments.values():
        _write(directory, segment.data)
    index = voice_packs.index_json(segments, source)
    _write(directory, index)
    return voice_packs.register(session, hall_id, index, source, label)


def synthesize(text: str, engine: str | None = None) -> bytes:
    """One segment spoken by espeak-ng in Mandarin, as WAV bytes."""
    binary = shutil.which(engine or ESPEAK)
    if binary is None:
        raise SpeechEngineMissing(f"{engine or ESPEAK} is not installed or not executable: apt-get install espeak-ng")
    with tempfile.TemporaryDirectory(prefix="voice-") as tmp:
        out = Path(tmp) / "segment.wav"
        try:
            subprocess.run(
                [binary, "-v", ESPEAK_VOICE, "-s", str(ESPEAK_SPEED), "-w", str(out), text],
                check=True,
                capture_output=True,
                timeout=ESPEAK_TIMEOUT_S,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as err:
            detail = getattr(err, "stderr", b"") or b""
            raise SpeechEngineMissing(
                f"{binary} could not say {text!r} with voice {ESPEAK_VOICE}: {err} {detail.decode(errors='replace')}".strip()
            ) from err
        return out.read_bytes()


def build_default(session: Session, data_dir: Path, engine: str | None = None) -> VoicePack:
    """Generate every segment with espeak-ng and record them as the default pack (the caller commits)."""
    files = {f"{name}.wav": synthesize(text, engine) for name, text in SEGMENTS.items()}
    segments = voice_packs.check_segments(files)  # the same checks as an upload
    return store_pack(session, data_dir, None, segments, "espeak-ng", "espeak-ng cmn")


def ensure_default(session: Session, data_dir: Path) -> VoicePack | None:
    """The default pack, built now if there is none and espeak-ng is installed (the demo's first start)."""
    found = session.scalars(select(VoicePack).where(VoicePack.hall_id.is_(None)).limit(1)).first()
    if found is not None:
        return found
    if shutil.which(ESPEAK) is None:
        log.warning("no voice pack: espeak-ng is not installed, so screens play the chime only")
        return None
    pack = build_default(session, data_dir)
    session.commit()
    log.info("default voice pack %s built with espeak-ng", pack.index_sha256[:16])
    return pack
