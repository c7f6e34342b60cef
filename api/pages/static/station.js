// The cold store's scan station: intake, grading, packing and shipment.
"use strict";
(() => {
  const { t, $, el, creds, show, problemText, holdText, get, command, onScan, iso, now, num } = GX;
  const enc = encodeURIComponent;

  // Says what happened to a command, in words; answers true when it was recorded.
  function report(answer, label, words) {
    if (answer.queued) { show("wait", `${t("queued")}: ${label}`); return false; }
    if (!answer.ok) { show("bad", `${t("refused")}: ${label} — ${problemText(answer)}`); return false; }
    show("ok", `${label} — ${words(answer.body || {})}`);
    return true;
  }
  const needToken = () => { if (creds.token) return false; show("bad", t("need_token")); $("#setup").open = true; return true; };

  // ---- intake -------------------------------------------------------------------------------
  const intake = $("#intake");
  // Harvest is this morning's unless told otherwise; never yesterday's value carried over.
  const morning = new Date();
  if (morning.getHours() < 6) morning.setDate(morning.getDate() - 1);
  morning.setHours(6, 0, 0, 0);
  intake.elements.harvested_at.value = new Date(morning - morning.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  function intakeBody(code) {
    const f = intake.elements;
    return {
      batch_code: code, site_id: creds.site, farmer_id: f.farmer_id.value.trim(), sku: f.sku.value.trim(),
      harvested_at: iso(f.harvested_at.value), net_kg: num(f.net_kg.value), crates: num(f.crates.value),
      temperature_c: num(f.temperature_c.value), scanned_at: now(),
    };
  }
  async function recordIntake() {
    if (needToken() || !intake.reportValidity()) return;
    const code = intake.elements.batch_code.value.trim();
    const label = `${t("intake")} ${code}`;
    const answer = await command("/v1/batches", intakeBody(code), label);
    report(answer, label, (b) => {
      if (b.status !== "on_hold") return `${t("batch_in")} · ${t(`place_${b.status}`)}`;
      return `${t("on_hold")} (${(b.holds || []).map(holdText).join("; ")})`;
    });
    intake.elements.batch_code.value = "";
    intake.elements.net_kg.value = "";
    intake.elements.batch_code.focus();
  }
  intake.addEventListener("submit", (ev) => { ev.preventDefault(); recordIntake(); });

  // ---- grading ------------------------------------------------------------------------------
  const grading = $("#grading");
  onScan(grading.elements.batch_code, async (code) => {
    const answer = await get(`/v1/batches/${enc(code)}`);
    const b = answer.body || {};
    $("#grading-batch").textContent = answer.ok
      ? `${b.batch_code} · ${b.sku} · ${b.net_kg} kg · ${b.status}${(b.holds || []).length && b.status === "on_hold" ? ` — ${t("on_hold")}` : ""}`
      : problemText(answer);
    grading.elements.A.focus();
  });
  grading.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (needToken() || !grading.reportValidity()) return;
    const f = grading.elements;
    const code = f.batch_code.value.trim();
    const grades = {};
    for (const g of ["A", "B"]) if (f[g].value !== "") grades[g] = num(f[g].value);
    const body = { graded_at: now(), grades, reject_kg: num(f.reject_kg.value) };
    const label = `${t("grading")} ${code}`;
    const answer = await command(`/v1/batches/${enc(code)}/grading`, body, label);
    if (report(answer, label, (b) => `${t("graded")} · ${t("earned")} ¥${GX.yuan(b.earned_total_fen || 0)}`)) {
      grading.reset();
      $("#grading-batch").textContent = "";
    }
    f.batch_code.focus();
  });

  // ---- packing ------------------------------------------------------------------------------
  // A run's label sheet needs the token, which a plain link cannot send: fetch it, then show it
  // in the tab opened on the click (a tab opened after the wait would be blocked as a pop-up).
  async function openSheet(path) {
    const tab = window.open("", "_blank");
    const refused = (answer) => { if (tab) tab.close(); show("bad", `${t("refused")}: ${t("print_labels")} — ${problemText(answer)}`); };
    let response;
    try {
      response = await fetch(path, { headers: { Authorization: `Bearer ${creds.token}` } });
    } catch (_) {
      refused({ status: 0, body: { detail: t("network_error") } });
      return;
    }
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (_) { body = null; }
      refused({ status: response.status, body });
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    if (tab) tab.location.href = url; else location.assign(url);
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }
  const packing = $("#packing");
  packing.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (needToken() || !packing.reportValidity()) return;
    const f = packing.elements;
    const body = { site_id: creds.site, sku: f.sku.value.trim(), grade: f.grade.value.trim(),
      pack_kg: num(f.pack_kg.value), count: num(f.count.value), packed_at: now() };
    const label = `${t("packing")} ${body.sku} ${body.grade} ${body.count} × ${body.pack_kg} kg`;
    const answer = await command("/v1/packing-runs", body, label);
    const out = $("#packing-out");
    out.textContent = "";
    if (report(answer, label, (b) => `${t("packed")} ${(b.packs || b.pack_codes || []).length}`)) {
      const run = answer.body.run_id;
      const links = el("p");
      for (const kind of ["pdf", "svg"]) {
        const a = el("a", `${t("print_labels")} (${kind.toUpperCase()})`);
        a.href = `/v1/packing-runs/${enc(run)}/labels.${kind}`;
        a.target = "_blank";
        a.addEventListener("click", (ev) => { ev.preventDefault(); openSheet(a.getAttribute("href")); });
        links.append(a, " ");
      }
      out.append(links, el("p", (answer.body.packs || []).map((p) => p.pack_code || p).join(" ")));
    }
  });

  // ---- shipment -----------------------------------------------------------------------------
  const shipment = $("#shipment");
  let pickList = null;  // the codes reserved to the order, when it could be read
  const loaded = [];
  shipment.addEventListener("submit", (ev) => ev.preventDefault());
  function drawLoaded() {
    $("#loaded").replaceChildren(...loaded.map((c) => el("li", c)));
    $("#loaded-count").textContent = String(loaded.length);
  }
  onScan(shipment.elements.order_id, async (orderId) => {
    loaded.length = 0;
    drawLoaded();
    const answer = await get(`/v1/orders/${enc(orderId)}`);
    if (!answer.ok) { pickList = null; $("#pick").textContent = problemText(answer); return; }
    const lines = answer.body.lines || [];
    pickList = new Set(lines.flatMap((l) => l.reserved_pack_codes || []));
    $("#pick").textContent = `${t("pick_list")} (${answer.body.status}):\n` + lines.map(
      (l) => `${l.sku} ${l.grade} ${l.pack_kg} kg × ${l.packs}: ${(l.reserved_pack_codes || []).join(" ")}`).join("\n");
    shipment.elements.pack_code.focus();
  });
  onScan(shipment.elements.pack_code, (code) => {
    shipment.elements.pack_code.value = "";
    if (loaded.includes(code)) { show("wait", `${t("already_scanned")}: ${code}`); return; }
    if (pickList && !pickList.has(code)) { show("bad", `${t("not_on_pick_list")}: ${code}`); return; }
    loaded.push(code);
    drawLoaded();
    show("ok", `${t("on_pick_list")}: ${code}`);
  });
  $("#depart").addEventListener("click", async () => {
    if (needToken()) return;
    const orderId = shipment.elements.order_id.value.trim();
    if (!orderId || !loaded.length) { show("bad", t("scan_first")); return; }
    const body = { order_id: orderId, pack_codes: [...loaded], departed_at: now(),
      vehicle: shipment.elements.vehicle.value.trim() || undefined };
    const label = `${t("shipment")} (${loaded.length})`;
    const answer = await command("/v1/shipments", body, label);
    if (report(answer, label, (b) => `${t("departed")} ${b.shipment_id}`) || answer.queued) {
      loaded.length = 0;
      drawLoaded();
      $("#pick").textContent = "";
      shipment.elements.order_id.value = "";
    }
  });

  // ---- recalls: packs still in the cold store go into quarantine ---------------------------
  GX.recallScreen($("#recalls"), "quarantines", (code) => ({ site_id: creds.site, pack_code: code, quarantined_at: now() }));
})();
