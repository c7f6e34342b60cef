// A member farmer's own account, on a phone: this season's deliveries with grade, price and
// what each earned, inputs on credit, payments and the balance, in yuan.
"use strict";
(() => {
  const { t, $, el, creds, show, problemText, get, iso, yuan, day } = GX;
  const enc = encodeURIComponent;
  const date = (at) => day(at).split(/[ ,]/)[0];
  // What an input sale on credit was: "复合肥 15-15-15 50kg × 2 · 唐昌农资经营网点".
  const bought = (l) => (l.items ? `${l.items.map((i) => `${i.name} × ${i.quantity}`).join("、")} · ${l.shop_name}` : "");
  const none = () => { const tr = el("tr"); tr.append(el("td", t("nothing"))); return tr; };

  async function load() {
    if (!creds.token || !creds.site) return;
    // The season is this calendar year, from its first day as the phone reads it.
    const from = iso(`${new Date().getFullYear()}-01-01T00:00`);
    const answer = await get(`/v1/farmers/${enc(creds.site)}/earnings?from=${enc(from)}`);
    if (!answer.ok) { show("bad", problemText(answer)); return; }
    const s = answer.body;
    $("#farmer-name").textContent = `${s.farmer_name || ""} · ${t("season")} ${new Date().getFullYear()}`;
    $("#balance").textContent = `¥${yuan(Math.abs(s.balance_fen))}`;
    $("#balance").className = `big-sum${s.balance_fen < 0 ? " minus" : ""}`;
    $("#balance-words").textContent = t(s.balance_fen < 0 ? "balance_owed_by_you" : "balance_owed_to_you");
    $("#sums").replaceChildren(...[...$("#sum-labels").content.querySelectorAll("[data-k]")].flatMap((label) => {
      const k = label.dataset.k;
      const minus = k === "input_credit_fen" || k === "paid_fen" ? -1 : 1;
      return [el("dt", label.textContent), el("dd", k.endsWith("_fen") ? yuan(minus * s[k]) : s[k], minus < 0 ? "minus" : "")];
    }));
    const lines = s.lines || [];
    const graded = lines.filter((l) => l.kind === "grading");
    $("#deliveries").replaceChildren(...(graded.length ? graded.map((l) => {
      const tr = el("tr");
      const when = el("td");
      when.append(el("span", date(l.at), "line"), el("span", l.batch_code || "", "line muted"));
      tr.append(when, el("td", `${l.product_name || ""} ${t("grade")} ${l.grade}`),
        el("td", l.kg), el("td", l.kg ? yuan(l.amount_fen / l.kg) : ""), el("td", yuan(l.amount_fen)));
      return tr;
    }) : [none()]));
    const money = lines.filter((l) => l.kind !== "grading");
    $("#money").replaceChildren(...(money.length ? money.map((l) => {
      const tr = el("tr");
      tr.append(el("td", date(l.at)), el("td", [t(`farmer_${l.kind}`), bought(l)].filter(Boolean).join("：")), el("td", yuan(-l.amount_fen), "minus"));
      return tr;
    }) : [none()]));
    show("ok", `${t("balance")}: ¥${yuan(s.balance_fen)}`);
    member();
  }
  // The member account in each co-op unit: capital, this year's trade, and the year's refund.
  async function member() {
    const answer = await get(`/v1/farmers/${enc(creds.site)}/member-account?year=${new Date().getFullYear()}`);
    const units = answer.ok ? answer.body.units : [];
    $("#member").replaceChildren(...(units.length ? units.map((u) => {
      const tr = el("tr");
      const refund = el("td");
      if (u.refund) refund.append(el("span", yuan(u.refund.total_fen), "line"), el("span", t(`refund_${u.refund.step}`), "line muted"));
      else refund.textContent = "—";
      tr.append(el("td", u.unit_name), el("td", yuan(u.capital_fen)), el("td", yuan(u.trade_fen)), refund);
      return tr;
    }) : [none()]));
  }
  $("#refresh").addEventListener("click", load);
  $("#print").addEventListener("click", () => window.print());
  document.addEventListener("gx:ready", load);
  document.addEventListener("DOMContentLoaded", load);
})();
