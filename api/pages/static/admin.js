// Co-op staff: holds to release or destroy, recalls with every pack's place, earnings statements.
"use strict";
(() => {
  const { t, $, el, show, problemText, holdText, get, command, onScan, iso, yuan, day } = GX;
  const enc = encodeURIComponent;

  // ---- holds --------------------------------------------------------------------------------
  const holds = $("#holds");
  holds.addEventListener("submit", (ev) => ev.preventDefault());
  const names = {};  // farmer and product ids → names, from the list of holds
  const place = (status) => t(`place_${status}`);
  async function showBatch(code) {
    holds.elements.batch_code.value = code;
    const answer = await get(`/v1/batches/${enc(code)}`);
    const b = answer.body || {};
    $("#hold-batch").textContent = answer.ok
      ? `${b.batch_code} · ${names[b.farmer_id] || b.farmer_id} · ${names[b.sku] || b.sku} · ${b.net_kg} kg · ${place(b.status)}\n${(b.holds || []).map(holdText).join("\n")}`
      : problemText(answer);
    holds.elements.reason.focus();
  }
  async function loadHeld() {
    const answer = await get("/v1/holds");
    const list = answer.ok ? (Array.isArray(answer.body) ? answer.body : answer.body.items || []) : [];
    $("#held").replaceChildren(...list.map((b) => {
      names[b.farmer_id] = b.farmer_name || b.farmer_id;
      names[b.sku] = b.product_name || b.sku;
      const li = el("li");
      const pick = el("button", `${b.batch_code} · ${names[b.farmer_id]} · ${names[b.sku]} · ${(b.holds || []).map(holdText).join("; ")}`);
      pick.type = "button";
      pick.addEventListener("click", () => showBatch(b.batch_code));
      li.append(pick);
      return li;
    }));
  }
  onScan(holds.elements.batch_code, showBatch);
  holds.querySelectorAll("[data-action]").forEach((button) => button.addEventListener("click", async () => {
    const code = holds.elements.batch_code.value.trim();
    const reason = holds.elements.reason.value.trim();
    if (!code) { show("bad", t("scan_first")); return; }
    if (!reason) { show("bad", t("reason_needed")); return; }
    const action = button.dataset.action;
    if (action === "destroy" && !confirm(t("confirm_destroy").replace("{batch_code}", code))) return;
    const label = `${t(action)} ${code}`;
    const answer = await command(`/v1/batches/${enc(code)}/${action}`, { reason }, label);
    if (answer.queued) show("wait", `${t("queued")}: ${label}`);
    else if (!answer.ok) show("bad", `${t("refused")}: ${label} — ${problemText(answer)}`);
    else { show("ok", `${label} — ${t(action === "release" ? "released" : "destroyed")} · ${place(answer.body.status)}`); holds.elements.reason.value = ""; showBatch(code); loadHeld(); }
  }));

  // ---- recall -------------------------------------------------------------------------------
  const recall = $("#recall");
  recall.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const lot = recall.elements.input_lot.value.trim();
    const batch = recall.elements.batch_code.value.trim();
    if (!lot && !batch) { show("bad", t("scan_first")); return; }
    const answer = await get(lot ? `/v1/recall?input_lot=${enc(lot)}` : `/v1/recall?batch_code=${enc(batch)}`);
    const out = $("#recall-out");
    if (!answer.ok) { show("bad", problemText(answer)); out.replaceChildren(); return; }
    const r = answer.body;
    const packs = r.packs || [];
    // An answer that reached no farmer and no batch is a code nobody recorded (often a typo):
    // said as unknown, never as a reassuring "0 packs".
    if (!(r.batches || []).length && !(r.farmers || []).length) {
      out.replaceChildren();
      show("bad", lot ? GX.filled("unknown_lot", { input_lot: lot }) : GX.filled("unknown_recall_batch", { batch_code: batch }));
      return;
    }
    const outlets = Object.fromEntries((r.outlets || []).map((o) => [o.site_id, o.name || o.site_id]));
    const table = el("table", null, "grid");
    const head = el("tr");
    head.append(...["col_pack", "col_batch", "col_place", "col_outlet"].map((k) => el("th", t(k))));
    table.append(head, ...packs.map((p) => {
      const tr = el("tr");
      tr.append(el("td", p.pack_code), el("td", (p.batch_codes || [p.batch_code]).filter(Boolean).join(" ")),
        el("td", place(p.place || p.status)), el("td", outlets[p.outlet_id] || ""));
      return tr;
    }));
    const farmers = Object.fromEntries((r.farmers || []).map((f) => [f.farmer_id, f.name || f.farmer_id]));
    const batches = (r.batches || []).map((b) => (typeof b === "string" ? b : `${b.batch_code} (${farmers[b.farmer_id] || ""})`));
    out.replaceChildren(el("p", `${t("batches_reached")}: ${batches.length} · ${batches.join(", ")}`),
      el("p", `${t("packs_reached")}: ${packs.length} — ` + Object.entries(r.packs_by_status || {})
        .map(([status, n]) => `${t(`place_${status}`)} ${n}`).join(" · ")), table);
    show("ok", `${t("packs_reached")}: ${packs.length}`);
  });

  // ---- earnings -----------------------------------------------------------------------------
  const earnings = $("#earnings");
  earnings.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = earnings.elements;
    const query = new URLSearchParams();
    // The days as the device reads them, whole: from the first day's start to the last one's end.
    if (f.from.value) query.set("from", iso(`${f.from.value}T00:00`));
    if (f.to.value) query.set("to", iso(`${f.to.value}T23:59:59.999`));
    const answer = await get(`/v1/farmers/${enc(f.farmer_id.value.trim())}/earnings?${query}`);
    if (!answer.ok) { show("bad", problemText(answer)); $("#statement").hidden = true; return; }
    const s = answer.body;
    $("#statement-head").textContent = `${s.farmer_name || s.farmer_id} · ${f.from.value || "…"} — ${f.to.value || "…"}`;
    const sums = [...$("#sum-labels").content.querySelectorAll("[data-k]")].flatMap((label) => {
      const k = label.dataset.k;
      const minus = k === "input_credit_fen" || k === "paid_fen" ? -1 : 1;  // taken off the balance
      return [el("dt", label.textContent), el("dd", k.endsWith("_fen") ? yuan(minus * (s[k] || 0)) : s[k])];
    });
    $("#statement-sums").replaceChildren(...sums);
    $("#statement-lines").replaceChildren(...(s.lines || []).map(statementLine));
    $("#statement").hidden = false;
    show("ok", `${s.farmer_name || s.farmer_id}: ${yuan(s.balance_fen || 0)}`);
  });
  // A line as the farmer reads it: the batch, the produce and grade by name, and what is taken
  // off (inputs on credit, payments already made) as a negative amount.
  function statementLine(line) {
    const tr = el("tr");
    const items = (line.items || []).map((i) => `${i.name} × ${i.quantity}`).join("、");
    const what = line.kind === "grading" ? `${line.product_name || line.sku} ${t("grade")} ${line.grade}`
      : [t(`kind_${line.kind}`), items].filter(Boolean).join("：");
    const sign = line.kind === "grading" ? 1 : -1;
    tr.append(el("td", day(line.at)), el("td", what), el("td", line.batch_code || ""),
      el("td", line.kg ?? ""), el("td", yuan(sign * line.amount_fen), sign < 0 ? "minus" : ""));
    return tr;
  }
  $("#print").addEventListener("click", () => window.print());

  document.addEventListener("DOMContentLoaded", loadHeld);
  document.addEventListener("gx:ready", loadHeld);
})();
