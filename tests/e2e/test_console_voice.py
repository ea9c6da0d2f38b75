"""The call-voice card in Chromium: a hall manager uploads recordings with mistakes, reads each one, then
sets the wall's volume and quiet hours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org.screens import Screen
from tests.support.console_browser import console_pages, console_site, shoot, sign_in
from tests.support.console_world import ConsoleWorld
from tests.support.voice_pack_files import synthetic_pack_files


def _wall(session: Session, cw: ConsoleWorld) -> int:
    return int(session.scalars(select(Screen.id).where(Screen.key == cw.world.wall_keys[0])).one())


def test_a_manager_reads_what_is_wrong_with_an_upload_and_sets_quiet_hours(browser: Any, tmp_path: Path) -> None:
    files = synthetic_pack_files()
    del files["chonghu.wav"], files["Z.wav"]
    files["A.wav"] = b"just some text, named like a recording " * 4
    upload = tmp_path / "upload"
    upload.mkdir()
    for name, data in files.items():
        (upload / name).write_bytes(data)
    with console_site(tmp_path, _wall) as (server, _cw, wall_id), console_pages(browser) as new_page:
        page = new_page()
        sign_in(page, server, "manager")
        page.goto(f"{server.url}/console/screens/{wall_id}/voice")
        card = page.locator("[data-voice]")
        assert card.locator("[data-voice-pack]").get_attribute("data-voice-pack") == "none"
        page.set_input_files("#f-voice-files", sorted(str(p) for p in upload.iterdir()))
        page.click("[data-voice-pack-form] button[type=submit]")
        refused = page.locator("[data-voice-refused]")
        refused.wait_for()
        assert "没有更换语音包" in refused.inner_text()
        assert "不是 WAV、MP3 或 OGG 录音" in refused.locator("[data-voice-refused-file='A.wav']").inner_text()
        assert "缺少这些段：chonghu (重呼), Z" in refused.inner_text()
        assert page.locator("[data-voice-pack]").get_attribute("data-voice-pack") == "none"  # nothing replaced
        page.fill("#f-voice-volume", "60")
        page.fill("#f-voice-quiet_from", "18:00")
        page.fill("#f-voice-quiet_to", "08:30")
        page.check("input[name=quiet_mode][value=chime]")
        shoot(page, "console-voice", full=True)
        page.click("[data-voice-screen-form] button[type=submit]")
        page.wait_for_url(f"**/console/screens/{wall_id}#voice")
        assert page.locator("[data-voice-volume]").get_attribute("data-voice-volume") == "60"
        assert "18:00 至 08:30，只响提示音" in page.locator("[data-voice-quiet]").inner_text()
        assert "已保存本屏幕的叫号语音设置" in page.locator(".flash").inner_text()
