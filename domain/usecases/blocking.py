"""What the hot paths ask of open recalls: the register of recalled packs and batches.

Reserving (``domain.stock.reserve_fefo``'s ``skip``) and FEFO packing (``Stock.pack``'s
``skip``) pass over recalled packs and batches instead of refusing the whole order or run;
packing named batches, shipping, delivering and selling refuse a recalled one
(``RecallRegister.check_batches`` / ``check_packs``).
"""

from __future__ import annotations

from domain.recall_register import RecallRegister
from domain.usecases.store import Store


def register_of(store: Store) -> RecallRegister:
    return store.load_or_open(RecallRegister)
