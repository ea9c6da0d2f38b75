"""The proof-of-play report's words."""

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "plays.title": ("播放统计", "Proof of play"),
    "plays.hint": (
        "屏幕实际播放了什么：按节目、屏幕、小时或天汇总（北京时间）。已删除的节目和屏幕仍保留记录。",
        "What screens actually showed, by item, screen, hour or day (Beijing time). Deleted items and "
        "screens keep their records.",
    ),
    "plays.from": ("起始日期", "From"),
    "plays.to": ("结束日期（含）", "To (inclusive)"),
    "plays.group": ("汇总方式", "Group by"),
    "plays.group.item": ("按节目", "By item"),
    "plays.group.screen": ("按屏幕", "By screen"),
    "plays.group.hour": ("按小时", "By hour"),
    "plays.group.day": ("按天", "By day"),
    "plays.item": ("节目编号（可选）", "Item id (optional)"),
    "plays.show": ("查看", "Show"),
    "plays.csv": ("导出 CSV", "Export CSV"),
    "plays.col.item": ("节目", "Item"),
    "plays.col.kind": ("类型", "Kind"),
    "plays.kind.vacancy": ("招聘岗位", "Vacancy"),
    "plays.kind.notice": ("政策公告", "Policy notice"),
    "plays.kind.media": ("图片视频", "Media"),
    "plays.kind.ticker": ("滚动字幕", "Ticker"),
    "plays.kind.guide": ("办事指南", "Service guide"),
    "plays.col.screen": ("屏幕", "Screen"),
    "plays.col.period": ("时段", "Period"),
    "plays.col.plays": ("播放次数", "Plays"),
    "plays.col.minutes": ("播放时长（分钟）", "Shown (minutes)"),
    "plays.total": ("合计", "Total"),
    "plays.none": ("该时段没有播放记录", "Nothing was recorded in this period"),
    "plays.day.invalid": ("日期格式应为 2026-12-01", "Dates look like 2026-12-01"),
    "plays.period.invalid": (
        "结束日期不能早于起始日期，且不超过一年",
        "The end may not be before the start, nor a year after it",
    ),
}
