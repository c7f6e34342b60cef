"""Gongxiao, the application: every use case of the co-op, load → decide → save, on one store."""

from __future__ import annotations

from typing import Any

from domain.usecases import (
    books,
    coldstore,
    distribution,
    epcis,
    housekeeping,
    inputs,
    leases,
    masterdata,
    outlets,
    recalls,
    store,
    supply,
)
from domain.usecases.store import Store


class Gongxiao(Store):
    """Configured from the environment like any eventsourcing application: in memory unless
    ``PERSISTENCE_MODULE`` says otherwise. The use cases are the sibling modules' functions,
    listed here as methods of the store they load from and save to
    (``domain.usecases.store.Store``)."""

    name = "gongxiao"

    register_farmer = masterdata.register_farmer
    register_site = masterdata.register_site
    register_product = masterdata.register_product
    set_price = masterdata.set_price
    farmer = store.load_farmer
    site = store.load_site
    product = store.load_product
    catalogue = store.load_catalogue

    record_input_sale = inputs.record_input_sale
    record_input_application = inputs.record_input_application
    pay_farmer = inputs.pay_farmer
    correct_input_sale = inputs.correct_input_sale
    correct_payment = inputs.correct_payment
    record_purchase = supply.record_purchase
    correct_purchase = supply.correct_purchase
    transfer_inputs = supply.transfer_inputs

    register_unit = books.register_unit
    assign_site_to_unit = books.assign_site_to_unit
    load_chart = books.load_chart
    contribute_capital = books.contribute_capital
    correct_capital = books.correct_capital
    declare_membership = books.declare_membership
    quantify_reserve = books.quantify_reserve
    chart = books.chart_of
    unit = books.load_unit

    sign_lease = leases.sign_lease
    register_asset = leases.register_asset
    correct_rent_receipt = leases.correct_rent_receipt
    charge_rent = leases.charge_rent
    receive_rent = leases.receive_rent
    lease = leases.load_lease
    lease_answer = staticmethod(leases.lease_answer)

    draft_distribution = distribution.draft_distribution
    approve_distribution = distribution.approve_distribution
    settle_distribution = distribution.settle_distribution

    def distribution_plan(self, unit_id: str, year: int) -> dict[str, Any]:
        return distribution.plan_answer(distribution.load_plan(self, unit_id, year))

    receive_batch = coldstore.receive_batch
    grade_batch = coldstore.grade_batch
    correct_intake = coldstore.correct_intake
    release_batch = coldstore.release_batch
    destroy_batch = coldstore.destroy_batch
    log_temperatures = coldstore.log_temperatures
    run_packing = coldstore.run_packing
    batch = coldstore.load_batch
    describe_batch = coldstore.describe_batch

    place_order = outlets.place_order
    cancel_order = outlets.cancel_order
    ship = outlets.ship
    confirm_delivery = outlets.confirm_delivery
    sell_pack = outlets.sell_pack
    order = outlets.load_order
    shipment = outlets.load_shipment
    order_answer = staticmethod(outlets.order_answer)

    capture_events = epcis.capture_events
    capture_job = epcis.load_capture_job

    open_recall = recalls.open_recall
    widen_recall = recalls.widen_recall
    account_pack = recalls.account_pack
    close_recall = recalls.close_recall
    recall = recalls.load_recall
    recall_answer = staticmethod(recalls.recall_answer)

    flag_shelf_life = housekeeping.flag_shelf_life
    issue_statement = housekeeping.issue_statement
