"""The fleet page's words."""

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "fleet.title": ("设备状态", "Fleet"),
    "fleet.org": ("机构", "Org node"),
    "fleet.hall": ("大厅", "Hall"),
    "fleet.kind": ("类型", "Kind"),
    "fleet.status": ("状态", "Status"),
    "fleet.search": ("名称", "Name"),
    "fleet.sort": ("排序", "Sort"),
    "fleet.sort.attention": ("需处理的在前", "Needs attention first"),
    "fleet.sort.stalest": ("最久未联系在前", "Longest silent first"),
    "fleet.sort.recent": ("最近联系在前", "Most recently heard first"),
    "fleet.sort.hall": ("按大厅", "By hall"),
    "fleet.status.online": ("在线", "Online"),
    "fleet.screen": ("屏幕", "Screen"),
    "fleet.last_seen": ("最后联系", "Last heard"),
    "fleet.version": ("内容版本（显示/应为）", "Content version (shown / current)"),
    "fleet.readers": ("读卡器", "Readers"),
    "fleet.reader.attached": ("正常", "attached"),
    "fleet.reader.detached": ("已拔出", "unplugged"),
    "fleet.reader.fault": ("故障", "fault"),
    "fleet.reader.unknown": ("未知", "unknown"),
    "fleet.readers.none": ("未上报", "not reported"),
    "fleet.none": ("没有符合条件的屏幕", "No screen matches"),
    "fleet.total": ("共 {total} 块屏幕", "{total} screens"),
    "fleet.refresh": ("每{seconds}秒自动刷新", "Refreshes every {seconds} s"),
    "fleet.open": ("打开", "Open"),
}
