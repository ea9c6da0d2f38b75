"""Imports every model module so ``Base.metadata`` is complete (for Alembic and create_all)."""

from content import outbox, publisher_lease
from content.accounts import api_keys, audit, notifications, staff
from content.citizens import (
    certificates,
    demo_backend,
    demo_histories,
    demo_job_seekers,
    kiosk_agents,
    kiosk_printers,
    seal_images,
    sessions,
    signing_keys,
)
from content.db import Base
from content.library import approval, items
from content.library.fairs import job_fairs
from content.library.guides import review as guide_review
from content.library.guides import service_guides
from content.library.market import figures as market_figures  # 供求分析 (issue 23)
from content.library.market import seeker_tallies
from content.library.training import courses as training_courses
from content.library.widgets import (
    data_feeds,  # web page and data feed widgets (issue 23)
    documents,
    web_pages,
)
from content.matching import interests, match_stats
from content.org import device_commands, enrolment, power_schedules, screen_voice, screens, tree
from content.queue import evaluation_followups, evaluations
from content.queue import models as queue_models
from content.signage import (
    alerts,
    emergencies,
    emergency_proposals,
    layouts,
    playlists,
    proof_of_play,
    schedules,
    targeting,
    voice_packs,
)

__all__ = [
    "Base",
    "alerts",
    "api_keys",
    "approval",
    "audit",
    "certificates",
    "demo_backend",
    "demo_histories",
    "demo_job_seekers",
    "device_commands",
    "documents",
    "emergencies",
    "enrolment",
    "evaluation_followups",
    "evaluations",
    "emergency_proposals",
    "interests",
    "job_fairs",
    "items",
    "market_figures",
    "seeker_tallies",
    "guide_review",
    "service_guides",
    "training_courses",
    "data_feeds",
    "web_pages",
    "power_schedules",
    "kiosk_agents",
    "kiosk_printers",
    "layouts",
    "match_stats",
    "notifications",
    "outbox",
    "playlists",
    "proof_of_play",
    "publisher_lease",
    "queue_models",
    "schedules",
    "screen_voice",
    "screens",
    "seal_images",
    "sessions",
    "signing_keys",
    "staff",
    "targeting",
    "tree",
    "voice_packs",
]
