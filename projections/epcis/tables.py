"""The tables of the EPCIS view (see ``projections.epcis.projection``).

``epcis_events`` holds each EPCIS event once with the columns the standard query filters on;
``epcis_epcs`` says which identifiers an event names and how (the ``MATCH_*`` parameters);
``epcis_scopes`` who may see it (a cold store, an outlet — also the events behind the packs
shipped to it — or a farmer). The other tables are what
the mapping needs to know that an event does not repeat.
"""

from __future__ import annotations

from projections.tables import table

EVENTS = table("epcis_events", "event_id seq:int event_type event_us:int record_us:int action "
               "biz_step disposition read_point biz_location transformation_id origin doc",
               key="event_id", indexes=("seq", "event_us", "record_us"))
# role: epc (epcList), child, parent, input, output — and for classes: class (quantityList),
# child_class, input_class, output_class.
EPCS = table("epcis_epcs", "epc role event_id", key="epc role event_id",
             indexes=("event_id",))
SCOPES = table("epcis_scopes", "scope event_id", key="scope event_id",
               indexes=("event_id",))

# intakes: how many intake events the farmer has had (each a row of FARMER_INTAKES, numbered
# from 0): a list of them in the farmer's row grew with every intake, and each intake read and
# wrote it whole (in a server following the log, 19 ms of CPU per scan at 3,600 intakes)
FARMERS = table("epcis_farmers", "farmer_ref farmer_id name village intakes:int",
                key="farmer_ref")
# the farmer's intake events as they now stand: the n-th one's event id and its cold store
FARMER_INTAKES = table("epcis_farmer_intakes", "farmer_ref n:int event_id site_id",
                       key="farmer_ref n")
SITES = table("epcis_sites", "site_ref site_id timezone", key="site_ref")
# events: the batch's EPCIS events (intake, holds, grading), which its packs' buyers may see
BATCHES = table("epcis_batches", "batch_id batch_code sku site_id farmer_id scanned_us:int events",
                key="batch_id")
STOCKS = table("epcis_stocks", "stock_id sku grade", key="stock_id")
PACKS = table("epcis_packs", "pack_code sku grade site_id run_id", key="pack_code")
# lineage: the events behind a run's packs (its packing, its batches' events)
RUNS = table("epcis_runs", "run_id lineage", key="run_id")
SHIPMENTS = table("epcis_shipments", "shipment_id order_id outlet_id site_id", key="shipment_id")
SHELVES = table("epcis_shelves", "shelf_ref outlet_id", key="shelf_ref")
# scopes: who sees the recall's events so far (the places of its packs and batches)
RECALLS = table("epcis_recalls", "recall_id drill:int level:int scopes", key="recall_id")
ROOMS = table("epcis_rooms", "room_ref site_id room", key="room_ref")

ALL = (EVENTS, EPCS, SCOPES, FARMERS, FARMER_INTAKES, SITES, BATCHES, STOCKS, PACKS, RUNS, SHIPMENTS, SHELVES,
       ROOMS, RECALLS)
