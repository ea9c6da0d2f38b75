"""Tickers: one line of scrolling text (the item's title is the text)."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from content.library.items import Ticker
from kiosk_server.api._crud import Resource, register
from kiosk_server.api._items import ITEM_REFS, ItemFields, ItemFilters, ItemOut, save_item
from kiosk_server.api._schemas import partial


class TickerCreate(ItemFields):
    title: str = Field(min_length=1, max_length=200, description="the text that scrolls")


TickerUpdate = partial(TickerCreate)


class TickerOut(ItemOut):
    pass


def save_ticker(session: Session, ticker: Ticker | None, values: dict[str, Any]) -> Ticker:
    return save_item(session, Ticker, ticker, values)


TICKERS: Resource[Ticker] = Resource(
    path="tickers",
    kind="ticker",
    model=Ticker,
    out=TickerOut,
    save=save_ticker,
    create=TickerCreate,
    update=TickerUpdate,
    filters=ItemFilters,
    refs=ITEM_REFS,
)
register(TICKERS)
