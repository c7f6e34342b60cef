"""Every command runs here, over HTTP and from Kafka: its model (``contract/``) → its use
case, through one table, once per caller and Idempotency-Key.

A cold-store gateway may send one of the six scans as ``POST`` or as a ``gongxiao.scans``
message ``{scan_id, kind, body}``; both go through ``parse`` (the model of that POST) and
``perform``, so a scan is refused or answered exactly as its POST would be. Grading and
delivery name their batch or shipment in the URL; a scan body carries it as ``batch_code`` /
``shipment_id`` beside the POST's fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contract.books import CapitalCorrection
from contract.coldstore import (
    BatchCreate,
    Correction,
    Destroy,
    GradingScan,
    PackingRunCreate,
    Release,
    TemperatureReadingsCreate,
)
from contract.fields import Command
from contract.inputs import InputApplicationCreate, InputSaleCorrection, InputSaleCreate
from contract.money import Payment, PaymentCorrection
from contract.orders import DeliveryScan, OrderCancel, OrderCreate, SaleCreate, ShipmentCreate
from contract.recalls import Close, Disposal, Pull, Quarantine, RecallCreate, RecallWiden
from contract.supply import PurchaseCreate, TransferCreate
from domain.application import Gongxiao
from infra.application import StoredGongxiao
from infra.event_json import dumps, loads
from infra.idempotency import SCANS, Replies, command_key, fingerprint
from infra.problems import InvalidField, problem_for

# A use case as a command runs it: (application, command, command key, base URL) → answer.
UseCase = Callable[[Gongxiao, Any, str | None, str], dict[str, Any]]


def _packing(app: Gongxiao, command: PackingRunCreate, key: str | None,
             base_url: str) -> dict[str, Any]:
    run = app.run_packing(**command.model_dump(), key=key)
    return {"run_id": run["run_id"], "packs": [
        {"pack_code": c, "trace_url": f"{base_url}t/{c}"} for c in run["pack_codes"]]}


# The one table from a command's model to its use case: a new command is a model in
# ``contract/`` and a row here. ``key`` is the command's id from its Idempotency-Key.
USE_CASES: dict[type[Command], UseCase] = {
    BatchCreate: lambda app, c, key, url: app.receive_batch(**c.model_dump()),
    GradingScan: lambda app, c, key, url: app.grade_batch(**c.model_dump()),
    Release: lambda app, c, key, url: app.release_batch(
        batch_code=c.batch_code, reason=c.reason, at=app.now()),
    Destroy: lambda app, c, key, url: app.destroy_batch(
        batch_code=c.batch_code, reason=c.reason, at=app.now()),
    Correction: lambda app, c, key, url: app.correct_intake(
        batch_code=c.batch_code, net_kg=c.net_kg, reason=c.reason, at=app.now()),
    TemperatureReadingsCreate: lambda app, c, key, url: app.log_temperatures(**c.model_dump()),
    PackingRunCreate: _packing,
    InputSaleCreate: lambda app, c, key, url: app.record_input_sale(**c.model_dump(), key=key),
    InputApplicationCreate: lambda app, c, key, url: app.record_input_application(
        **c.model_dump()),
    Payment: lambda app, c, key, url: app.pay_farmer(**c.model_dump()),
    InputSaleCorrection: lambda app, c, key, url: app.correct_input_sale(**c.model_dump(), key=key),
    PaymentCorrection: lambda app, c, key, url: app.correct_payment(**c.model_dump(), key=key),
    CapitalCorrection: lambda app, c, key, url: app.correct_capital(**c.model_dump(), key=key),
    OrderCreate: lambda app, c, key, url: app.place_order(**c.model_dump(), key=key),
    OrderCancel: lambda app, c, key, url: app.cancel_order(order_id=c.order_id, reason=c.reason),
    ShipmentCreate: lambda app, c, key, url: app.ship(**c.model_dump(), key=key),
    DeliveryScan: lambda app, c, key, url: app.confirm_delivery(**c.model_dump()),
    SaleCreate: lambda app, c, key, url: app.sell_pack(**c.model_dump()),
    PurchaseCreate: lambda app, c, key, url: app.record_purchase(**c.model_dump(), key=key),
    TransferCreate: lambda app, c, key, url: app.transfer_inputs(**c.model_dump(), key=key),
    RecallCreate: lambda app, c, key, url: app.open_recall(
        scope=c.scope.named(), reason=c.reason, level=c.level, drill=c.drill,
        opened_at=app.now(), lineage=c.lineage, key=key),
    RecallWiden: lambda app, c, key, url: app.widen_recall(
        recall_id=c.recall_id, lineage=c.lineage, reason=c.reason, at=app.now()),
    Pull: lambda app, c, key, url: app.account_pack(**c.accounted()),
    Quarantine: lambda app, c, key, url: app.account_pack(**c.accounted()),
    Disposal: lambda app, c, key, url: app.account_pack(**c.accounted()),
    Close: lambda app, c, key, url: app.close_recall(
        recall_id=c.recall_id, closed_at=app.now(), reason=c.reason),
}


KINDS: dict[str, type[Command]] = {
    "intake": BatchCreate, "grading": GradingScan, "packing": PackingRunCreate,
    "shipment": ShipmentCreate, "delivery": DeliveryScan, "sale": SaleCreate}


def parse(kind: str, body: Any) -> Command:
    """The validated command of a scan body; pydantic's ValidationError if it is not one."""
    model = KINDS.get(kind)
    if model is None:
        raise InvalidField(f"scan kind must be one of {', '.join(KINDS)}, not {kind!r}",
                           field="kind", message="unknown scan kind")
    return model.model_validate(body)


def perform(app: StoredGongxiao, command: Command, *, caller: str, key: str | None,
            replies: Replies | None = None, base_url: str = "/") -> tuple[int, dict[str, Any], bool]:
    """Run a validated command once per caller and key; answers (status, body, replayed).
    Refusals raise (DomainError, Problem) for the caller to map."""
    def run() -> dict[str, Any]:
        return USE_CASES[type(command)](app, command, command_key(caller, key), base_url)

    if replies is None:
        return command.status, loads(dumps(app.atomically(run)[0])), False
    reply = replies.once(app, caller=caller, key=key, status=command.status, run=run,
                         fingerprint=fingerprint(command.route, command.model_dump()))
    return reply.status, reply.body, reply.replayed


def execute(app: StoredGongxiao, kind: str, body: Any, key: str | None, *, caller: str = SCANS,
            replies: Replies | None = None, base_url: str = "/") -> tuple[int, dict[str, Any]]:
    """Validate and run one scan (from Kafka: the caller ``SCANS``, whose keys are no
    token's); never raises for bad input: a refusal answers (status, problem+json dict),
    exactly what the POST would have answered."""
    try:
        status, answer, _ = perform(app, parse(kind, body), caller=caller, key=key,
                                    replies=replies, base_url=base_url)
        return status, answer
    except Exception as refused:
        return problem_for(refused)
