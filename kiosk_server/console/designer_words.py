"""The words of the layout designer and of ordering playlists by drag: Chinese first, English second."""

from __future__ import annotations

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "layouts.designer": ("版式设计器", "Layout designer"),
    "layouts.designer.hint": (
        "在画面上拖动区域可移动，拖动右下角可改变大小，在空白处拖动可新建区域；"
        "选中区域后，方向键每次移动1%，Shift+方向键改变大小。位置会贴齐1%网格、画面边缘和其他区域的边。"
        "下方表格中的数字随之更新，保存时以表格为准。",
        "Drag a region to move it, drag its bottom-right corner to resize it, drag on empty screen to draw a "
        "new one; with a region selected, the arrow keys move it by 1 % and Shift+arrows resize it. Edges snap "
        "to the 1 % grid, the screen's edges and other regions' edges. The numbers in the table follow; the "
        "table is what is saved.",
    ),
    "layouts.designer.profile": ("屏幕规格", "Screen"),
    "layouts.profile.fhd_landscape": ("1920×1080 横屏 LCD", "1920×1080 landscape LCD"),
    "layouts.profile.fhd_portrait": ("1080×1920 竖屏 LCD（自助终端）", "1080×1920 portrait LCD (kiosk)"),
    "layouts.profile.ultra_wide": ("3840×1080 超宽屏", "3840×1080 ultra-wide"),
    "layouts.profile.uhd_landscape": ("3840×2160 横屏 LCD", "3840×2160 landscape LCD"),
    "layouts.profile.counter_strip": ("1920×540 窗口条屏", "1920×540 counter strip"),
    "layouts.profile.led_small": ("768×384 LED 门头屏", "768×384 LED sign"),
    "layouts.profile.led_strip": ("640×64 LED 条屏", "640×64 LED strip"),
    "layouts.designer.safe": (
        "虚线框内为安全区域（四边各留{inset}%）",
        "Inside the dashed line is safe ({inset} % inset)",
    ),
    "layouts.designer.sample": ("最小字号示例", "Smallest text"),
    "layouts.designer.sample_note": (
        "LED屏：各区域内的示例文字为播放时的最小字号（{px}像素），按实际比例显示。",
        "LED panel: the sample line in each region is the smallest text the player sets here ({px} px), to scale.",
    ),
    "layouts.designer.region": (
        "区域{n}“{name}”：左{x}%，上{y}%，宽{w}%，高{h}%",
        "Region {n} “{name}”: left {x} %, top {y} %, width {w} %, height {h} %",
    ),
    "layouts.designer.overlaps": ("重叠的区域：", "Overlapping regions:"),
    "layouts.designer.overlap": (
        "区域{a}“{an}”与区域{b}“{bn}”重叠",
        "Region {a} “{an}” overlaps region {b} “{bn}”",
    ),
    "layouts.designer.no_overlap": ("没有重叠的区域", "No regions overlap"),
    "layouts.designer.too_small": ("（放不下一行最小字号的文字）", " (cannot hold one line of the smallest text)"),
    "layouts.designer.full": (
        "最多{limit}个区域，无法再新建",
        "At most {limit} regions: no new one can be drawn",
    ),
    "layouts.designer.new_name": ("区域{n}", "region{n}"),
    "playlists.order.handle": ("拖动以调整第{n}项的顺序", "Entry {n}: drag to move it"),
    "playlists.order.up": ("上移", "Up"),
    "playlists.order.down": ("下移", "Down"),
    "playlists.order.up_label": ("第{n}项上移", "Entry {n}: up"),
    "playlists.order.down_label": ("第{n}项下移", "Entry {n}: down"),
    "playlists.order.moved": ("已移到第{position}位（共{count}项）", "Moved to position {position} of {count}"),
    "playlists.order.hint": (
        "拖动左侧的手柄、或用“上移”“下移”按钮（也可按 Alt+↑/↓）调整顺序，“顺序”一栏随之更新。",
        "Drag the handle, or use Up and Down (or Alt+↑/↓), to reorder; the Order column follows.",
    ),
}
