"""Service guides (办事指南): one structured guide per service a hall offers, shown on walls and kiosks.

A guide is a content item (``content_items`` joined with ``service_guides``): its title is the
service's name, its publishing node says which halls show it (the node's subtree), and it goes
through the same review as policy notices (``content.library.guides.review``). Every field is plain
text: what an editor, the API or an import writes is never taken as HTML (``guide_fields``).
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from content.library.items import ContentItem, ItemKind

# The categories a hall's guides fall in; a guide may name another (a county's own), these come first.
CATEGORIES: Final = ("就业服务", "社会保险", "劳动关系", "人才人事", "职业能力", "社会保障卡")
OBJ_KIND: Final = ItemKind.GUIDE.value  # the outbox's and audit log's noun


class ServiceGuide(ContentItem):
    """A service guide; ``materials`` is a list of {name, copies, original, note}, ``steps`` a list of texts."""

    __tablename__ = "service_guides"

    id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), default="", index=True)
    conditions: Mapped[str] = mapped_column(Text, default="")  # 申办条件
    materials: Mapped[list[Any]] = mapped_column(default=list)  # 申请材料
    steps: Mapped[list[Any]] = mapped_column(default=list)  # 办理流程, in order
    time_limit: Mapped[str] = mapped_column(String(40), default="")  # 办理时限: 即时办结, 5个工作日
    fee: Mapped[str] = mapped_column(String(80), default="不收费")  # 收费标准
    location: Mapped[str] = mapped_column(String(120), default="")  # 办理地点
    counter: Mapped[str] = mapped_column(String(60), default="")  # 窗口
    hours: Mapped[str] = mapped_column(String(120), default="")  # 办理时间
    legal_basis: Mapped[str] = mapped_column(Text, default="")  # 设定依据
    online_url: Mapped[str] = mapped_column(String(500), default="")  # 网上办理, shown as a QR
    phone: Mapped[str] = mapped_column(String(40), default="")  # 咨询电话
    # Counts content edits, so a review acts on the text the reviewer saw (``content.library.guides.review``).
    revision: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    # The console account that last changed the text: it may not approve it (four eyes).
    last_edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))

    __mapper_args__ = {"polymorphic_identity": ItemKind.GUIDE.value}
