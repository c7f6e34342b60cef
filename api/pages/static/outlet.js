// The outlet's screen: catalog and orders, deliveries scanned in, retail sales.
"use strict";
(() => {
  const { t, $, el, creds, show, problemText, get, command, onScan, now, num, day } = GX;
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
      const cell = el("td");
      cell.append(qty);
      tr.append(el("td", r.name || r.sku), el("td", r.grade), el("td", r.pack_kg), el("td", r.packs_available),
        el("td", r.nearest_expiry ? day(r.nearest_expiry) : ""), cell);
      return tr;
    }));
    if (!rows.length) $("#catalog-rows").append(el("tr", t("nothing")));
  }
  catalog.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const lines = rows.map((r, i) => ({ r, packs: num(catalog.elements[`qty-${i}`].value) || 0 }))
      .filter((x) => x.packs > 0)
      .map(({ r, packs }) => ({ sku: r.sku, grade: r.grade, pack_kg: r.pack_kg, packs }));
    if (!lines.length) { show("bad", t("nothing")); return; }
    const answer = await command("/v1/orders", { outlet_id: creds.site, lines }, t("order"));
    if (report(answer, t("order"), (b) => `${t("ordered")} ${b.order_id} (${t(`status_${b.status}`)})`)) {
      loadCatalog();
      loadOrders();
    }
  });
  $("#refresh-catalog").addEventListener("click", loadCatalog);

  // ---- orders -------------------------------------------------------------------------------
  async function loadOrders() {
    if (!creds.token) return;
    const answer = await get(`/v1/orders?outlet_id=${enc(creds.site)}`);
    if (!answer.ok) { show("bad", problemText(answer)); return; }
    const orders = Array.isArray(answer.body) ? answer.body : (answer.body.orders || answer.body.items || []);
    $("#order-rows").replaceChildren(...orders.map((o) => {
      const tr = el("tr");
      const lines = (o.lines || []).map((l) => `${l.sku} ${l.grade} ${l.pack_kg} kg × ${l.packs}`).join("; ");
      const ships = el("td");
      for (const id of o.shipment_ids || []) {
        const b = el("button", `${t("received")}? ${id.slice(0, 8)}`);
        b.type = "button";
        b.dataset.shipment = id;
        b.addEventListener("click", () => { location.hash = "#delivery"; $("#delivery").elements.shipment_id.value = id; $("#delivery").elements.pack_code.focus(); });
        ships.append(b);
      }
      tr.append(el("td", `${day(o.placed_at)} · ${o.order_id.slice(0, 8)}`), el("td", lines), el("td", t(`status_${o.status}`)), ships);
      tr.title = o.order_id;
      return tr;
    }));
  }
  $("#refresh-orders").addEventListener("click", loadOrders);

  // ---- delivery -----------------------------------------------------------------------------
  const delivery = $("#delivery");
  const arrived = [];
  const drawArrived = () => {
    $("#arrived").replaceChildren(...arrived.map((c) => el("li", c)));
    $("#arrived-count").textContent = String(arrived.length);
  };
  onScan(delivery.elements.shipment_id, () => delivery.elements.pack_code.focus());
  onScan(delivery.elements.pack_code, (code) => {
    delivery.elements.pack_code.value = "";
    if (arrived.includes(code)) { show("wait", `${t("already_scanned")}: ${code}`); return; }
    arrived.push(code);
    drawArrived();
    show("ok", code);
  });
  delivery.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const id = delivery.elements.shipment_id.value.trim();
    if (!id || !arrived.length) { show("bad", t("scan_first")); return; }
    const answer = await command(`/v1/shipments/${enc(id)}/delivery`, { received_at: now(), pack_codes: [...arrived] }, t("delivery"));
    const out = $("#delivery-out");
    const counts = (b) => ["received", "missing", "unexpected"].map((k) => `${t(k)} ${(b[k] || []).length}`).join(" · ");
    if (report(answer, t("delivery"), counts)) {
      const b = answer.body;
      out.replaceChildren(
        el("p", `${t("received")}: ${(b.received || []).length}`),
        el("p", `${t("missing")}: ${(b.missing || []).join(" ") || "0"}`, (b.missing || []).length ? "bad" : ""),
        el("p", `${t("unexpected")}: ${(b.unexpected || []).join(" ") || "0"}`, (b.unexpected || []).length ? "bad" : ""));
      arrived.length = 0;
      drawArrived();
      loadOrders();
    }
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
