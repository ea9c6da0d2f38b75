"""The layout-fit check: a 16:9 layout against walls, portrait kiosks, counter strips and small LED panels."""

from __future__ import annotations

from typing import Any

from content.signage.layout_fit import Problem, RegionShape, ScreenProfile, fit, misfits, text_px

# tests/support/world.py's "大厅横屏": header and clock on top, a main playlist, a ticker at the foot.
HALL_LAYOUT = [
    RegionShape("header", "header", 0.75, 0.1),
    RegionShape("clock", "clock", 0.25, 0.1),
    RegionShape("main", "playlist", 1.0, 0.82),
    RegionShape("ticker", "ticker", 1.0, 0.08),
]


def screen(**overrides: Any) -> ScreenProfile:
    values: dict[str, Any] = {
        "id": 1,
        "name": "大厅1号屏",
        "kind": "wall",
        "hall": "城关区人力资源市场",
        "width_px": 1920,
        "height_px": 1080,
        "panel": "lcd",
    }
    values.update(overrides)
    return ScreenProfile(**values)


def test_a_landscape_layout_fits_the_walls_it_was_drawn_for() -> None:
    for size in ((1920, 1080), (3840, 2160), (1366, 768), (2560, 1080)):
        assert fit(HALL_LAYOUT, screen(width_px=size[0], height_px=size[1])) is None, size


def test_a_small_led_wall_of_two_to_one_still_fits() -> None:
    assert fit(HALL_LAYOUT, screen(panel="led", width_px=768, height_px=384)) is None


def test_a_portrait_kiosk_is_squeezed() -> None:
    found = fit(HALL_LAYOUT, screen(kind="kiosk", width_px=1080, height_px=1920))
    assert found is not None
    assert found.problems == (Problem.SQUEEZED,)
    assert found.small_regions == ()


def test_a_narrow_corner_region_on_a_portrait_screen_cannot_hold_a_line() -> None:
    corner = [*HALL_LAYOUT, RegionShape("badge", "playlist", 0.1, 0.1)]
    found = fit(corner, screen(kind="kiosk", width_px=1080, height_px=1920))
    assert found is not None and found.small_regions == ("badge",)  # 108 px: not six 50 px characters


def test_a_counter_strip_is_stretched_with_unreadable_text_and_every_region_too_small() -> None:
    found = fit(HALL_LAYOUT, screen(kind="counter", width_px=640, height_px=64))
    assert found is not None
    assert found.problems == (Problem.STRETCHED, Problem.TEXT_SMALL, Problem.REGION_SMALL)
    assert set(found.small_regions) == {"header", "clock", "ticker"}  # 6 px high; the main region is 52 px
    assert found.text_px == 12  # wall.css clamps the running text at 12 px


def test_a_strip_layout_fits_a_wide_strip_but_not_a_wall() -> None:
    strip = [RegionShape("name", "header", 0.3, 1.0), RegionShape("ticker", "ticker", 0.7, 1.0)]
    led_strip = screen(kind="counter", panel="led", width_px=1280, height_px=160)
    found = fit(strip, led_strip)
    assert found is not None and found.problems == (Problem.STRETCHED,)  # readable, only its shape is off
    assert fit(strip, screen()) is None


def test_text_size_follows_the_player_rule_lcd_and_led() -> None:
    assert text_px(screen()) == 1080 * 0.026
    assert text_px(screen(panel="led", width_px=768, height_px=384)) == 384 * 0.05  # html.led: 5vh
    assert text_px(screen(width_px=7680, height_px=4320)) == 72  # the ceiling


def test_regions_that_show_no_text_are_not_held_to_the_text_rule() -> None:
    assert fit([RegionShape("art", "image", 0.05, 0.05)], screen()) is None
    assert fit([RegionShape("main", "playlist", 0.05, 0.05)], screen()) is not None


def test_misfits_list_only_the_screens_that_do_not_fit_by_hall_kind_and_name() -> None:
    screens = [
        screen(id=1, name="大厅1号屏"),
        screen(id=2, name="3号窗口", kind="counter", width_px=640, height_px=64),
        screen(id=3, name="自助终端A", kind="kiosk", width_px=1080, height_px=1920),
        screen(id=4, name="1号窗口", kind="counter", width_px=640, height_px=64, hall="安宁区服务站"),
    ]
    found = misfits(HALL_LAYOUT, screens)
    assert [(m.screen.hall, m.screen.kind, m.screen.name) for m in found] == [
        ("城关区人力资源市场", "counter", "3号窗口"),
        ("城关区人力资源市场", "kiosk", "自助终端A"),
        ("安宁区服务站", "counter", "1号窗口"),
    ]
