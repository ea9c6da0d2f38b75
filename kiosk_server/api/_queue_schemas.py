"""Response and documentation models of the queue API: the board, the ingest batch, the statistics.

The board and statistics models describe what ``content.queue.board`` and ``content.queue.stats``
return (the API tests validate real answers against them). The ingest models document the batch for
OpenAPI only; ``content.queue.ingest`` checks it, and a test keeps the two field sets equal.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from content.queue.models import EventKind
from kiosk_server.api._schemas import Body


class CallOut(BaseModel):
    id: int
    ticket: str
    counter: int
    counter_name: str
    service: str
    service_en: str
    recall: bool = Field(description="a recall (重呼) of a ticket already called")
    at: datetime


class LineOut(BaseModel):
    id: int
    prefix: str
    name: str
    name_en: str
    active: bool
    waiting: int
    priority_waiting: int
    wait_seconds: int = Field(description="the estimated wait of a ticket taken now")
    wait_minutes: int


class CounterStateOut(BaseModel):
    id: int
    number: int
    name: str
    screen_id: int | None
    services: list[str] = Field(description="the letters of the service types it calls")
    ticket: str | None
    state: str | None
    service: str | None
    service_en: str | None
    since: datetime | None


class BoardOut(BaseModel):
    stream: Literal["queue"]
    hall_id: int
    version: int = Field(description="bumped by every queue change of the hall; see docs/protocol.md")
    day: date = Field(description="the hall-local day")
    timezone: str
    generated_at: datetime
    calls: list[CallOut] = Field(description="today's latest calls, newest first")
    services: list[LineOut]
    counters: list[CounterStateOut]


class IngestEventIn(Body):
    """One event of the hall's own system (documentation: content.queue.ingest checks it)."""

    id: str = Field(min_length=1, max_length=80, description="unique per source; a replay is refused")
    type: EventKind
    at: AwareDatetime = Field(description="ISO-8601 with offset; today (hall-local), at most 5 minutes ahead")
    ticket: str = Field(pattern=r"^[A-Z0-9]{1,8}$", examples=["A023"])
    service: str | None = Field(None, pattern=r"^[A-Z]$", description="the line's letter; required on arrive")
    counter: int | None = Field(None, ge=1, le=999, description="required for call, recall, serve, end, no_show")
    priority: bool | None = Field(None, description="arrive only: the priority lane (绿色通道)")
    to_service: str | None = Field(None, pattern=r"^[A-Z]$", description="transfer only")
    to_counter: int | None = Field(None, ge=1, le=999, description="transfer only")


class IngestBatchIn(Body):
    source: str = Field(min_length=1, max_length=40, description="the sending system's name")
    events: list[IngestEventIn] = Field(min_length=1, max_length=500, description="applied in order, all or none")


class IngestAnswer(BaseModel):
    source: str
    accepted: int = Field(description="events applied")
    version: int = Field(description="the hall's board version after the batch")


class FiguresOut(BaseModel):
    issued: int
    called: int
    done: int
    no_shows: int
    transferred: int
    wait_mean_seconds: int | None = Field(description="arrival (or transfer) to first call")
    wait_p90_seconds: int | None = Field(description="nearest-rank 90th percentile")
    service_mean_seconds: int | None = Field(description="start of service to its end")
    service_p90_seconds: int | None
    no_show_rate: float | None = Field(description="no-shows ÷ called")


class StatsRowOut(FiguresOut):
    day: date
    service: str
    service_name: str
    counter: int | None = Field(description="null: never called at any counter")
    counter_name: str


class StatsOut(BaseModel):
    hall_id: int
    timezone: str
    first: date = Field(alias="from")
    last: date = Field(alias="to")
    rows: list[StatsRowOut]
    total: FiguresOut
