"""Words the pages show that are not written in a template: places of a pack, and the scripts'.

Each is marked with ``N_`` so ``pybabel extract`` finds it; it is translated when a page is
rendered, and the scripts receive theirs as JSON in the page (no language in the JS files).
"""

from __future__ import annotations


def N_(message: str) -> str:
    return message


# Where a pack or batch is, by the status the trace and recall views answer.
PLACES = {
    "in_storage": N_("In the cold store"),
    "in_stock": N_("In the cold store, ready to ship"),
    "graded": N_("Graded, in the cold store"),
    "available": N_("In the cold store, ready to ship"),
    "reserved": N_("In the cold store, reserved for an outlet's order"),
    "in_transit": N_("On a refrigerated truck to the outlet"),
    "at_outlet": N_("On the shelf of the outlet"),
    "delivered": N_("On the shelf of the outlet"),
    "sold": N_("Sold"),
    "on_hold": N_("Held at the cold store"),
    "recalled": N_("Recalled"),
    "destroyed": N_("Destroyed"),
    "expired": N_("Past its shelf life"),
    "packed": N_("Packed, in the cold store"),
    "missing": N_("Missing from its delivery"),
}

# The words printed on a pack's label beside its QR.
LABEL = {"grade": N_("Grade %s"), "net": N_("Net %s kg"), "packed": N_("Packed %s"),
         "expires": N_("Use by %s")}
# Who packed it, on every label: the co-op's name as the screens' titles say it.
COOP = N_("Gongxiao co-op")
# The words of a batch's compliance certificate printed with its run's labels.
CERTIFICATE_LABEL = {"grade": "%s", "net": N_("%s kg certified"), "packed": N_("Issued %s")}
# ... and of one printed before the batch's packs first ship, the dispatch that issues it.
CERTIFICATE_PENDING_LABEL = {"grade": "%s", "net": N_("%s kg certified"),
                             "packed": N_("Issued at dispatch (printed %s)")}

# What the station, outlet and admin scripts say; keys are what the scripts look up.
SCRIPT = {
    "saved": N_("Saved"),
    "sending": N_("Sending…"),
    "queued": N_("No network: kept on this device, it will be sent when the network returns"),
    "queue_count": N_("Waiting to send"),
    "synced": N_("Sent after the network returned"),
    "refused": N_("Refused"),
    "offline": N_("Offline"),
    "online": N_("Online"),
    "need_token": N_("Enter your token first"),
    "token_saved": N_("Token kept for this tab"),
    "token_bad": N_("The server did not accept this token"),
    "batch_in": N_("Batch scanned in"),
    "on_hold": N_("ON HOLD — store it apart; staff must release it"),
    "graded": N_("Grading recorded"),
    "earned": N_("Farmer earns"),
    "packed": N_("Packs made"),
    "print_labels": N_("Print labels"),
    "pick_list": N_("Pick list"),
    "on_pick_list": N_("On the pick list"),
    "not_on_pick_list": N_("Not on this order's pick list — put it back"),
    "already_scanned": N_("Already scanned"),
    "departed": N_("Shipment departed"),
    "ordered": N_("Order placed"),
    "received": N_("Received"),
    "missing": N_("Missing"),
    "unexpected": N_("Unexpected"),
    "refused_recalled": N_("Recalled — set aside, not shelved (counted pulled)"),
    "recall_word": N_("recall"),
    "sold": N_("Sale recorded"),
    "released": N_("Released"),
    "destroyed": N_("Destroyed"),
    "nothing": N_("Nothing to show"),
    "reason_needed": N_("Give a reason"),
    "status_placed": N_("Placed, being picked"),
    "status_partially_shipped": N_("Partly shipped"),
    "status_shipped": N_("Shipped"),
    "status_cancelled": N_("Cancelled"),
    "kind_grading": N_("Grading"),
    "kind_input_credit": N_("Inputs on credit"),
    "kind_payment": N_("Payment"),
    "scan_first": N_("Scan the code first"),
    "network_error": N_("The server could not be reached"),
    "intake": N_("Intake"),
    "grading": N_("Grading"),
    "packing": N_("Packing"),
    "shipment": N_("Shipment"),
    "order": N_("Order"),
    "delivery": N_("Delivery"),
    "sale": N_("Sale"),
    "release": N_("Release"),
    "destroy": N_("Destroy"),
    "col_pack": N_("Pack"),
    "col_batch": N_("Batch"),
    "col_place": N_("Where it is now"),
    "col_outlet": N_("Outlet"),
    "batches_reached": N_("Batches reached"),
    "kg": N_("kg"),
    "correction": N_("Weight correction"),
    "corrected": N_("Intake weight now"),
    "correction_needs": N_("Give the right net kg and the reason"),
    "confirm_destroy": N_("Destroy batch {batch_code}? It can never be sold, and this cannot be undone."),
    "grade": N_("grade"),
    "pick_farmer": N_("Pick a farmer from the list: type a name, pinyin or phone tail, or scan "
                      "the member card"),
    "pick_product": N_("Pick a product from the list by its name"),
    "phone_tail": N_("phone ending"),
    "take_off": N_("Take off"),
    "taken_off": N_("Taken off the truck"),
    "scanned": N_("Scanned"),
    "picked_of": N_("Picked {x} of {y}"),
    "to_pick": N_("{x} of {y} packs still to pick"),
    "no_open_orders": N_("No open orders for this cold store"),
    "partial_load": N_("Only {x} of the {y} packs on the pick list are loaded. Depart with a partial load?"),
    "packs_reached": N_("Packs reached"),
    "packs_to_order": N_("Packs to order"),
    "not_scanned_yet": N_("Packs of this order not scanned yet"),
    "confirm_again": N_("press Confirm again to record them as missing"),
    "season": N_("Season"),
    "farmer_input_credit": N_("Inputs bought on credit"),
    "farmer_payment": N_("Paid to you by the co-op"),
    "balance": N_("Balance"),
    "balance_owed_to_you": N_("The co-op owes you this amount."),
    "balance_owed_by_you": N_("You owe the co-op this amount: it is taken off your next deliveries."),
    "unknown_lot": N_("No input lot {input_lot} is known: check the number on the bag or bottle"),
    "unknown_recall_batch": N_("No batch {batch_code} was scanned in: check the code"),
    "pull": N_("Pull"),
    "pulled": N_("Pulled off the shelf"),
    "quarantine": N_("Quarantine"),
    "quarantined": N_("Quarantined"),
    "not_on_pull_list": N_("Not on a pull list: keep it apart and ask the co-op office"),
    "recall_level": N_("Level"),
    "drill": N_("Drill"),
    "to_pull": N_("Still to pull"),
    # the books screen (docs/books.md)
    "refund_drafted": N_("plan drafted, not approved yet"),
    "refund_approved": N_("approved by the members' meeting"),
    "refund_paid": N_("paid"),
    "refund_converted": N_("added to your capital"),
    "books_balanced": N_("Debits equal credits: the books balance"),
    "books_unbalanced": N_("Debits and credits differ: the books do not balance"),
    "books_shown": N_("Books shown"),
    "forms_balanced": N_("Total assets equal liabilities and equity: the forms balance"),
    "forms_unbalanced": N_("The forms do not balance"),
    "forms_unmapped": N_("accounts no line of the forms reads"),
    "pick_unit": N_("Pick an accounting unit"),
    "opening": N_("Opening"),
    "closing": N_("Closing"),
    "voucher": N_("Voucher"),
    "from_event": N_("Posted from event"),
    "plan_of": N_("Distribution plan of"),
    "no_plan": N_("No distribution plan drafted for this year"),
    "plan_drafted": N_("Plan drafted"),
    "plan_approved": N_("Approval by the members' meeting recorded"),
    "plan_settled": N_("Plan settled"),
    "reserve_share": N_("Reserve share (yuan)"),
    "subsidy": N_("Subsidy (yuan)"),
    "amount_in_yuan": N_("Amounts are in yuan, at most two decimals"),
    "voucher_input_purchase": N_("Input purchase"),
    "voucher_input_purchase_reversal": N_("Input purchase reversed (red entry)"),
    "voucher_input_transfer_out": N_("Inputs sent to another unit"),
    "voucher_input_transfer_in": N_("Inputs received from another unit"),
    "voucher_produce_transfer_out": N_("Packs sent to another unit"),
    "voucher_produce_transfer_in": N_("Packs received from another unit"),
    "voucher_input_sale": N_("Input sale"),
    "voucher_input_cost": N_("Cost of inputs sold"),
    "voucher_produce_purchase": N_("Produce bought from a member"),
    "voucher_produce_sale": N_("Produce sale at an outlet"),
    "voucher_farmer_payment": N_("Payment to a farmer"),
    "voucher_capital_contribution": N_("Capital contributed"),
    "voucher_rent_due": N_("Rent due"),
    "voucher_rent_received": N_("Rent received"),
    "voucher_rent_received_reversal": N_("Rent receipt reversed (red entry)"),
    "voucher_distribution": N_("Surplus distribution approved"),
    "voucher_distribution_paid": N_("Distribution paid"),
    "voucher_distribution_converted": N_("Distribution converted into capital"),
}

# What the scripts say for a refusal, by its problem type (the slug that ends the problem's
# ``type``); ``{name}`` is the problem's member of that name. A type has one or more forms
# (``slug``, ``slug.more``…): the scripts take the first whose every member the problem carries,
# and show the API's own ``detail`` for a type not listed here.
PROBLEMS = {
    "unknown-batch": N_("No batch {batch_code} was scanned in"),
    "unknown-farmer": N_("No farmer {farmer_id} is registered"),
    "unknown-site": N_("No site {site_id} is registered"),
    "unknown-product": N_("No product {sku} is registered"),
    "unknown-order": N_("No order {order_id}"),
    "ambiguous-order-code": N_("More than one order has the code {order_id}: give the order's full id"),
    "unknown-shipment": N_("No shipment {shipment_id}"),
    "not-found.pack": N_("No pack {pack_code} was packed"),
    "not-found.run": N_("No packing run {run_id}"),
    "not-found": N_("Not found: {detail}"),
    "batch-on-hold": N_("Batch {batch_code} is on hold: store it apart; staff must release it "
                        "before it is graded or packed"),
    "already-graded": N_("Batch {batch_code} is already graded"),
    "not-on-hold": N_("Batch {batch_code} is not on hold"),
    "mass-balance-exceeded": N_("Graded {graded_kg} kg (with reject) is more than the {intake_kg} kg "
                                "taken in"),
    "no-price": N_("No purchase price for {sku} grade {grade}: staff must set one first"),
    "stock-short": N_("Not enough stock: only {available} packs of {sku} grade {grade}, {pack_kg} kg "
                      "each, are available"),
    "stock-short.kg": N_("Not enough stock: only {available_kg} kg of {sku} grade {grade} is graded "
                         "and not yet packed"),
    "not-reserved-for-order": N_("{pack_codes}: not on this order's pick list; scan the packs on it"),
    "pack-not-reserved": N_("Pack {pack_code} is not reserved for this order"),
    "already-sold": N_("Pack {pack_code} was already sold"),
    "pack-not-at-outlet": N_("Pack {pack_code} is not on this outlet's shelf"),
    "pack-expired": N_("Pack {pack_code} is past its shelf life; it may not be sold"),
    "recalled": N_("Recalled ({recall_id}): {pack_codes} may not be sold, shipped or received; "
                   "keep them apart for the recall"),
    "recalled.batch": N_("Recalled ({recall_id}): batch {batch_codes} may not be packed"),
    "unknown-recall": N_("No recall {recall_id}"),
    "not-certifiable": N_("Batch {batch_code} gets no compliance certificate: it is on hold or "
                          "recalled"),
    "nothing-to-recall": N_("Nothing was found to recall: check the lot, batch, run or codes"),
    "pack-not-in-recall": N_("Pack {pack_code} is not in this recall: keep it apart and tell "
                             "the co-op office"),
    "already-accounted": N_("Pack {pack_code} was already {fate} for this recall"),
    "recall-incomplete": N_("{outstanding} packs are not accounted for: find them, or close "
                            "with a reason"),
    "wrong-site-kind": N_("This site cannot do this: it is another kind of site"),
    "idempotency-conflict": N_("This code was already used for something else; use a new label"),
    "busy": N_("Too many people changed the same stock at once; send it again"),
    "conflict": N_("Clashes with what is already recorded: {detail}"),
    "unprocessable-content": N_("Not accepted: {detail}"),
    "validation": N_("Check these fields: {fields}"),
    "malformed-json": N_("The request was not valid JSON"),
    "unauthorized": N_("The server did not accept this token: enter it again"),
    "forbidden-role": N_("This token may not do this"),
    "forbidden-scope": N_("This token acts for another site"),
    "rate-limited": N_("Too many requests: send again in {retry_after_s} s"),
    "too-large": N_("Too much at once: split it into smaller parts"),
    "store-unavailable": N_("The server cannot record anything just now; send it again shortly"),
    # input supply and the books (docs/books.md)
    "not-in-stock": N_("Not enough in stock: {site_id} holds only {held} of {sku} lot {lot}"),
    "duplicate-invoice": N_("Invoice {invoice_no} of {supplier} is already recorded here"),
    "unknown-purchase": N_("No purchase {purchase_id} is recorded here"),
    "unbalanced": N_("The voucher does not balance: {detail}"),
    "unknown-unit": N_("No accounting unit {unit_id} is registered"),
    "plan-approved": N_("The distribution plan is approved; it can no longer be redrafted"),
    "plan-not-approved": N_("The distribution plan is not approved by the members' meeting yet"),
    "unknown-plan": N_("No {year} distribution plan of {unit_id}"),
    "more-than-due": N_("More than is due: the tenant owes {arrears_fen} fen"),
    "unknown-lease": N_("No lease {lease_id}"),
    "public-url-unset": N_("Labels cannot be printed yet: the co-op must set the public address "
                           "buyers reach (GONGXIAO_PUBLIC_URL) first"),
    "_other": N_("Not done: the server refused it (HTTP {status})"),
}

# A hold's reason, by ``reason``; ``{date}`` is the last date its detail names and ``{input}``
# the product it names first (the pesticide).
HOLDS = {
    "pre_harvest_interval": N_("pre-harvest interval of {input} not over: harvest allowed from {date}"),
}

# Partners' EPCIS events on the buyer's page (CBV 2.0 words; any other word is shown as sent).
PARTNER_STEPS = {
    "receiving": N_("Received"), "inspecting": N_("Inspected"), "accepting": N_("Accepted"),
    "shipping": N_("Shipped"), "storing": N_("Stored"), "retail_selling": N_("Sold in a shop"),
    "holding": N_("Held"), "destroying": N_("Destroyed"), "sampling": N_("Sampled"),
    "sensor_reporting": N_("Measured"), "departing": N_("Departed"), "arriving": N_("Arrived"),
}
PARTNER_DISPOSITIONS = {
    "conformant": N_("conformant"), "non_conformant": N_("not conformant"),
    "sellable_accessible": N_("on sale"), "sellable_not_accessible": N_("sellable"),
    "non_sellable_other": N_("not for sale"), "in_transit": N_("in transit"),
    "damaged": N_("damaged"), "expired": N_("expired"), "recalled": N_("recalled"),
    "destroyed": N_("destroyed"), "retail_sold": N_("sold"),
}
SENSOR_TYPES = {
    "Temperature": N_("Temperature"), "MassConcentration": N_("Mass concentration"),
    "Concentration": N_("Concentration"), "RelativeHumidity": N_("Relative humidity"),
    "Humidity": N_("Humidity"), "Mass": N_("Mass"),
}
