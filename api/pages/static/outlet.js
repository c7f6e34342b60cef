// The outlet's screen: catalog and orders, deliveries scanned in, retail sales.
"use strict";
(() => {
  const { t, $, el, creds, show, problemText, get, command, oneAction, go, onScan, now, num, day } = GX;
  const enc = encodeURIComponent;
  const report = (answer, label, words) => {
    if (answer.queued) { show("wait", `${t("queued")}: ${label}`); return false; }
    if (!answer.ok) { show("bad", `${t("refused")}: ${label} — ${problemText(answer)}`); return false; }
    show("ok", `${label} — ${words(answer.body || {})}`);
    return true;
  };

  // ---- catalog and ordering -----------------------------------------------------------------
  const catalog = $("#catalog");
  let rows = [];
  const names = {};  // sku → the product's name, from the catalog: the screen shows names
  async function loadCatalog() {
    if (!creds.token) return;
    const answer = await get("/v1/catalog");
    if (!answer.ok) { show("bad", problemText(answer)); return; }
    rows = answer.body || [];
    $("#catalog-rows").replaceChildren(...rows.map((r, i) => {
      const tr = el("tr");
      const qty = el("input");
      // No max: stock moves while the screen is open, and the server's refusal says what is left.
      Object.assign(qty, { type: "number", min: "0", name: `qty-${i}`, inputMode: "numeric" });
      qty.setAttribute("aria-label", `${t("packs_to_order")}: ${r.name || r.sku} ${t("grade")} ${r.grade} · ${r.pack_kg} kg`);
      names[r.sku] = r.name || names[r.sku];
      const cell = el("td");
      cell.append(qty);
      tr.append(el("td", r.name || r.sku), el("td", r.grade), el("td", r.pack_kg), el("td", r.packs_available),
        el("td", r.nearest_expiry ? day(r.nearest_expiry) : ""), cell);
      return tr;
    }));
    if (!rows.length) $("#catalog-rows").append(el("tr", t("nothing")));
  }
  oneAction(catalog, async (key) => {
    const lines = rows.map((r, i) => ({ r, packs: num(catalog.elements[`qty-${i}`].value) || 0 }))
      .filter((x) => x.packs > 0)
      .map(({ r, packs }) => ({ sku: r.sku, grade: r.grade, pack_kg: r.pack_kg, packs }));
    if (!lines.length) { show("bad", t("nothing")); return false; }
    const answer = await command("/v1/orders", { outlet_id: creds.site, lines }, t("order"), key);
    if (report(answer, t("order"), (b) => `${t("ordered")} ${orderCode(b)} (${t(`status_${b.status}`)})`)) {
      catalog.reset();
      loadCatalog();
      loadOrders();
    }
    return true;
  });
  // The order's short code people read out and type; the id's first characters until the
  // API gives orders one.
  const orderCode = (o) => o.order_code || o.order_id.slice(0, 8);
  $("#refresh-catalog").addEventListener("click", loadCatalog);

  // ---- orders -------------------------------------------------------------------------------
  async function loadOrders() {
    if (!creds.token) return;
    const answer = await get(`/v1/orders?outlet_id=${enc(creds.site)}`);
    if (!answer.ok) { show("bad", problemText(answer)); return; }
    const orders = Array.isArray(answer.body) ? answer.body : (answer.body.orders || answer.body.items || []);
    $("#order-rows").replaceChildren(...orders.map((o) => {
      const tr = el("tr");
      const lines = (o.lines || []).map((l) => `${l.name || names[l.sku] || l.sku} ${t("grade")} ${l.grade} ${l.pack_kg} kg × ${l.packs}`).join("; ");
      const ships = el("td");
      for (const id of o.shipment_ids || []) {
        shipments[id] = o;
        const b = el("button", `${t("received")}?`);
        b.type = "button";
        b.dataset.shipment = id;
        b.setAttribute("aria-label", `${t("received")}? ${t("order")} ${orderCode(o)}`);
        b.addEventListener("click", () => openDelivery(id));
        ships.append(b);
      }
      tr.append(el("td", `${day(o.placed_at)} · ${orderCode(o)}`), el("td", lines), el("td", t(`status_${o.status}`)), ships);
      tr.title = o.order_id;
      return tr;
    }));
  }
  $("#refresh-orders").addEventListener("click", loadOrders);

  // ---- delivery -----------------------------------------------------------------------------
  const delivery = $("#delivery");
  const shipments = {};  // shipment id → its order, from the list of orders
  const arrived = [];
  let expected = [];  // the packs the order's pick list holds: what should arrive
  let warned = false;  // a confirmation with packs not scanned needs a second press
  const drawArrived = () => {
    $("#arrived").replaceChildren(...arrived.map((c) => el("li", c)));
    $("#arrived-count").textContent = expected.length ? `${arrived.length} / ${expected.length}` : String(arrived.length);
    warned = false;
  };
  async function openDelivery(id) {
    delivery.elements.shipment_id.value = id;
    chosen = id;
    go("delivery");
    delivery.elements.pack_code.focus();
    const order = shipments[id];
    $("#delivery-order").textContent = order ? `${t("order")} ${orderCode(order)}` : "";
    expected = [];
    drawArrived();
    if (!order) return;
    const answer = await get(`/v1/orders/${enc(order.order_id)}`);
    if (answer.ok) expected = (answer.body.lines || []).flatMap((l) => l.reserved_pack_codes || []);
    drawArrived();
  }
  function arrive(code) {
    if (arrived.includes(code)) { show("wait", `${t("already_scanned")}: ${code}`); return; }
    arrived.push(code);
    drawArrived();
    show(expected.length && !expected.includes(code) ? "wait" : "ok",
      expected.length && !expected.includes(code) ? `${t("unexpected")}: ${code}` : code);
  }
  // A pack scanned while the shipment field has focus is taken as the pack it is, and the
  // field keeps its shipment: a scan replaces the field's text (all of it is selected when it
  // takes focus), and a pack's code typed into the middle of the id is taken back out of it.
  const PACK = /^[0-9A-Z]{8}-\d{4}$/;
  const shipmentField = delivery.elements.shipment_id;
  let chosen = "";
  shipmentField.addEventListener("focus", () => shipmentField.select());
  onScan(shipmentField, (typed) => {
    const cuts = chosen && typed.length > chosen.length
      ? [...Array(chosen.length + 1).keys()].map((at) => [at, typed.length - chosen.length + at])
        .filter(([at, end]) => typed.slice(0, at) + typed.slice(end) === chosen)
        .map(([at, end]) => typed.slice(at, end)) : [];
    const inside = cuts.find((code) => PACK.test(code)) || cuts[0];
    if (inside) arrive(inside);
    else if (chosen && !shipments[typed] && PACK.test(typed)) arrive(typed);
    else chosen = typed;
    shipmentField.value = chosen;
    delivery.elements.pack_code.focus();
  });
  onScan(delivery.elements.pack_code, (code) => {
    delivery.elements.pack_code.value = "";
    arrive(code);
  });
  oneAction(delivery, async (key) => {
    const id = delivery.elements.shipment_id.value.trim();
    if (!id || !arrived.length) { show("bad", t("scan_first")); return false; }
    const notYet = expected.filter((c) => !arrived.includes(c));
    if (notYet.length && !warned) {
      warned = true;
      show("wait", `${t("not_scanned_yet")}: ${notYet.length} — ${t("confirm_again")}`);
      return false;
    }
    const answer = await command(`/v1/shipments/${enc(id)}/delivery`, { received_at: now(), pack_codes: [...arrived] }, t("delivery"), key);
    const out = $("#delivery-out");
    const counts = (b) => ["received", "missing", "unexpected"].map((k) => `${t(k)} ${(b[k] || []).length}`)
      .concat((b.refused || []).length ? [`${t("refused_recalled")} ${b.refused.length}`] : []).join(" · ");
    if (report(answer, t("delivery"), counts)) {
      const b = answer.body;
      out.replaceChildren(
        el("p", `${t("received")}: ${(b.received || []).length}`),
        el("p", `${t("missing")}: ${(b.missing || []).join(" ") || "0"}`, (b.missing || []).length ? "bad" : ""),
        el("p", `${t("unexpected")}: ${(b.unexpected || []).join(" ") || "0"}`, (b.unexpected || []).length ? "bad" : ""));
      for (const r of b.refused || []) {  // recalled packs in the crate: kept apart, each named with its recall
        const p = el("p", `${t("refused_recalled")}: ${r.pack_code} (${t("recall_word")} ${r.recall_id.slice(0, 8)})`, "bad");
        p.dataset.refused = r.pack_code;
        out.append(p);
      }
      arrived.length = 0;
      expected = [];
      drawArrived();
      loadOrders();
    }
    return true;
  });

  // ---- sale ---------------------------------------------------------------------------------
  const sale = $("#sale");
  sale.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!sale.reportValidity()) return;
    const code = sale.elements.pack_code.value.trim();
    const body = { outlet_id: creds.site, pack_code: code, sold_at: now(),
      price_fen: Math.round(num(sale.elements.price.value) * 100) };
    const answer = await command("/v1/sales", body, `${t("sale")} ${code}`);
    report(answer, `${t("sale")} ${code}`, () => `${t("sold")} ¥${sale.elements.price.value}`);
    sale.elements.pack_code.value = "";
    sale.elements.pack_code.focus();
  });

  // ---- recalls: the pull list ------------------------------------------------------------------
  GX.recallScreen($("#recalls"), "pulls", (code) => ({ outlet_id: creds.site, pack_code: code, pulled_at: now() }));

  const refresh = () => { loadCatalog(); loadOrders(); };
  document.addEventListener("gx:ready", refresh);
  document.addEventListener("gx:synced", loadOrders);
  document.addEventListener("DOMContentLoaded", refresh);
})();
