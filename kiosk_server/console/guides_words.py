"""The console's words for service guides (办事指南): zh-CN first, English second."""

from __future__ import annotations

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "nav.guides": ("办事指南", "Service guides"),
    "guides.title": ("办事指南", "Service guides"),
    "guides.new": ("新建办事指南", "New service guide"),
    "guides.edit": ("修改办事指南", "Edit the service guide"),
    "guides.import": ("导入办事指南", "Import service guides"),
    "guides.none": ("暂无办事指南", "No service guides"),
    "guides.filter.status": ("状态", "Status"),
    "guides.filter.q": ("事项名称", "Service name"),
    "guides.col.title": ("事项名称", "Service"),
    "guides.col.category": ("类别", "Category"),
    "guides.col.node": ("发布单位", "Published at"),
    "guides.col.status": ("状态", "Status"),
    "guides.col.updated": ("更新时间", "Updated"),
    "guides.field.org_unit_id": ("发布单位（其下各大厅均可显示）", "Published at (every hall below may show it)"),
    "guides.field.title": ("事项名称", "Service name"),
    "guides.field.category": ("事项类别", "Category"),
    "guides.field.conditions": ("申办条件", "Who can apply"),
    "guides.field.materials": (
        "申请材料（每行一项，如：居民身份证（原件）×2）",
        "What to bring (one a line, e.g. 居民身份证（原件）×2)",
    ),
    "guides.field.steps": ("办理流程（每行一步，按顺序）", "Steps (one a line, in order)"),
    "guides.field.time_limit": ("办理时限（如：即时办结、5个工作日）", "Time limit (e.g. 即时办结, 5个工作日)"),
    "guides.field.fee": ("收费标准", "Fee"),
    "guides.field.location": ("办理地点", "Where"),
    "guides.field.counter": ("窗口", "Counter"),
    "guides.field.hours": ("办理时间", "Hours"),
    "guides.field.legal_basis": ("设定依据", "Legal basis"),
    "guides.field.online_url": ("网上办理地址（屏幕上显示为二维码）", "Online service address (shown as a QR code)"),
    "guides.field.phone": ("咨询电话", "Enquiries"),
    "guides.plain_text": (
        "所有内容按纯文本保存和显示，网页标签会被去除。",
        "Everything is kept and shown as plain text; markup is removed.",
    ),
    "guides.save": ("保存", "Save"),
    "guides.history": ("审核记录", "Review history"),
    "guides.history.at": ("时间", "When"),
    "guides.history.who": ("操作人", "Who"),
    "guides.history.step": ("操作", "Step"),
    "guides.history.reason": ("原因", "Reason"),
    "guides.reason": ("退回原因", "Why it goes back"),
    "guides.step.created": ("创建", "Created"),
    "guides.step.edited": ("修改", "Edited"),
    "guides.step.submitted": ("提交审核", "Submit for review"),
    "guides.step.approved": ("审核通过", "Approve"),
    "guides.step.rejected": ("退回修改", "Send back"),
    "guides.step.published": ("发布", "Publish"),
    "guides.step.archived": ("归档", "Archive"),
    "guides.done.saved": ("办事指南已保存", "Service guide saved"),
    "guides.done.submitted": ("已提交审核", "Submitted for review"),
    "guides.done.approved": ("已审核通过", "Approved"),
    "guides.done.rejected": ("已退回修改", "Sent back"),
    "guides.done.published": ("已发布，将显示在相关屏幕上", "Published: it now reaches the screens"),
    "guides.done.archived": ("已归档", "Archived"),
    "guides.refused.state": ("当前状态下不能进行此操作", "This step does not apply in the guide's state"),
    "guides.refused.four_eyes": (
        "您最后修改或提交了此指南，须由另一位审核人审核（双人复核）",
        "You last edited or submitted this guide: another approver must approve it (four eyes)",
    ),
    "guides.refused.stale": (
        "此指南已被他人修改，请重新打开后再操作",
        "Someone changed this guide meanwhile: open it again",
    ),
    "guides.refused.reason": ("请填写退回原因（最多500字）", "Say why it goes back (at most 500 characters)"),
    "guides.problem.required": ("必填", "required"),
    "guides.problem.no_steps": ("至少填写一个办理步骤", "give at least one step"),
    "guides.problem.empty": ("有空白的一项", "one entry is empty"),
    "guides.problem.too_long": ("共{n}字，最多{most}字", "{n} characters, at most {most}"),
    "guides.problem.too_many": ("共{n}项，最多{most}项", "{n} entries, at most {most}"),
    "guides.problem.control": (
        "第{n}个字符是不可见的控制字符 {char}，请删除",
        "character {n} is the control character {char}: remove it",
    ),
    "guides.problem.url": ("须为 http:// 或 https:// 开头的网址", "must start with http:// or https://"),
    "guides.problem.window": ("结束时间须晚于开始时间", "must end after it starts"),
    "guides.problem.outside": ("不在您管理的范围内", "lies outside your part of the org tree"),
    "guides.import.hint": (
        "JSON：办事指南的列表；CSV：每行一项，第一行为列名（服务名称、类别、申办条件、申请材料、办理流程、办理时限、"
        "收费标准、办理地点、窗口、办理时间、设定依据、网上办理、咨询电话），多项之间用“；”分隔。"
        "导入的指南为草稿，须审核后发布；有任何错误则全部不导入。",
        "JSON: a list of guides; CSV: one guide a row, the first row naming the columns (服务名称, 类别, 申办条件, "
        "申请材料, 办理流程, 办理时限, 收费标准, 办理地点, 窗口, 办理时间, 设定依据, 网上办理, 咨询电话), lists "
        "separated by “；”. Imported guides are drafts to review; if anything is wrong nothing is imported.",
    ),
    "guides.import.file": ("文件（.json 或 .csv）", "File (.json or .csv)"),
    "guides.import.submit": ("导入", "Import"),
    "guides.import.no_file": ("请选择要导入的文件", "Choose a file to import"),
    "guides.import.problem": ("第{entry}项 {field}：{message}", "Entry {entry} {field}: {message}"),
    "guides.import.file_problem": ("文件 {field}：{message}", "File {field}: {message}"),
    "guides.import.refused": ("文件有以下问题，未导入任何内容：", "The file has these problems; nothing was imported:"),
    "guides.import.done": ("已导入{count}项办事指南（草稿）", "{count} service guides imported as drafts"),
    "notices.notify.guide_submitted": (
        "{by} 提交了办事指南《{title}》，请审核",
        "{by} submitted the service guide “{title}” for review",
    ),
    "notices.notify.guide_resubmitted": (
        "{by} 修改了办事指南《{title}》，需重新审核",
        "{by} changed the service guide “{title}”: it needs review again",
    ),
    "notices.notify.guide_approved": (
        "您提交的办事指南《{title}》已由 {by} 审核通过",
        "{by} approved your service guide “{title}”",
    ),
    "notices.notify.guide_rejected": (
        "您提交的办事指南《{title}》被 {by} 退回：{reason}",
        "{by} sent your service guide “{title}” back: {reason}",
    ),
    "notices.notify.guide_published": (
        "您提交的办事指南《{title}》已由 {by} 发布到屏幕",
        "{by} published your service guide “{title}” to screens",
    ),
}
