"""Gapless video in Chromium: the next video buffers while the current item plays and is swapped in decoded.

Two short WebM clips made with ffmpeg (a solid colour with a moving test pattern each), played
after an image. Every animation frame the page records what the main region shows and what is
preloaded; the test then checks that no frame showed the region without a video that had a frame
to paint, that each video was buffered (readyState ≥ 3) before the item before it ended, and that
at most one video was ever held in reserve.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import wall_manifests as wm
from wall_page import MAIN
from wall_support import Harness

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg makes the test clips (apt-get install ffmpeg)"),
]

CLIP_SECONDS = 2
IMAGE_SECONDS = 3

SAMPLER = """(main) => {
  window.__frames = [];
  const sample = () => {
    const region = document.querySelector(main).closest('.region');
    const view = region.querySelector('.region__view');
    const shown = view.querySelector('video');
    const img = view.querySelector('img');
    const reserve = [...region.querySelectorAll('.region__preload video')];
    window.__frames.push({
      at: performance.now(),
      video: shown ? new URL(shown.src).pathname : null,
      ready: shown ? shown.readyState : -1,
      image: !!img,
      reserve: reserve.map((v) => ({ src: new URL(v.src).pathname, ready: v.readyState })),
    });
    if (window.__frames.length < 20000) requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
}"""


def clip(path: Path, colour: str) -> bytes:
    """A WebM (VP8) of CLIP_SECONDS: the colour with a small moving test pattern, 320×180 at 25 fps."""
    subprocess.run(
        [
            "ffmpeg", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"color=c={colour}:s=320x180:r=25:d={CLIP_SECONDS}",
            "-f", "lavfi", "-i", f"testsrc=s=80x60:r=25:d={CLIP_SECONDS}",
            "-filter_complex", "[0][1]overlay=x='t*100':y=60",
            "-c:v", "libvpx", "-b:v", "300k", "-an", str(path),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path.read_bytes()


@pytest.fixture
def clips(harness: Harness, tmp_path: Path) -> tuple[str, str]:
    names = ("1" * 64, "2" * 64)
    for name, colour in zip(names, ("red", "blue"), strict=True):
        (harness.media / name).write_bytes(clip(tmp_path / f"{name[:4]}.webm", colour))
        (harness.media / f"{name}.mime").write_text("video/webm")
    return names


def test_videos_after_an_image_switch_without_an_empty_frame(
    harness: Harness, open_wall: Any, clips: tuple[str, str]
) -> None:
    first, second = clips
    picture = "3" * 64
    (harness.media / picture).write_bytes(wm.png(rgb=(20, 140, 60)))
    items = wm.standard_items(
        **{
            "media:1": wm.media(1, picture),
            "media:2": wm.media(2, first, media_type="video", mime="video/webm"),
            "media:3": wm.media(3, second, media_type="video", mime="video/webm"),
        }
    )
    main = [wm.entry("media:1", IMAGE_SECONDS), wm.entry("media:2", None), wm.entry("media:3", None)]
    harness.screen("wall", wm.simple(wm.standard_regions(main), items))
    page = open_wall("wall")
    page.wait_for_selector(f"{MAIN} img", timeout=15_000)
    page.evaluate(SAMPLER, MAIN)
    page.wait_for_function(
        "url => window.__frames.some((f) => f.video === url && f.ready >= 2)"
        " && window.__frames.at(-1).video === null",  # the second clip played, and the image is back
        arg=f"/media/{second}",
        timeout=(IMAGE_SECONDS + 3 * CLIP_SECONDS + 15) * 1000,
    )
    frames = page.evaluate("window.__frames")
    urls = [f"/media/{first}", f"/media/{second}"]

    def index_of_first(url: str) -> int:
        return next(i for i, f in enumerate(frames) if f["video"] == url)

    starts = [index_of_first(url) for url in urls]
    assert starts[0] > 0 and frames[starts[0] - 1]["image"], "the first video came straight after the image"
    assert frames[starts[1] - 1]["video"] == urls[0], "the second video came straight after the first"
    for start, url in zip(starts, urls, strict=True):
        before = frames[start - 1]["reserve"]
        assert [r["src"] for r in before] == [url] and before[0]["ready"] >= 3, (
            f"{url} was buffered before the item ahead of it ended: {before}"
        )
    switching = frames[starts[0] - 1 : starts[1] + 30]
    empty = [f for f in switching if not f["image"] and (f["video"] is None or f["ready"] < 2)]
    assert empty == [], f"frames with no picture to paint at a switch: {empty[:3]}"
    assert max(len(f["reserve"]) for f in frames) <= 1, "never more than one video held in reserve"


def test_a_preloaded_video_that_fails_is_skipped_after_the_fallback(
    harness: Harness, open_wall: Any, clips: tuple[str, str]
) -> None:
    first, _ = clips
    missing = "4" * 64  # not on the server: its preload fails, and the player moves on
    items = wm.standard_items(
        **{
            "media:2": wm.media(2, first, media_type="video", mime="video/webm"),
            "media:3": wm.media(3, missing, media_type="video", mime="video/webm"),
            "notice:4": wm.notice(4),
        }
    )
    main = [wm.entry("media:2", None), wm.entry("media:3", None), wm.entry("notice:4", 3)]
    harness.screen("wall", wm.simple(wm.standard_regions(main), items))
    page = open_wall("wall")
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.textContent.includes(text) ?? false",
        arg=[MAIN, wm.notice(4)["title"]],
        timeout=(2 * CLIP_SECONDS + 20) * 1000,
    )
    assert page.locator(f"{MAIN} video").count() == 0
