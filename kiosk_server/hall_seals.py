"""The demo's trust material: a self-signed signing identity and a drawn 电子印章 for the province, seeded once.

``kiosk demo`` calls ``ensure_demo_trust`` at every start; it adds what is missing and changes nothing
else, so a seal uploaded or a key imported later stays. The demo seal is a drawing (a red ring and a
five-pointed star on a transparent background), plainly not any real office's seal.
"""

from __future__ import annotations

import io
import math
from datetime import datetime

from PIL import Image, ImageDraw
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.accounts import audit
from content.citizens import seal_images
from content.citizens.seal_images import SealImage
from content.citizens.signing_keys import SigningIdentity, generate_identity
from content.org.tree import OrgUnit

DEMO_SEAL_PX = 480
SEAL_RED = (200, 16, 46, 200)  # a little see-through, like ink: the text under it stays legible


def demo_seal_png(size: int = DEMO_SEAL_PX) -> bytes:
    """A round red seal drawing (ring, inner ring, star), transparent outside the ink, as PNG bytes."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ring = size // 24
    draw.ellipse((ring // 2, ring // 2, size - ring // 2, size - ring // 2), outline=SEAL_RED, width=ring)
    inner = size // 7
    draw.ellipse((inner, inner, size - inner, size - inner), outline=SEAL_RED, width=max(2, ring // 4))
    centre, outer_r = size / 2, size * 0.2
    points = []
    for k in range(10):
        radius = outer_r if k % 2 == 0 else outer_r * 0.382
        angle = -math.pi / 2 + k * math.pi / 5
        points.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle)))
    draw.polygon(points, fill=SEAL_RED)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def ensure_demo_trust(session: Session, seal_key: bytes, now: datetime) -> list[str]:
    """Give the province (the root org unit) a self-signed identity and a demo seal when nobody has any.

    Returns what it added (``signing_key``, ``seal``). Flushed, not committed.
    """
    root = session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id).limit(1)).first()
    if root is None:
        return []
    added: list[str] = []
    if not session.scalar(select(func.count()).select_from(SigningIdentity)):
        row = generate_identity(session, root, f"{root.name}（演示签名）", seal_key, now)
        audit.record(
            session,
            actor="demo",
            action="signing_key.generate",
            obj_kind="org_unit",
            obj_id=root.id,
            summary={"subject": row.subject_name, "fingerprint": row.fingerprint},
            org_path=root.path,
        )
        added.append("signing_key")
    if not session.scalar(select(func.count()).select_from(SealImage)):
        checked = seal_images.check_png(demo_seal_png())
        seal_images.set_seal(session, checked, "demo", now, org_unit_id=root.id)
        added.append("seal")
    return added
