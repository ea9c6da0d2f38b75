"""The power-schedule fragment's words (the screen page's "电源计划" card), Chinese first."""

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "power.title": ("电源计划", "Power schedule"),
    "power.hint.kiosk": (
        "自助终端的设备服务按此计划在闭馆后关闭显示屏、开馆前打开；断网时照常执行。",
        "The kiosk's device agent switches its panel off after closing and on before opening, also while offline.",
    ),
    "power.hint.wall": (
        "此屏幕没有设备服务：关屏时段由播放器把画面全黑（LED 屏不发光、几乎不耗电；液晶屏背光仍亮，但不显示内容），"
        "断网时照常执行。紧急通知随时显示；关屏时段有新叫号时亮屏 5 分钟。",
        "This screen has no device agent: in off hours its player shows a black page (an LED wall lights "
        "nothing and draws almost no power; an LCD's backlight stays on with nothing shown), also while offline. "
        "Emergencies are always shown; a new call during off hours wakes the screen for 5 minutes.",
    ),
    "power.pushed.players": ("已通知 {count} 块屏幕的播放器", "{count} screen player(s) told"),
    "power.follows": ("当前执行", "In force"),
    "power.source": ("来源", "From"),
    "power.source.screen": ("本屏幕自定时间", "this screen's own hours"),
    "power.source.always_on": ("本屏幕设为始终开启", "this screen: always on"),
    "power.source.hall": ("大厅开放时间", "the hall's opening hours"),
    "power.source.none": ("未设置开放时间，始终开启", "no opening hours set: always on"),
    "power.always_on": ("始终开启", "Always on"),
    "power.margin": (
        "开馆前 {minutes} 分钟开屏，闭馆后 {minutes} 分钟关屏",
        "On {minutes} min before opening, off {minutes} min after closing",
    ),
    "power.now": ("现在", "Now"),
    "power.now.on": ("开启", "on"),
    "power.now.off": ("关闭", "off"),
    "power.next_off": ("下次关屏", "Next off"),
    "power.next_on": ("下次开屏", "Next on"),
    "power.never": ("—", "—"),
    "power.local_time": ("以上为大厅当地时间（{zone}）", "Times are the hall's local time ({zone})"),
    "power.when": ("{date} {weekday} {time}", "{weekday} {date} {time}"),
    "power.hall_hours": ("大厅开放时间", "Hall opening hours"),
    "power.hall_hours.none": ("未设置", "not set"),
    "power.hall.edit": ("设置大厅开放时间", "Set the hall's opening hours"),
    "power.hall.note": (
        "适用于本大厅所有未单独设置的屏幕。留空表示不设开放时间（屏幕始终开启）。",
        "For every screen of the hall without its own setting. Leave empty for none (screens stay on).",
    ),
    "power.hall.readonly": (
        "大厅开放时间由大厅负责人或机构管理员设置。",
        "The hall's opening hours are set by its hall manager or an org admin.",
    ),
    "power.field.hours": ("开放时间", "Opening hours"),
    "power.field.margin": ("提前开屏 / 延后关屏（分钟）", "Panel on before / off after (minutes)"),
    "power.field.hours.hint": (
        "每行或用分号分隔一条：星期 时间。例如：周一至周五 08:30-12:00,14:00-17:30；周六 09:00-12:00；"
        "2026-10-01..2026-10-07 休息",
        "One clause per line or separated by semicolons: days then times, e.g. Mon-Fri 08:30-12:00,14:00-17:30; "
        "Sat 09:00-12:00; 2026-10-01..2026-10-07 closed",
    ),
    "power.screen.edit": ("本屏幕的电源计划", "This screen's schedule"),
    "power.mode.hall": ("跟随大厅开放时间", "Follow the hall's opening hours"),
    "power.mode.always_on": ("始终开启", "Always on"),
    "power.mode.hours": ("本屏幕自定时间：", "Its own hours:"),
    "power.save": ("保存", "Save"),
    "power.back": ("返回屏幕页面", "Back to the screen"),
    "power.saved.screen": ("已保存本屏幕的电源计划", "The screen's power schedule is saved"),
    "power.saved.hall": ("已保存大厅开放时间", "The hall's opening hours are saved"),
    "power.pushed": ("已通知 {count} 台自助终端", "{count} kiosk(s) told"),
    "power.refused.retired": ("屏幕已停用，不能修改电源计划", "The screen is retired: its schedule cannot change"),
    "power.days.to": ("至", "-"),
    "power.closed": ("休息", "closed"),
    "power.weekday.0": ("周一", "Mon"),
    "power.weekday.1": ("周二", "Tue"),
    "power.weekday.2": ("周三", "Wed"),
    "power.weekday.3": ("周四", "Thu"),
    "power.weekday.4": ("周五", "Fri"),
    "power.weekday.5": ("周六", "Sat"),
    "power.weekday.6": ("周日", "Sun"),
    # The parser's problems (content/org/opening_hours.py), naming the clause and the part that is wrong.
    "power.problem.empty": (
        "请填写开放时间，例如“周一至周五 08:30-12:00,14:00-17:30”",
        'Write the opening hours, such as "Mon-Fri 08:30-12:00,14:00-17:30"',
    ),
    "power.problem.duplicate": (
        "“{clause}”：{part} 已在其他条目中写过",
        "“{clause}”: {part} is already given in another clause",
    ),
    "power.problem.shape": (
        "“{clause}”：应先写星期再写时间，例如“周一至周五 08:30-17:30”",
        "“{clause}”: expected days then times, such as “Mon-Fri 08:30-17:30”",
    ),
    "power.problem.not_time": (
        "“{clause}”中的“{part}”不是时间段，应写成“08:30-12:00”或“休息”",
        "“{clause}”: “{part}” is not a time range such as “08:30-12:00” (or “closed”)",
    ),
    "power.problem.time_backwards": (
        "“{clause}”中的“{part}”结束早于开始（时间段不能跨过午夜，最晚写到 24:00）",
        "“{clause}”: “{part}” ends before it starts (a range cannot cross midnight; end at 24:00)",
    ),
    "power.problem.overlap": ("“{clause}”中的 {part} 与 {other} 重叠", "“{clause}”: {part} and {other} overlap"),
    "power.problem.no_such_time": (
        "“{clause}”中的“{part}”含有不存在的时间（应在 00:00 至 24:00 之间）",
        "“{clause}”: “{part}” has a time that does not exist (00:00 to 24:00)",
    ),
    "power.problem.days_backwards": (
        "“{clause}”中的“{part}”顺序颠倒，请从周一往后写",
        "“{clause}”: “{part}” runs backwards (write Monday first)",
    ),
    "power.problem.not_day_range": (
        "“{clause}”中的“{part}”不是星期或星期范围，例如“周一至周五”",
        "“{clause}”: “{part}” is not a day or a range such as “Mon-Fri”",
    ),
    "power.problem.not_day": (
        "“{clause}”中的“{part}”不是星期：请写 周一…周日、Mon…Sun，或日期 YYYY-MM-DD",
        "“{clause}”: “{part}” is not a day; use Mon…Sun, 周一…周日, or a date YYYY-MM-DD",
    ),
    "power.problem.not_date_range": (
        "“{clause}”中的“{part}”不是日期或日期范围，例如“2026-10-01..2026-10-07”",
        "“{clause}”: “{part}” is not a date or a range such as “2026-10-01..2026-10-07”",
    ),
    "power.problem.dates_backwards": (
        "“{clause}”中的日期范围“{part}”结束早于开始",
        "“{clause}”: the dates “{part}” end before they start",
    ),
    "power.problem.too_long_range": (
        "“{clause}”中的日期范围“{part}”超过一年",
        "“{clause}”: the dates “{part}” span more than a year",
    ),
    "power.problem.not_date": (
        "“{clause}”中的“{part}”不是日期，应写成 YYYY-MM-DD",
        "“{clause}”: “{part}” is not a date YYYY-MM-DD",
    ),
    "power.problem.too_long": ("开放时间最多 {limit} 个字符", "At most {limit} characters"),
    "power.problem.margin": (
        "分钟数应为 0 到 {limit} 之间的整数，“{part}”不是",
        "Expected whole minutes from 0 to {limit}, not “{part}”",
    ),
    "power.problem.mode": ("请选择一种电源计划", "Choose one of the schedules"),
    "power.problem.other": ("开放时间无法识别：{detail}", "The opening hours cannot be read: {detail}"),
}
