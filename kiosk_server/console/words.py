"""The console's words: Chinese first, English second; ``{name}`` placeholders are filled in by ``say``."""

from __future__ import annotations

import importlib
import importlib.util
import re
from functools import cache
from typing import Final

from kiosk_server.counter_strings import pick_lang

_PLACEHOLDER: Final = re.compile(r"\{(\w+)\}")

WORDS: Final[dict[str, tuple[str, str]]] = {
    "console": ("管理控制台", "Console"),
    "lang.switch": ("English", "中文"),
    "nav.home": ("概览", "Overview"),
    "nav.fleet": ("设备状态", "Fleet"),
    "nav.emergencies": ("紧急通知", "Emergencies"),
    "nav.import": ("岗位导入", "Import vacancies"),
    "nav.notices": ("政策公告", "Policy notices"),
    "nav.schedules": ("排期", "Schedules"),
    "nav.library": ("内容库", "Content"),
    "nav.users": ("账号管理", "Accounts"),
    "nav.audit": ("操作日志", "Audit log"),
    "nav.plays": ("播放统计", "Proof of play"),
    "nav.signed_in_as": ("{name}（{role}）", "{name} ({role})"),
    "nav.scope": ("管辖范围：{scope}", "Scope: {scope}"),
    "scope.all": ("全部", "everything"),
    "logout": ("退出登录", "Sign out"),
    "login.title": ("管理控制台登录", "Console sign-in"),
    "login.hint": ("请使用分配给您的账号登录。", "Sign in with the account you were given."),
    "login.username": ("用户名", "User name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.username.required": ("请输入用户名", "Enter your user name"),
    "login.password.required": ("请输入密码", "Enter your password"),
    "login.refused.wrong": ("用户名或密码不正确", "Wrong user name or password"),
    "login.refused.disabled": ("账号已停用", "This account is disabled"),
    "login.refused.no_console": ("此账号不能使用管理控制台", "This account may not use the console"),
    "login.throttled": (
        "登录尝试过于频繁，请{seconds}秒后再试",
        "Too many sign-in attempts: try again in {seconds} s",
    ),
    "login.expired_form": ("页面已过期，请重新提交", "The form expired: please send it again"),
    "login.signed_out": ("您已退出登录", "You have signed out"),
    "login.timed_out": ("长时间未操作，已自动退出，请重新登录", "You were signed out after a while without activity"),
    "forbidden": (
        "您没有权限进行此操作，或该对象不在您的管辖范围内",
        "You may not do this, or the object is outside your part of the org tree",
    ),
    "not_found": ("未找到", "Not found"),
    "live.updated_at": ("更新于 {at}", "Updated at {at}"),
    "live.every": ("每{seconds}秒自动刷新", "refreshes every {seconds} s"),
    "live.refresh_now": ("立即刷新", "Refresh now"),
    "live.paused": ("（页面在后台，已暂停）", "(paused while the tab is hidden)"),
    "live.failed": ("（刷新失败，稍后重试）", "(could not refresh: trying again shortly)"),
    "form.problems": ("请更正标出的项目", "Please correct the marked fields"),
    "outage.title": ("数据库暂时无法访问", "The database is unavailable"),
    "outage.message": (
        "服务器暂时连不上数据库，请稍等片刻再试。",
        "The server cannot reach its database just now; please try again in a moment.",
    ),
    "outage.kept": (
        "您提交的内容没有保存，已原样保留在下面。数据库恢复后点击“重新提交”即可，无需重新填写。",
        "What you sent was not saved; it is kept below as you typed it. When the database is back, "
        "press “Send again”: there is nothing to type again.",
    ),
    "outage.reload": ("重新加载本页", "Reload this page"),
    "control.title": ("内容含有控制字符", "The form holds control characters"),
    "control.message": (
        "标出的项目含有不可见的控制字符，无法保存。下面已将其删除，请检查后点击“重新提交”。",
        "The marked fields hold invisible control characters, which cannot be saved. They are removed "
        "below: check the text and press “Send again”.",
    ),
    "control.removed": (
        "含有不可见的控制字符（{char}），已删除",
        "Held the invisible control character {char}: removed",
    ),
    "control.query": (
        "查询条件 {name} 含有不可见的控制字符（{char}），请删除后重试",
        "The query parameter {name} holds the invisible control character {char}: remove it and try again",
    ),
    "control.invalid": ("不能含有不可见的控制字符（{char}）", "Must not hold the invisible control character {char}"),
    "resubmit.send": ("重新提交", "Send again"),
    "resubmit.password": ("{name}（出于安全考虑未保留，请重新输入）", "{name} (not kept, for safety: type it again)"),
    "resubmit.files": (
        "上传的文件无法保留，请回到原表单重新选择：{names}",
        "Uploaded files cannot be kept: go back to the form and choose them again: {names}",
    ),
    "saved": ("已保存", "Saved"),
    "role.system_admin": ("系统管理员", "System admin"),
    "role.org_admin": ("机构管理员", "Org admin"),
    "role.editor": ("编辑", "Editor"),
    "role.approver": ("审核员", "Approver"),
    "role.hall_manager": ("大厅管理员", "Hall manager"),
    "role.counter_staff": ("窗口人员", "Counter staff"),
    "role.field_technician": ("运维技术员", "Field technician"),
    "home.title": ("概览", "Overview"),
    "home.screens": ("设备", "Screens"),
    "home.emergencies": ("正在播出的紧急通知", "Emergencies on air"),
    "home.none": ("无", "None"),
    "home.recent": ("最近操作", "Recent changes"),
    "state.current": ("已同步", "Up to date"),
    "state.behind": ("未同步", "Behind"),
    "state.offline": ("离线", "Offline"),
    "state.never": ("从未上线", "Never seen"),
    "kind.wall": ("大屏", "Wall"),
    "kind.kiosk": ("自助终端", "Kiosk"),
    "kind.counter": ("窗口屏", "Counter strip"),
    "kind.evaluator": ("评价器", "Evaluator"),
    "users.title": ("账号管理", "Accounts"),
    "users.new": ("新建账号", "New account"),
    "users.edit": ("编辑账号：{name}", "Edit account: {name}"),
    "users.username": ("用户名", "User name"),
    "users.display_name": ("姓名", "Name"),
    "users.role": ("角色", "Role"),
    "users.place": ("所属机构/大厅", "Org node / hall"),
    "users.org_unit": ("所属机构", "Org node"),
    "users.hall": ("所属大厅（大厅管理员、窗口人员）", "Hall (hall managers, counter staff)"),
    "users.password": ("密码（至少8位）", "Password (8 characters or more)"),
    "users.new_password": ("新密码（留空则不修改）", "New password (leave empty to keep)"),
    "users.active": ("启用", "Active"),
    "users.status": ("状态", "Status"),
    "users.last_login": ("最近登录", "Last sign-in"),
    "users.failures": ("密码错误 {n} 次", "{n} wrong passwords"),
    "users.disabled": ("已停用", "Disabled"),
    "users.enabled": ("正常", "Active"),
    "users.save": ("保存", "Save"),
    "users.create": ("创建账号", "Create account"),
    "users.unlock": (
        "清除 {n} 次密码错误记录，立即可以登录",
        "Clear the {n} wrong passwords: sign-in allowed at once",
    ),
    "users.waiting": ("下次登录需等待至 {until}", "The next sign-in must wait until {until}"),
    "users.none": ("没有账号", "No accounts"),
    "users.choose": ("请选择", "Choose"),
    "users.password.short": ("密码至少8位", "At least 8 characters"),
    "users.username.taken": ("该用户名已被使用", "This user name is taken"),
    "users.below_only": (
        "只能管理本级机构以下的账号，本级账号由上级管理员管理",
        "You manage the accounts below your own node; those on it are managed from above",
    ),
    "users.username.invalid": ("请输入用户名（不超过60个字符）", "Enter a user name (60 characters at most)"),
    "users.email": ("电子邮箱（接收屏幕告警，可不填）", "E-mail (for screen alerts; optional)"),
    "users.email.column": ("电子邮箱", "E-mail"),
    "users.email.invalid": (
        "电子邮箱格式不正确，请填写如 name@example.org 的地址，或留空",
        "Not an e-mail address: enter one like name@example.org, or leave it empty",
    ),
    "audit.title": ("操作日志", "Audit log"),
    "audit.at": ("时间", "When"),
    "audit.actor": ("操作人", "Who"),
    "audit.action": ("操作", "What"),
    "audit.object": ("对象", "Object"),
    "audit.summary": ("变更内容", "Change"),
    "audit.none": ("没有记录", "Nothing recorded"),
    "page.prev": ("上一页", "Previous"),
    "page.next": ("下一页", "Next"),
    "page.of": ("第{page}页，共{pages}页（{total}条）", "Page {page} of {pages} ({total} rows)"),
    "filter.apply": ("筛选", "Filter"),
    "filter.all": ("全部", "All"),
    "emergency.title": ("紧急通知", "Emergency broadcast"),
    "emergency.new": ("发布紧急通知", "Send an emergency notice"),
    "emergency.field.title": ("标题", "Title"),
    "emergency.field.body": ("内容", "Message"),
    "emergency.field.severity": ("级别", "Severity"),
    "emergency.field.minutes": ("自动结束时间", "Ends by itself after"),
    "emergency.field.targets": ("发布范围", "Where"),
    "emergency.units": ("机构（含下级全部大厅）", "Org nodes (and everything below)"),
    "emergency.halls": ("大厅", "Halls"),
    "emergency.groups": ("屏幕分组", "Screen groups"),
    "emergency.severity.critical": ("紧急（红色）", "Critical (red)"),
    "emergency.severity.warning": ("警告（橙色）", "Warning (orange)"),
    "emergency.severity.info": ("提示（蓝色）", "Notice (blue)"),
    "emergency.minutes": ("{minutes}分钟", "{minutes} minutes"),
    "emergency.hours": ("{hours}小时", "{hours} hours"),
    "emergency.until": ("指定结束时间", "Until a chosen time"),
    "emergency.until.label": ("结束时间（北京时间）", "Ends at (Beijing time)"),
    "emergency.until.invalid": ("请填写结束时间", "Enter when it ends"),
    "emergency.until.range": ("结束时间须晚于现在，且在7天之内", "It must end after now and within 7 days"),
    "emergency.until.after_start": (
        "结束时间须晚于开始时间，且在开始后7天之内",
        "It must end after it starts and within 7 days of the start",
    ),
    "emergency.field.starts": ("开始时间（北京时间，留空则立即生效）", "Starts at (Beijing time; empty: at once)"),
    "emergency.starts.invalid": ("请按“年-月-日 时:分”填写开始时间", "Enter the start as a date and time"),
    "emergency.starts.range": ("开始时间须在{days}天之内", "It must start within {days} days"),
    "emergency.confirm.reach_later": (
        "将于 {at} 起显示在 {count} 块屏幕上（在此之前为待生效），{until} 自动结束。",
        "It goes on {count} screens at {at} (pending until then) and ends by itself at {until}.",
    ),
    "emergency.next": ("下一步：确认", "Next: confirm"),
    "emergency.confirm.title": ("确认发布紧急通知", "Confirm the emergency notice"),
    "emergency.confirm.reach": (
        "将立即显示在 {count} 块屏幕上，{until} 自动结束。",
        "It goes on {count} screens at once and ends by itself at {until}.",
    ),
    "emergency.confirm.send": ("确认发布", "Send it now"),
    "emergency.confirm.back": ("返回修改", "Back to the form"),
    "emergency.title.required": ("请输入标题", "Enter a title"),
    "emergency.too_long": ("不能超过{limit}个字", "At most {limit} characters"),
    "emergency.expiry.required": ("请选择自动结束时间", "Choose when it ends"),
    "emergency.targets.required": ("请至少选择一个发布范围", "Choose at least one place"),
    "emergency.on_air": ("正在播出", "On air"),
    "emergency.none_on_air": ("当前没有紧急通知", "No emergency is on air"),
    "emergency.scheduled": ("待生效（{at} 开始）", "Pending: starts at {at}"),
    "emergency.ends_at": ("{at} 自动结束", "ends by itself at {at}"),
    "emergency.end": ("立即结束", "End now"),
    "emergency.sent": ("紧急通知已发布", "The emergency notice is on air"),
    "emergency.ended": ("紧急通知已结束", "The emergency notice has ended"),
    "emergency.recent": ("最近的紧急通知", "Recent emergency notices"),
    "emergency.by": ("发布人", "Sent by"),
    "emergency.status.ended": ("已结束", "Ended"),
    "emergency.status.expired": ("已到期", "Expired"),
    "emergency.propose": (
        "提议紧急通知（需审核员批准后播出）",
        "Propose an emergency notice (an approver puts it on air)",
    ),
    "emergency.propose.send": ("提交审核", "Send for approval"),
    "emergency.proposal.sent": ("已提交，审核员批准后立即播出", "Sent: it goes on air when an approver approves it"),
    "emergency.proposal.rejected": ("已驳回该提议", "The proposal was rejected"),
    "emergency.proposal.decided": ("该提议已经处理过了", "This proposal was already decided"),
    "emergency.proposal.own": ("不能批准自己提议的紧急通知", "Nobody approves their own proposal"),
    "emergency.pending": ("待批准的紧急通知提议", "Emergency proposals waiting for approval"),
    "emergency.pending.by": ("{by} 提议于 {at}", "proposed by {by} at {at}"),
    "emergency.pending.approve": ("批准并立即播出", "Approve: on air now"),
    "emergency.pending.reject": ("驳回", "Reject"),
    "emergency.pending.reason": ("驳回理由", "Reason"),
    "notices.notify.emergency_proposed": (
        "{by} 提议紧急通知《{title}》，请审核",
        "{by} proposes the emergency notice “{title}”",
    ),
    "notices.notify.emergency_approved": (
        "您提议的紧急通知《{title}》已由 {by} 批准播出",
        "Your emergency notice “{title}” was put on air by {by}",
    ),
    "notices.notify.emergency_rejected": (
        "您提议的紧急通知《{title}》被 {by} 驳回：{reason}",
        "Your emergency notice “{title}” was rejected by {by}: {reason}",
    ),
}


# Each part of the console may keep its words in ``kiosk_server/console/<area>_words.py`` (a ``WORDS`` dict).
AREAS: Final = (
    "fleet",
    "imports",
    "plays",
    "notices",
    "schedules",
    "media",
    "documents",
    "layouts",
    "designer",
    "api_keys",
    "enrol",
    "structure",
    "care",
    "power",
    "voice",
    "alerts",
    "audit",
    "evaluations",
    "seals",
    "interests",
    "training",
    "fairs",  # job fairs (fairs_words.py)
    "guides",
    "widgets",  # web pages and data feeds (widgets_words.py)
    "market",
)


@cache
def catalogue() -> dict[str, tuple[str, str]]:
    """Every key of the console: the shared words above and each area's own."""
    merged = dict(WORDS)
    for area in AREAS:
        name = f"kiosk_server.console.{area}_words"
        if importlib.util.find_spec(name) is not None:
            own: dict[str, tuple[str, str]] = importlib.import_module(name).WORDS
            clash = set(own) & set(merged)
            assert not clash, f"{name} repeats keys: {sorted(clash)}"
            merged.update(own)
    return merged


def say(lang: str, key: str, /, **params: object) -> str:
    """The words for ``key`` in ``lang`` (Chinese unless ``lang`` is English), placeholders filled in."""
    zh, en = catalogue()[key]
    template = en if pick_lang(lang) == "en" else zh
    return _PLACEHOLDER.sub(lambda m: str(params.get(m.group(1), "")), template)
