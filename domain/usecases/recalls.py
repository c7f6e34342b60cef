"""Recalls: open (and block), widen, each pack's fate (pull, quarantine, disposal), close, and
the report.

The caller passes the lineage the trace read model found (packs with their product, the
outlet they went to and their state there, and the batches); the use case decides from the
stocks which packs are still in a cold store and on which order, and records that fixed list.
Loads and saves ``Recall``, ``RecallRegister``, ``Stock`` and ``Order``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.order import Order, UnknownOrder
from domain.recall import LEVEL_NAMES, Recall, UnknownRecall
from domain.recall_register import WHAT_TO_DO
from domain.stock import Stock, reserve_fefo
from domain.usecases.blocking import register_of
from domain.usecases.masterdata import load_site
from domain.usecases.stocks import site_stocks
from domain.usecases.store import Store, command
from domain.values import command_id


@command
def open_recall(store: Store, *, scope: dict[str, Any], reason: str, level: int,
                drill: bool = False, opened_at: datetime, lineage: dict[str, Any],
                key: str | None = None) -> dict[str, Any]:
    """Open a recall of what the lineage reached; unless a drill, block it from now on and
    give orders holding affected packs clean ones in their place."""
    recall_id = command_id("recall", key)
    earlier = store.find(recall_id)
    if earlier is not None:
        return recall_answer(earlier)
    stocks, opened = _stocks(store, lineage.get("packs", []))
    packs = _located(stocks, lineage.get("packs", []))
    batches = sorted(set(lineage.get("batch_codes", [])))
    recall = Recall.open(recall_id=recall_id, scope=scope, reason=reason, level=level,
                         drill=drill, opened_at=opened_at, packs=packs, batch_codes=batches)
    changed = [] if drill else _block(store, stocks, recall, [p["pack_code"] for p in packs],
                                      batches, reason, opened_at)
    store.save(recall, *_once(opened + changed))
    return recall_answer(recall)


@command
def widen_recall(store: Store, *, recall_id: str, lineage: dict[str, Any], reason: str,
                 at: datetime) -> dict[str, Any]:
    """More found later joins the recall by a new event, and is blocked like the first."""
    recall = load_recall(store, recall_id)
    more = [p for p in lineage.get("packs", []) if p["pack_code"] not in recall.packs]
    stocks, opened = _stocks(store, more)
    packs = _located(stocks, more)
    batches = sorted(set(lineage.get("batch_codes", [])) - set(recall.batch_codes))
    new = recall.widen(packs=packs, batch_codes=batches, reason=reason, at=at)
    changed = [] if recall.drill or not (new or batches) else _block(
        store, stocks, recall, new, batches, reason, at)
    store.save(recall, *_once(opened + changed))
    return recall_answer(recall)


# Where a pack's fate is scanned: a pull at an outlet, quarantine at a cold store; a
# destruction or a return is recorded by staff for the place named.
SCANNED_AT = {"pulled": "outlet", "quarantined": "cold_store"}


@command
def account_pack(store: Store, *, recall_id: str, pack_code: str, fate: str, place: str,
                 at: datetime) -> dict[str, Any]:
    """One affected pack found: pulled off an outlet's shelf (or set aside at a delivery),
    scanned into quarantine at the cold store, destroyed, or brought back by a buyer
    (``Recall.account`` says which follows which); the same scan again answers again."""
    if fate in SCANNED_AT:
        load_site(store, place, SCANNED_AT[fate])
    recall = load_recall(store, recall_id)
    recall.account(pack_code=pack_code, fate=fate, place=place, at=at)
    store.save(recall)
    return scan_answer(recall, pack_code)


def set_aside(store: Store, recalled: dict[str, list[str]], *, place: str,
              at: datetime) -> list[Recall]:
    """Recalled packs an outlet found in a delivery and kept off its shelf: each open recall
    holding one counts it pulled there (one already accounted for stays as it was)."""
    changed: dict[str, Recall] = {}
    for code, recall_ids in recalled.items():
        for recall_id in recall_ids:
            recall = changed.get(recall_id) or load_recall(store, recall_id)
            if recall.closed is None and code in recall.packs and code not in recall.fates:
                recall.account(pack_code=code, fate="pulled", place=place, at=at)
                changed[recall_id] = recall
    return list(changed.values())


@command
def close_recall(store: Store, *, recall_id: str, closed_at: datetime,
                 reason: str | None = None) -> dict[str, Any]:
    recall = load_recall(store, recall_id)
    recall.close(closed_at=closed_at, reason=reason)
    store.save(recall)
    return recall_answer(recall)


def load_recall(store: Store, recall_id: str) -> Recall:
    missing = UnknownRecall(recall_id)
    try:
        ident = UUID(recall_id)
    except ValueError:
        raise missing from None
    return store.load(Recall, ident, missing)


def recall_answer(recall: Recall, *, packs: bool = True) -> dict[str, Any]:
    """The recall now: what it is, its progress, and (unless asked not to) each pack's fate."""
    progress = recall.progress()
    answer: dict[str, Any] = {
        "recall_id": str(recall.id), "scope": recall.scope, "reason": recall.reason,
        "level": recall.level, "level_name": LEVEL_NAMES[recall.level], "drill": recall.drill,
        "status": recall.status, "opened_at": recall.opened_at, "start_by": recall.start_by,
        "what_to_do": WHAT_TO_DO, "batch_codes": recall.batch_codes,
        "widenings": recall.widenings, "progress": progress,
        "hours_to_located": _hours(recall.opened_at, progress["located_at"]),
        "hours_to_pulled": _hours(recall.opened_at, progress["pulled_at"]),
        "closed": recall.closed}
    if packs:
        answer["packs"] = [{"pack_code": c, **p, "fate": recall.fates.get(c)}
                           for c, p in sorted(recall.packs.items())]
        answer["sold"] = [{"pack_code": c, "outlet_id": f["place"], "sold_at": f["at"]}
                          for c, f in sorted(recall.fates.items()) if f["fate"] == "sold"]
    return answer


def scan_answer(recall: Recall, pack_code: str) -> dict[str, Any]:
    return {"recall_id": str(recall.id), "pack_code": pack_code, **recall.fates[pack_code],
            "outstanding": len(recall.outstanding())}


Stocks = dict[tuple[str, str], list[Stock]]


def _stocks(store: Store, lineage: list[dict[str, Any]]) -> tuple[Stocks, list[Any]]:
    """Every cold store's stock of each product and grade the lineage reaches, and what must be
    saved whatever is done with them (``domain.usecases.stocks.site_stocks``)."""
    stocks: Stocks = {}
    save: list[Any] = []
    for sku, grade in sorted({(p["sku"], p["grade"]) for p in lineage}):
        stocks[(sku, grade)], opened = site_stocks(store, sku, grade)
        save += opened
    return stocks, save


def _located(stocks: Stocks, lineage: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where each pack of the lineage is now: the stocks say which are still in a cold store
    (and on which order); for the others the lineage's word stands — on the road, on an
    outlet's shelf, or sold there and when (a sale after the view was read is refused from
    now on; it is recorded at the pull instead)."""
    located = []
    for p in lineage:
        found = {"pack_code": p["pack_code"], "sku": p["sku"], "grade": p["grade"],
                 "place": p.get("outlet_id"), "state": "in_transit"}
        held = [s for s in stocks[(p["sku"], p["grade"])] if p["pack_code"] in s.packs]
        if held:
            found |= {"place": held[0].packs[p["pack_code"]]["site_id"], "state": "in_cold_store"}
        elif p.get("state") == "sold":
            found |= {"state": "sold", "sold_at": p["sold_at"]}
        elif p.get("state") == "at_outlet":
            found |= {"state": "at_outlet"}
        located.append(found)
    return located


def _block(store: Store, stocks: Stocks, recall: Recall, pack_codes: list[str],
           batch_codes: list[str], reason: str, at: datetime) -> list[Any]:
    """Block the packs and batches, and replace them on the orders that hold them with clean
    packs from any cold store's stock, nearest expiry first."""
    register = register_of(store)
    register.block(recall_id=recall.id, reason=reason, pack_codes=pack_codes,
                   batch_codes=batch_codes, at=at)
    held: dict[UUID, tuple[Stock, dict[str, list[str]]]] = {}  # stock → order → codes
    for code in pack_codes:
        info = recall.packs[code]
        for stock in stocks.get((info["sku"], info["grade"]), []):
            order_id = stock.packs.get(code, {}).get("order_id")
            if order_id is not None:
                held.setdefault(stock.id, (stock, {}))[1].setdefault(order_id, []).append(code)
    changed: list[Any] = [register]
    orders: dict[str, Order] = {}
    for stock, by_order in held.values():
        candidates = stocks[(stock.sku, stock.grade)]
        for order_id, codes in by_order.items():
            order = orders.get(order_id) or orders.setdefault(
                order_id, store.load(Order, UUID(order_id), UnknownOrder(order_id)))
            stock.release(order_id=order.id, pack_codes=codes)
            replacements: dict[tuple[str, str, Any], list[str]] = {}
            sites: dict[str, str] = {}
            for pack_kg, n in Counter(stock.packs[c]["pack_kg"] for c in codes).items():
                clean = sum(1 for s in candidates for c in s.available(pack_kg, at)
                            if c not in register.packs)
                if clean:
                    taken = reserve_fefo(candidates, sku=stock.sku, grade=stock.grade,
                                         order_id=order.id, pack_kg=pack_kg, packs=min(n, clean),
                                         at=at, skip=register.packs)
                    replacements[(stock.sku, stock.grade, pack_kg)] = [c for _, c in taken]
                    sites |= {c: s.site_id for s, c in taken if s.site_id is not None}
                    changed += [s for s, _ in taken]
            order.replace_recalled(recall_id=str(recall.id), released=codes,
                                   replacements=replacements, sites=sites, at=at)
        changed.append(stock)
    return changed + list(orders.values())


def _once(aggregates: list[Any]) -> list[Any]:
    """Each aggregate once, in the order first named."""
    return list({a.id: a for a in aggregates}.values())


def _hours(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 3600, 2)
