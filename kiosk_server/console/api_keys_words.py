"""The API keys page's words."""

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "nav.api_keys": ("接口密钥", "API keys"),
    "api_keys.title": ("接口密钥", "API keys"),
    "api_keys.hint": (
        "给对接系统（如大厅的排队叫号厂商）发放的密钥：只能做所选范围内的事。密钥只显示一次，服务器只保存其哈希。",
        "Keys for integrations (such as a hall's queuing vendor): each does only what its scope allows. "
        "A key is shown once; the server keeps only its hash.",
    ),
    "api_keys.new": ("新建密钥", "New key"),
    "api_keys.name": ("名称", "Name"),
    "api_keys.scope": ("范围", "Scope"),
    "api_keys.place": ("机构 / 大厅", "Node / hall"),
    "api_keys.node": ("机构（只读、内容密钥）", "Org node (read and content keys)"),
    "api_keys.hall": ("大厅（排队数据密钥）", "Hall (queue ingest keys)"),
    "api_keys.created_by": ("创建人", "Created by"),
    "api_keys.created_at": ("创建时间", "Created"),
    "api_keys.last_used": ("最近使用", "Last used"),
    "api_keys.status": ("状态", "Status"),
    "api_keys.active": ("有效", "Active"),
    "api_keys.revoked": ("已吊销", "Revoked"),
    "api_keys.revoke": ("吊销", "Revoke"),
    "api_keys.create": ("创建", "Create"),
    "api_keys.none": ("还没有密钥", "No keys yet"),
    "api_keys.everywhere": ("全部", "Everywhere"),
    "api_keys.scope.read": ("只读", "Read only"),
    "api_keys.scope.content": ("内容（审核同控制台）", "Content (reviewed like the console)"),
    "api_keys.scope.queue_ingest": ("排队数据接入（一个大厅）", "Queue ingest (one hall)"),
    "api_keys.scope.full": ("全部权限（仅系统管理员）", "Full (system administrators only)"),
    "api_keys.secret": ("密钥 {name}：", "Key {name}:"),
    "api_keys.secret.once": (
        "请立即复制并交给对接方。关闭本页后无法再次查看；遗失请吊销后重建。",
        "Copy it now and hand it over. It cannot be shown again; if it is lost, revoke it and make a new one.",
    ),
    "api_keys.revoked.done": ("密钥已吊销", "The key is revoked"),
    # A refused form says what to fix in the page's language; the domain's English text is the English.
    "api_keys.error.name": ("名称须为 1–60 个字母、数字或 . - _，且不能与已有密钥重名", "{detail}"),
    "api_keys.error.scope": ("请选择一个范围", "{detail}"),
    "api_keys.error.org_unit_id": ("只读和内容密钥须选择所属机构", "{detail}"),
    "api_keys.error.hall_id": ("排队数据密钥须选择一个大厅", "{detail}"),
}
