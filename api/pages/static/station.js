// The cold store's scan station: intake, grading, packing and shipment.
"use strict";
(() => {
  const { t, $, el, creds, show, verdict, once, names, problemText, holdText, get, file, command, onScan, iso, now, num } = GX;
  const enc = encodeURIComponent;

  // Says what happened to a command, in words and in its colour (stored green, held amber,
  // refused red); answers true when it was recorded.
  function report(answer, label, words) {
    const kind = verdict(answer);
    if (kind === "wait") { show(kind, `${t("queued")}: ${label}`); return false; }
    if (kind === "bad") { show(kind, `${t("refused")}: ${label} — ${problemText(answer)}`); return false; }
    show(kind, `${label} — ${words(answer.body || {})}`);
    return true;
  }
  const needToken = () => { if (creds.token) return false; show("bad", t("need_token")); $("#setup").open = true; return true; };

  // ---- picking a farmer or a product by what people know of them ---------------------------
  // The lists are read once the token is there and kept on the device for offline use; the
  // screen shows names (吡虫啉, never bichonglin) from the products list.
  const lists = { farmers: [], products: [], sites: [] };
  const listKey = (kind) => `gongxiao.station.${kind}`;
  for (const kind of Object.keys(lists)) {
    try { lists[kind] = JSON.parse(localStorage.getItem(listKey(kind)) || "[]"); } catch (_) { lists[kind] = []; }
  }
  const nameAll = () => { for (const p of lists.products) names[p.sku] = p.name; };
  nameAll();
  async function loadLists() {
    if (!creds.token) return;
    for (const kind of Object.keys(lists)) {
      const answer = await get(`/v1/${kind}`);
      if (!answer.ok || !Array.isArray(answer.body)) continue;
      lists[kind] = answer.body;
      localStorage.setItem(listKey(kind), JSON.stringify(answer.body));
    }
    nameAll();
    pickers.forEach((p) => p.refresh());
    document.body.dataset.lists = "read";
  }
  const KINDS = {
    farmers: { id: (f) => f.farmer_id, says: (f) => `${f.name}（${f.village}）`,
               words: (f) => [f.name, f.pinyin, f.initials, f.phone_tail, f.farmer_id],
               items: () => lists.farmers, none: "pick_farmer" },
    products: { id: (p) => p.sku, says: (p) => p.name, words: (p) => [p.name, p.sku],
                items: () => lists.products.filter((p) => p.kind === "produce"), none: "pick_product" },
  };
  const pickers = [];
  // A text field to type in (or scan a member card into), a hidden field holding the id, and
  // the matches to tap under it. Enter takes the only match; a scanned id takes its own.
  function picker(input) {
    const kind = KINDS[input.dataset.pick];
    const form = input.form;
    const hidden = form.elements[input.name === "farmer" ? "farmer_id" : "sku"];
    const box = el("ul", undefined, "picks");
    box.setAttribute("aria-label", input.closest("label").firstChild.textContent.trim());
    input.closest("label").after(box);
    const keepKey = `gongxiao.keep.${form.id}.${hidden.name}`;
    const byId = (id) => kind.items().find((x) => kind.id(x) === id);
    const matches = (typed) => {
      const q = typed.trim().toLowerCase();
      if (!q) return [];
      return kind.items().filter((x) => kind.words(x).some((w) => w && String(w).toLowerCase().includes(q)));
    };
    function choose(item) {
      hidden.value = item ? kind.id(item) : "";
      if (item) { input.value = kind.says(item); localStorage.setItem(keepKey, hidden.value); }
      input.setCustomValidity(item ? "" : t(kind.none));
      box.replaceChildren();
    }
    input.addEventListener("input", () => {
      hidden.value = "";
      input.setCustomValidity(t(kind.none));
      const found = matches(input.value);
      const exact = byId(input.value.trim());
      if (exact) { choose(exact); return; }
      box.replaceChildren(...found.slice(0, 8).map((x) => {
        const b = el("button", `${kind.says(x)}${x.phone_tail ? ` · ${t("phone_tail")} ${x.phone_tail}` : ""}`);
        b.type = "button";
        b.addEventListener("click", () => { choose(x); input.focus(); });
        const li = el("li");
        li.append(b);
        return li;
      }));
    });
    input.addEventListener("focus", () => input.select());
    // A member card (its farmer id) or Enter on one match. A scan that is no farmer's goes on
    // to the batch field: a label scanned while the focus was here is not lost.
    onScan(input, (code) => {
      const chosen = byId(hidden.value);
      if (chosen && kind.says(chosen) === code) return;  // Enter on the one already picked
      const found = byId(code) || (matches(code).length === 1 ? matches(code)[0] : null);
      if (found) { choose(found); return; }
      if (form.elements.batch_code && !matches(code).length) {
        choose(byId(localStorage.getItem(keepKey) || "") || null);
        if (!hidden.value) input.value = "";
        form.elements.batch_code.value = code;
        form.requestSubmit();
      }
    });
    const refresh = () => {
      const kept = byId(hidden.value || localStorage.getItem(keepKey) || "");
      if (kept) choose(kept); else input.setCustomValidity(hidden.value ? "" : t(kind.none));
    };
    refresh();
    pickers.push({ refresh });
  }
  document.querySelectorAll("[data-pick]").forEach(picker);
  let listsRead = loadLists();
  document.addEventListener("gx:ready", () => { listsRead = loadLists(); });

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
      batch_code: code, site_id: creds.site, farmer_id: f.farmer_id.value, sku: f.sku.value,
      harvested_at: iso(f.harvested_at.value), net_kg: num(f.net_kg.value), crates: num(f.crates.value),
      temperature_c: num(f.temperature_c.value), scanned_at: now(),
    };
  }
  const recordIntake = once(intake, async (key) => {
    if (needToken() || !intake.reportValidity()) return;
    const code = intake.elements.batch_code.value.trim();
    const label = `${t("intake")} ${code}`;
    const answer = await command("/v1/batches", intakeBody(code), label, key);
    report(answer, label, (b) => {
      if (b.status !== "on_hold") return `${t("batch_in")} · ${t(`place_${b.status}`)}`;
      return `${t("on_hold")} (${(b.holds || []).map(holdText).join("; ")})`;
    });
    intake.elements.batch_code.value = "";
    intake.elements.net_kg.value = "";
    intake.elements.batch_code.focus();
  });
  intake.addEventListener("submit", (ev) => { ev.preventDefault(); recordIntake(); });

  // ---- grading ------------------------------------------------------------------------------
  const grading = $("#grading");
  onScan(grading.elements.batch_code, async (code) => {
    // A new batch starts clean: no kg or answer of the batch before it.
    for (const name of ["A", "B", "reject_kg", "corrected_kg", "correction_reason"]) grading.elements[name].value = "";
    $("#grading-batch").textContent = "";
    $("#result").className = "result";
    $("#result").textContent = "";
    const answer = await get(`/v1/batches/${enc(code)}`);
    const b = answer.body || {};
    $("#grading-batch").textContent = answer.ok
      ? `${b.batch_code} · ${names[b.sku] || b.sku} · ${b.net_kg} ${t("kg")} · ${t(`place_${b.status}`)}${b.status === "on_hold" ? ` — ${(b.holds || []).map(holdText).join("; ")}` : ""}`
      : problemText(answer);
    grading.elements.A.focus();
  });
  const recordGrading = once(grading, async (key) => {
    if (needToken() || !grading.reportValidity()) return;
    const f = grading.elements;
    const code = f.batch_code.value.trim();
    const grades = {};
    for (const g of ["A", "B"]) if (f[g].value !== "") grades[g] = num(f[g].value);
    const body = { graded_at: now(), grades, reject_kg: num(f.reject_kg.value) };
    const label = `${t("grading")} ${code}`;
    const answer = await command(`/v1/batches/${enc(code)}/grading`, body, label, key);
    if (report(answer, label, (b) => `${t("graded")} · ${t("earned")} ¥${GX.yuan(b.earned_total_fen || 0)}`)) {
      grading.reset();
      $("#grading-batch").textContent = "";
    }
    f.batch_code.focus();
  });
  grading.addEventListener("submit", (ev) => { ev.preventDefault(); recordGrading(); });
  // A wrong intake weight is corrected with the reason (a new event; the intake stays); grading
  // then weighs against the corrected kg.
  const correct = once($("#correction"), async (key) => {
    if (needToken()) return;
    const f = grading.elements;
    const code = f.batch_code.value.trim();
    const body = { net_kg: num(f.corrected_kg.value), reason: f.correction_reason.value.trim() };
    if (!code) { show("bad", t("scan_first")); return; }
    if (!body.net_kg || !body.reason) { show("bad", t("correction_needs")); return; }
    const label = `${t("correction")} ${code}`;
    const answer = await command(`/v1/batches/${enc(code)}/correction`, body, label, key);
    if (report(answer, label, (b) => `${t("corrected")} ${b.net_kg} ${t("kg")}`)) {
      f.corrected_kg.value = "";
      f.correction_reason.value = "";
      $("#correct-intake").open = false;
      const again = await get(`/v1/batches/${enc(code)}`);
      if (again.ok) $("#grading-batch").textContent = `${code} · ${names[again.body.sku] || again.body.sku} · ${again.body.net_kg} ${t("kg")} · ${t(`place_${again.body.status}`)}`;
      f.A.focus();
    }
  });
  $("#correct").addEventListener("click", () => correct());

  // ---- packing ------------------------------------------------------------------------------
  // A run's label sheet needs the token, which a plain link cannot send: fetch it, then show it
  // in the tab opened on the click (a tab opened after the wait would be blocked as a pop-up).
  async function openSheet(path) {
    const tab = window.open("", "_blank");
    const answer = await file(path);
    if (!answer.ok) {
      if (tab) tab.close();
      show("bad", `${t("refused")}: ${t("print_labels")} — ${problemText(answer)}`);
      return;
    }
    const url = URL.createObjectURL(answer.blob);
    if (tab) tab.location.href = url; else location.assign(url);
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }
  const packing = $("#packing");
  const recordPacking = once(packing, async (key) => {
    if (needToken() || !packing.reportValidity()) return;
    const f = packing.elements;
    const body = { site_id: creds.site, sku: f.sku.value.trim(), grade: f.grade.value.trim(),
      pack_kg: num(f.pack_kg.value), count: num(f.count.value), packed_at: now() };
    const label = `${t("packing")} ${f.product.value} ${t("grade")} ${body.grade} ${body.count} × ${body.pack_kg} ${t("kg")}`;
    const answer = await command("/v1/packing-runs", body, label, key);
    const out = $("#packing-out");
    out.textContent = "";
    if (report(answer, label, (b) => `${t("packed")} ${(b.packs || b.pack_codes || []).length}`)) {
      const run = answer.body.run_id;
      out.append(sheetLinks(run), el("p", (answer.body.packs || answer.body.pack_codes || []).map((p) => p.pack_code || p).join(" ")));
      rememberRun({ run_id: run, label, at: Date.now() });
    }
  });
  function sheetLinks(run) {
    const links = el("p");
    for (const kind of ["pdf", "svg"]) {
      const a = el("a", `${t("print_labels")} (${kind.toUpperCase()})`);
      a.href = `/v1/packing-runs/${enc(run)}/labels.${kind}`;
      a.target = "_blank";
      a.addEventListener("click", (ev) => { ev.preventDefault(); openSheet(a.getAttribute("href")); });
      links.append(a, " ");
    }
    return links;
  }
  // The runs packed on this device, newest first, each with its sheets to print again (a label
  // torn or smudged, a printer out of paper).
  const runsKey = "gongxiao.station.runs";
  const runs = () => { try { return JSON.parse(localStorage.getItem(runsKey) || "[]"); } catch (_) { return []; } };
  function rememberRun(run) {
    localStorage.setItem(runsKey, JSON.stringify([run, ...runs().filter((r) => r.run_id !== run.run_id)].slice(0, 10)));
    drawRuns();
  }
  function drawRuns() {
    $("#runs").replaceChildren(...runs().map((r) => {
      const li = el("li", `${new Date(r.at).toLocaleString()} · ${r.label} `);
      li.append(sheetLinks(r.run_id));
      return li;
    }));
  }
  drawRuns();
  packing.addEventListener("submit", (ev) => { ev.preventDefault(); recordPacking(); });

  // ---- shipment -----------------------------------------------------------------------------
  // The open orders whose packs are at this cold store, to pick from; the chosen order's pick
  // list, the packs scanned onto the truck (each can be taken off again before it departs), and
  // a warning before a load that is not the whole pick list departs.
  const shipment = $("#shipment");
  let order = null;  // the chosen order, when it could be read
  const loaded = [];
  shipment.addEventListener("submit", (ev) => ev.preventDefault());
  const lineText = (l) => `${names[l.sku] || l.sku} ${t("grade")} ${l.grade} ${l.pack_kg} ${t("kg")} × ${l.packs}`;
  const picked = () => (order ? order.codes.size : 0);
  function drawLoaded() {
    $("#loaded").replaceChildren(...loaded.map((c) => {
      const li = el("li", `${c} `);
      const off = el("button", t("take_off"));
      off.type = "button";
      off.setAttribute("aria-label", `${t("take_off")} ${c}`);
      off.addEventListener("click", () => {
        loaded.splice(loaded.indexOf(c), 1);
        drawLoaded();
        show("ok", `${t("taken_off")}: ${c}`);
        shipment.elements.pack_code.focus();
      });
      li.append(off);
      return li;
    }));
    $("#progress").textContent = order ? filledText("picked_of", { x: loaded.length, y: picked() }) : `${t("scanned")}: ${loaded.length}`;
  }
  const filledText = (key, values) => t(key).replace(/\{(\w+)\}/g, (_, k) => String(values[k]));
  async function loadOpenOrders() {
    if (!creds.token) return;
    await listsRead;  // outlets and products by name
    const answer = await get("/v1/orders");
    if (!answer.ok) { $("#open-orders").replaceChildren(el("li", problemText(answer))); return; }
    const open = (answer.body || []).filter((o) => o.status === "placed" || o.status === "partially_shipped");
    const mine = [];
    for (const o of open) {  // an order is this store's when its pick list is readable here
      const full = await get(`/v1/orders/${enc(o.order_id)}`);
      if (full.ok) mine.push(full.body);
    }
    $("#open-orders").replaceChildren(...(mine.length ? mine.map((o) => {
      const left = (o.pick_list || []).length;
      const ordered = (o.lines || []).reduce((n, l) => n + l.packs, 0);
      const b = el("button", `${o.order_code} · ${outletName(o.outlet_id)} · ${(o.lines || []).map(lineText).join("; ")} · ${filledText("to_pick", { x: left, y: ordered })}`);
      b.type = "button";
      b.addEventListener("click", () => { shipment.elements.order_id.value = o.order_code; chooseOrder(o.order_code); });
      const li = el("li");
      li.append(b);
      return li;
    }) : [el("li", t("no_open_orders"))]));
  }
  const outletName = (id) => (lists.sites.find((x) => x.site_id === id) || {}).name || id;
  $("#refresh-orders").addEventListener("click", loadOpenOrders);
  document.addEventListener("gx:ready", loadOpenOrders);
  window.addEventListener("hashchange", () => { if (location.hash === "#shipment") loadOpenOrders(); });
  if (location.hash === "#shipment") loadOpenOrders();
  async function chooseOrder(given) {
    loaded.length = 0;
    order = null;
    drawLoaded();
    const answer = await get(`/v1/orders/${enc(given)}`);
    if (!answer.ok) { $("#pick").textContent = problemText(answer); show("bad", problemText(answer)); return; }
    const lines = answer.body.lines || [];
    order = { id: answer.body.order_id, code: answer.body.order_code, codes: new Set(answer.body.pick_list || []) };
    shipment.elements.order_id.value = order.code;
    $("#pick").textContent = `${t("pick_list")} ${order.code} (${t(`status_${answer.body.status}`)}):\n` + lines.map(
      (l) => `${lineText(l)}: ${(l.reserved_pack_codes || []).filter((c) => order.codes.has(c)).join(" ")}`).join("\n");
    drawLoaded();
    shipment.elements.pack_code.focus();
  }
  onScan(shipment.elements.order_id, chooseOrder);
  onScan(shipment.elements.pack_code, (code) => {
    shipment.elements.pack_code.value = "";
    if (loaded.includes(code)) { show("hold", `${t("already_scanned")}: ${code}`); return; }
    if (order && !order.codes.has(code)) { show("bad", `${t("not_on_pick_list")}: ${code}`); return; }
    loaded.push(code);
    drawLoaded();
    show("ok", `${t("on_pick_list")}: ${code}`);
  });
  const depart = once(shipment, async (key) => {
    if (needToken()) return;
    if (!order || !loaded.length) { show("bad", t("scan_first")); return; }
    if (loaded.length < picked() && !confirm(filledText("partial_load", { x: loaded.length, y: picked() }))) return;
    const body = { order_id: order.id, pack_codes: [...loaded], departed_at: now(),
      vehicle: shipment.elements.vehicle.value.trim() || undefined };
    const label = `${t("shipment")} ${order.code} (${loaded.length})`;
    const answer = await command("/v1/shipments", body, label, key);
    if (report(answer, label, () => t("departed")) || answer.queued) {
      loaded.length = 0;
      order = null;
      drawLoaded();
      $("#pick").textContent = "";
      shipment.elements.order_id.value = "";
      loadOpenOrders();
    }
  });
  $("#depart").addEventListener("click", () => depart());

  // ---- recalls: packs still in the cold store go into quarantine ---------------------------
  GX.recallScreen($("#recalls"), "quarantines", (code) => ({ site_id: creds.site, pack_code: code, quarantined_at: now() }));
})();
