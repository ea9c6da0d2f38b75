"""The alerts page's words, and those of alert notifications and e-mails."""

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "nav.alerts": ("告警", "Alerts"),
    "alerts.title": ("告警", "Alerts"),
    "alerts.open": ("未解除的告警", "Open alerts"),
    "alerts.history": ("最近解除的告警", "Recently cleared"),
    "alerts.none_open": ("没有未解除的告警", "No open alerts"),
    "alerts.none_history": ("近期没有解除的告警", "Nothing cleared lately"),
    "alerts.screen": ("屏幕", "Screen"),
    "alerts.hall": ("大厅", "Hall"),
    "alerts.kind": ("告警类型", "Alert"),
    "alerts.since": ("开始时间（大厅当地）", "Since (hall's local time)"),
    "alerts.cleared": ("解除时间（大厅当地）", "Cleared (hall's local time)"),
    "alerts.detail": ("详情", "Detail"),
    "alerts.notified": ("已通知 {at}", "notified {at}"),
    "alerts.refresh": ("每{seconds}秒自动刷新", "Refreshes every {seconds} s"),
    "alerts.kind.silent": ("屏幕失联", "Screen silent"),
    "alerts.kind.behind": ("内容长时间未更新", "Showing old content"),
    "alerts.kind.reader_fault": ("读卡器故障", "Reader fault"),
    "alerts.kind.printer_fault": ("打印机故障", "Printer fault"),
    "alerts.flapping_kind": ("{what}（反复发生）", "{what} (keeps recurring)"),
    "alerts.flapping_note": (
        "这块屏幕在一小时内多次出现又恢复，合并为一条告警，稳定后自动解除",
        "This screen failed and recovered several times within an hour: one alert for all of it, cleared once it is stable",
    ),
    "alerts.detail.last_seen": ("最后联系 {at}", "last heard {at}"),
    "alerts.detail.never": ("从未联系", "never heard"),
    "alerts.detail.versions": ("正在显示 {shown}，应为 {expected}", "showing {shown}, should be {expected}"),
    "alerts.detail.reader": ("{reader}：{state}", "{reader}: {state}"),
    "alerts.detail.reason": (
        "{reader}：{state}（{reason}，{count} 次）",
        "{reader}: {state} ({reason}, {count} times)",
    ),
    "alerts.fleet_count": ("未解除告警 {count} 条", "{count} open alerts"),
    "alerts.screen_none": ("这块屏幕没有告警", "No alerts for this screen"),
    "alerts.mail.subject": ("【屏幕告警】{hall} 等 {count} 条", "[Screen alert] {count} at {hall} and elsewhere"),
    "alerts.mail.intro": (
        "以下屏幕需要处理（时间为大厅当地时间）：",
        "These screens need attention (hall's local time):",
    ),
    "alerts.mail.line": ("{at}  {hall}  {screen}：{what}", "{at}  {hall}  {screen}: {what}"),
    "notices.notify.alert_silent": (
        "{hall}的「{screen}」失联，请检查网络和电源",
        "{screen} at {hall} went silent: check its network and power",
    ),
    "notices.notify.alert_behind": (
        "{hall}的「{screen}」长时间没有更新到最新内容",
        "{screen} at {hall} has been showing old content for a while",
    ),
    "notices.notify.alert_printer_fault": (
        "{hall}的「{screen}」打印机缺纸、离线或故障",
        "A printer of {screen} at {hall} is out of paper, offline or faulty",
    ),
    "notices.notify.alert_reader_fault": (
        "{hall}的「{screen}」读卡器故障",
        "A reader of {screen} at {hall} is faulty",
    ),
    "notices.notify.alert_flapping": (
        "{hall}的「{screen}」反复出现故障又恢复，已合并为一条告警",
        "{screen} at {hall} keeps failing and recovering: one alert for all of it",
    ),
}
