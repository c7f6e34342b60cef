"""The tables of the traceability view (see ``projections.trace.projection``)."""

from __future__ import annotations

from typing import Any

from projections.tables import table

FARMERS = table("trace_farmers", "farmer_ref farmer_id name village phone_tail", key="farmer_ref",
                indexes=("farmer_id",))
PRODUCTS = table("trace_products", "product_ref sku name kind active_ingredient phi_days:int "
                 "temp_min_milli:int temp_max_milli:int", key="product_ref", indexes=("sku",))
SITES = table("trace_sites", "site_ref site_id name kind", key="site_ref", indexes=("site_id",))
ROOMS = table("trace_rooms", "room_ref site_id room", key="room_ref")
STOCKS = table("trace_stocks", "stock_id sku grade", key="stock_id")
BATCHES = table("trace_batches", "batch_id batch_code site_id farmer_id sku harvested_us:int "
                "scanned_us:int net_g:int temperature_milli:int expires_us:int status holds "
                "graded_us:int grades reject_g:int", key="batch_id",
                indexes=("batch_code", "farmer_id sku harvested_us"))
APPLICATIONS = table("trace_applications", "application_id farmer_id sku lot applied_us:int "
                     "crop_sku active_ingredient phi_days:int", key="application_id",
                     indexes=("farmer_id crop_sku applied_us", "lot"))
SALES = table("trace_input_sales", "sale_id line:int farmer_id shop_id sold_us:int sku lot",
              key="sale_id line", indexes=("lot",))
RUNS = table("trace_runs", "run_id sku grade site_id pack_g:int packed_us:int expires_us:int "
             "packs:int", key="run_id")
# A draw's packs are the run's packs first_pack to last_pack (numbered from 1, ``seq``), or
# every pack of the run when these are null (a mixed run, or one of before lineage).
DRAWS = table("trace_draws", "run_id batch_code g:int first_pack:int last_pack:int",
              key="run_id batch_code", indexes=("batch_code",))
PACKS = table("trace_packs", "pack_code run_id seq:int state flag order_id shipment_id "
              "outlet_id sold_us:int", key="pack_code", indexes=("run_id",))
SHIPMENTS = table("trace_shipments", "shipment_id order_id outlet_id vehicle departed_us:int "
                  "delivered_us:int", key="shipment_id")
UNEXPECTED = table("trace_unexpected", "pack_code shipment_id", key="pack_code shipment_id")
READINGS = table("trace_readings", "site_id room at_us:int milli:int", key="site_id room at_us",
                 indexes=("site_id at_us",))
EXCURSIONS = table("trace_excursions", "site_id room at_us:int milli:int skus",
                   key="site_id room at_us", indexes=("site_id at_us",))

RECALLS = table("trace_recalls", "recall_id kind reason level:int drill:int opened_us:int "
                "closed_us:int packs:int", key="recall_id")
RECALLED = table("trace_recalled", "recall_id pack_code sku grade place state fate fate_place "
                 "fate_us:int", key="recall_id pack_code", indexes=("pack_code", "place"))
CERTIFICATES = table("trace_certificates", "batch_code product quantity_g:int village farmer "
                     "issuer issued_us:int promises basis", key="batch_code")

ALL = (FARMERS, PRODUCTS, SITES, ROOMS, STOCKS, BATCHES, APPLICATIONS, SALES, RUNS, DRAWS, PACKS,
       SHIPMENTS, UNEXPECTED, READINGS, EXCURSIONS, RECALLS, RECALLED, CERTIFICATES)


def holds(draw: dict[str, Any], seq: int) -> bool:
    """Whether the pack numbered ``seq`` in its run holds the batch of a draw of that run."""
    return draw["first_pack"] is None or draw["first_pack"] <= seq <= draw["last_pack"]
