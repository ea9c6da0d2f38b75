"""What a manifest carries of a service guide (private helper of ``content.signage._snapshot``)."""

from __future__ import annotations

from typing import Any

from content.library.guides.qr import qr_rows
from content.library.guides.service_guides import ServiceGuide


def guide_data(guide: ServiceGuide) -> dict[str, Any]:
    """The guide as a wall's guide card shows it: plain texts, lists, and the online link's QR rows."""
    return {
        "kind": guide.kind,
        "id": guide.id,
        "title": guide.title,
        "category": guide.category,
        "conditions": guide.conditions,
        "materials": [dict(m) for m in guide.materials or ()],
        "steps": list(guide.steps or ()),
        "time_limit": guide.time_limit,
        "fee": guide.fee,
        "location": guide.location,
        "counter": guide.counter,
        "hours": guide.hours,
        "phone": guide.phone,
        "online_url": guide.online_url,
        "qr": list(qr_rows(guide.online_url)),
    }
