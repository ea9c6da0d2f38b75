"""Synthetic voice packs for tests: one short sine WAV per segment, each of its own pitch and length."""

from __future__ import annotations

import io
import math
import struct
import wave

from content.signage.voice_packs import SEGMENTS

RATE = 8000


def sine_wav(frequency: float, seconds: float) -> bytes:
    """A mono 16-bit WAV of a quiet sine."""
    frames = int(RATE * seconds)
    samples = (int(6000 * math.sin(2 * math.pi * frequency * n / RATE)) for n in range(frames))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return out.getvalue()


def segment_seconds(index: int) -> float:
    """Segment ``index``'s length: 0.10 s to 0.24 s, so each segment has its own duration."""
    return 0.10 + 0.02 * (index % 8)


def synthetic_pack_files() -> dict[str, bytes]:
    """``<segment>.wav`` for every segment of a pack."""
    return {f"{name}.wav": sine_wav(300 + 20 * i, segment_seconds(i)) for i, name in enumerate(SEGMENTS)}
