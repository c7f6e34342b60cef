// The books of one accounting unit, for co-op staff and the unit's accountant: the trial
// balance of a period, the ledger of one account with its vouchers (each voucher with the event
// it came from), the forms the unit files (会农社01表, 02表), the input stock per site and lot at cost, the 农药统供率 and the year's
// distribution plan. Every amount is integer fen from the API, shown in yuan; names, not ids.
"use strict";
(() => {
  const { t, $, el, creds, show, problemText, get, file, send, command, once, iso, yuan, day } = GX;
  const enc = encodeURIComponent;
  const form = $("#period");
  const names = { unit: {}, member: {}, site: {}, sku: {} };
  let accounts = {};  // code → name, from the trial balance
  let sides = {};  // code → its normal side: a credit account's balance is shown as credit − debit
  let vouchers = [];  // the period's vouchers, for a ledger line's voucher

  const cell = (text, cls) => el("td", text, cls);
  const none = (cols) => { const tr = el("tr"); const td = cell(t("nothing")); td.colSpan = cols; tr.append(td); return tr; };
  const date = (at) => day(at).split(/[ ,]/)[0];
  // A sub-account in words: "member:f-zhang" → 张德明, "unit:tangchang" → 唐昌供销社.
  const subName = (sub) => {
    if (!sub) return "";
    const [kind, id] = [sub.slice(0, sub.indexOf(":")), sub.slice(sub.indexOf(":") + 1)];
    return (names[kind] && names[kind][id]) || id;
  };
  const unit = () => form.unit_id.value || creds.site;
  // The period's end (the forms are of its year), and the whole period.
  function asOf() {
    const query = new URLSearchParams();
    if (form.to.value) query.set("to", iso(`${form.to.value}T23:59:59.999`));
    return query;
  }
  function period() {
    const query = asOf();
    if (form.from.value) query.set("from", iso(`${form.from.value}T00:00`));
    return query;
  }
  // Names the caller may read: an accountant reads none of these lists and sees ids instead.
  async function loadNames() {
    const lists = [["/v1/units", "unit", "unit_id"], ["/v1/farmers", "member", "farmer_id"],
      ["/v1/sites", "site", "site_id"], ["/v1/products", "sku", "sku"]];
    await Promise.all(lists.map(async ([path, kind, key]) => {
      const answer = await get(path);
      if (answer.ok) (answer.body || []).forEach((row) => { names[kind][row[key]] = row.name || row[key]; });
    }));
    const units = Object.keys(names.unit).length ? Object.keys(names.unit) : [creds.site].filter(Boolean);
    const chosen = form.unit_id.value || creds.site || units[0];
    form.unit_id.replaceChildren(...units.map((id) => {
      const option = el("option", names.unit[id] || id);
      option.value = id;
      return option;
    }));
    if (chosen) form.unit_id.value = chosen;
  }

  async function trialBalance() {
    const answer = await get(`/v1/units/${enc(unit())}/trial-balance?${period()}`);
    if (!answer.ok) { show("bad", problemText(answer)); return false; }
    const tb = answer.body;
    accounts = Object.fromEntries(tb.accounts.map((a) => [a.account, a.name]));
    sides = Object.fromEntries(tb.accounts.map((a) => [a.account, a.side]));
    $("#trial-head").textContent = `${names.unit[tb.unit_id] || tb.unit_id} · ${form.from.value || "…"} — ${form.to.value || "…"}`;
    $("#trial-rows").replaceChildren(...(tb.accounts.length ? tb.accounts.map((a) => {
      const tr = el("tr");
      tr.dataset.account = a.account;
      const name = el("th");
      name.scope = "row";
      const link = el("a", `${a.account} ${a.name}`);
      link.href = "#ledger";
      link.addEventListener("click", () => { $("#account").value = a.account; ledger(); });
      name.append(link);
      tr.append(name, cell(yuan(a.opening_fen)), cell(yuan(a.debit_fen)), cell(yuan(a.credit_fen)), cell(yuan(a.closing_fen)));
      return tr;
    }) : [none(5)]));
    $("#trial-debit").textContent = yuan(tb.debit_fen);
    $("#trial-credit").textContent = yuan(tb.credit_fen);
    $("#trial-balanced").textContent = t(tb.balanced ? "books_balanced" : "books_unbalanced");
    $("#trial-balanced").className = tb.balanced ? "info" : "info minus";
    const kept = $("#account").value;
    $("#account").replaceChildren(...tb.accounts.map((a) => {
      const option = el("option", `${a.account} ${a.name}`);
      option.value = a.account;
      return option;
    }));
    if (kept && accounts[kept]) $("#account").value = kept;
    return true;
  }

  // Only the latest ledger asked for is shown: an earlier answer arriving late (the page's
  // first load, then a tap on an account) must not overwrite it.
  let ledgerAsked = 0;
  async function ledger() {
    const account = $("#account").value;
    const asked = ++ledgerAsked;
    $("#voucher").hidden = true;
    $("#ledger-rows").replaceChildren();
    if (!account) { $("#ledger-rows").replaceChildren(none(6)); return; }
    const answer = await get(`/v1/units/${enc(unit())}/ledger/${enc(account)}?${period()}`);
    if (asked !== ledgerAsked) return;
    if (!answer.ok) { show("bad", problemText(answer)); return; }
    const l = answer.body;
    // The API's running balance is debit − credit; shown on the account's side, as the trial balance.
    const sided = (fen) => yuan(sides[account] === "credit" ? -fen : fen);
    $("#ledger-head").textContent = `${account} ${accounts[account] || ""} · ${t("opening")} ${sided(l.opening_fen)} · ${t("closing")} ${sided(l.closing_fen)}`;
    $("#ledger-rows").replaceChildren(...(l.lines.length ? l.lines.map((line) => {
      const tr = el("tr");
      const number = el("td");
      const link = el("a", line.number);
      link.href = `#voucher-${line.number}`;
      link.dataset.voucher = line.number;
      link.addEventListener("click", (ev) => { ev.preventDefault(); voucher(line.number); });
      number.append(link);
      tr.append(cell(date(line.at)), number, cell([t(`voucher_${line.kind}`), subName(line.sub)].filter(Boolean).join(" · ")),
        cell(line.debit_fen ? yuan(line.debit_fen) : ""), cell(line.credit_fen ? yuan(line.credit_fen) : ""), cell(sided(line.balance_fen)));
      return tr;
    }) : [none(6)]));
  }

  // One voucher with its lines, and the event it was posted from (what the log recorded).
  async function voucher(number) {
    if (!vouchers.some((v) => v.number === number)) {
      const answer = await get(`/v1/units/${enc(unit())}/vouchers?month=${enc(number.slice(0, 7))}`);
      if (!answer.ok) { show("bad", problemText(answer)); return; }
      vouchers = vouchers.concat(answer.body || []);
    }
    const v = vouchers.find((x) => x.number === number && x.unit_id === unit());
    if (!v) return;
    const box = $("#voucher");
    box.dataset.number = v.number;
    $("#voucher-head").textContent = `${t("voucher")} ${v.number} · ${date(v.at)} · ${t(`voucher_${v.kind}`)}`;
    $("#voucher-lines").replaceChildren(...v.lines.map((line) => {
      const tr = el("tr");
      tr.append(cell(`${line.account} ${accounts[line.account] || ""}`), cell(subName(line.sub)),
        cell(line.debit_fen ? yuan(line.debit_fen) : ""), cell(line.credit_fen ? yuan(line.credit_fen) : ""));
      return tr;
    }));
    const event = $("#voucher-event");
    event.textContent = `${t("from_event")} #${v.event_id} (${v.ref})`;
    box.hidden = false;
    box.focus();
    const found = await get(`/v1/events?after=${v.event_id - 1}&limit=1`);
    const e = found.ok && (found.body || [])[0];
    if (e && e.notification_id === v.event_id) {
      event.textContent = `${t("from_event")} #${e.notification_id} ${e.event_type} · ${day(e.occurred_at)}`;
      event.dataset.event = e.event_type;
    }
  }

  // The forms as filed, of the "to" date's year: each line with its number (行次); totals bold.
  const TOTALS = new Set(["10", "15", "25", "28", "29", "36", "42", "43", "51", "54"]);
  async function statements() {
    const answer = await get(`/v1/units/${enc(unit())}/statements?${asOf()}`);
    if (!answer.ok) { $("#sheet-rows").replaceChildren(none(4)); $("#surplus-rows").replaceChildren(none(3)); return; }
    const f = answer.body.forms;
    // Each line drills down: the accounts it reads open their ledger.
    const row = (l, amounts, total) => {
      const tr = el("tr", null, total ? "total" : null);
      tr.dataset.line = l.line;
      const head = el("th", l.item);
      head.scope = "row";
      Object.keys(accounts).filter((code) => l.accounts.some((p) => code.startsWith(p))).forEach((code) => {
        const link = el("a", code, "ledger-link");
        link.href = "#ledger";
        link.title = `${code} ${accounts[code]}`;
        link.addEventListener("click", () => { $("#account").value = code; ledger(); });
        head.append(" ", link);
      });
      tr.append(cell(l.line), head, ...amounts.map((fen) => cell(yuan(fen))));
      return tr;
    };
    $("#forms-head").textContent = `${names.unit[answer.body.unit_id] || answer.body.unit_id} · ${f.year} · ${form.to.value || "…"}`;
    $("#sheet-rows").replaceChildren(...f.balance_sheet.map((l) => row(l, [l.opening_fen, l.closing_fen], TOTALS.has(String(l.line)))));
    $("#surplus-rows").replaceChildren(...f.surplus.map((l) => row(l, [l.amount_fen], /^[一二三四五六]、/.test(l.item))));
    const balanced = f.balanced && !f.unmapped.length;
    $("#forms-balanced").textContent = balanced ? t("forms_balanced")
      : [t("forms_unbalanced"), f.unmapped.length ? `${t("forms_unmapped")}: ${f.unmapped.join(", ")}` : ""].filter(Boolean).join(" — ");
    $("#forms-balanced").className = balanced ? "info" : "info minus";
  }
  const download = $("#forms-xlsx");
  download.addEventListener("click", async () => {
    if (download.disabled) return;
    download.disabled = true;  // one workbook per tap, however often it is tapped meanwhile
    try {
      const answer = await file(`/v1/units/${enc(unit())}/statements.xlsx?${asOf()}`);
      if (!answer.ok) { show("bad", problemText(answer)); return; }
      const link = el("a");
      link.href = URL.createObjectURL(answer.blob);
      link.download = `statements-${unit()}-${(form.to.value || "").slice(0, 4) || "year"}.xlsx`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    } finally {
      download.disabled = false;
    }
  });

  async function stock() {
    const answer = await get(`/v1/units/${enc(unit())}/input-stock`);
    if (!answer.ok) { $("#stock-rows").replaceChildren(none(6)); return; }
    const rows = answer.body || [];
    $("#stock-rows").replaceChildren(...(rows.length ? rows.map((r) => {
      const tr = el("tr");
      tr.append(cell(names.site[r.site_id] || r.site_id), cell(`${names.sku[r.sku] || r.sku} · ${r.lot}`),
        cell(r.on_hand), cell(yuan(r.on_hand_cost_fen)), cell(r.sold), cell(yuan(r.cogs_fen)));
      return tr;
    }) : [none(6)]));
    const share = await get(`/v1/reports/pesticide-supply?${period()}`);
    if (!share.ok) { $("#supply-head").textContent = "—"; $("#supply-rows").replaceChildren(none(4)); return; }
    const s = share.body;
    const percent = (rate) => (rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`);
    $("#supply-head").textContent = `${percent(s.rate)} (${s.supplied} / ${s.applications})`;
    $("#supply-rows").replaceChildren(...(s.areas.length ? s.areas.map((a) => {
      const tr = el("tr");
      tr.append(cell(a.area), cell(a.applications), cell(a.supplied), cell(percent(a.rate)));
      return tr;
    }) : [none(4)]));
  }

  // The plan of the period's year (the "to" date's, else this year): draft → approved → paid.
  async function plan() {
    const year = planYear();
    $("#plan-title").textContent = `${t("plan_of")} ${year}`;
    const answer = await get(`/v1/units/${enc(unit())}/distribution-plans/${year}`);
    const steps = [...document.querySelectorAll("#plan-steps li")];
    const reached = !answer.ok ? null : answer.body.settled ? "settled" : answer.body.approved_at ? "approved" : "draft";
    $("#plan-draft").hidden = !(reached === null || reached === "draft");
    $("#plan-approve").hidden = reached !== "draft";
    $("#plan-settle").hidden = reached !== "approved";
    if (reached === null || reached === "draft") await draftMembers(year, answer.ok ? answer.body : null);
    if (!answer.ok) {
      steps.forEach((li) => { li.classList.remove("on"); li.removeAttribute("aria-current"); });
      $("#plan-sums").replaceChildren(el("dt", t("no_plan")), el("dd", "—"));  // a <dl> pairs dt with dd
      $("#plan-rows").replaceChildren(none(7));
      return;
    }
    const p = answer.body;
    const order = ["draft", "approved", "settled"];
    steps.forEach((li) => {
      li.classList.toggle("on", order.indexOf(li.dataset.step) <= order.indexOf(reached));
      if (li.dataset.step === reached) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
    });
    $("#plan-sums").replaceChildren(...[...$("#plan-labels").content.querySelectorAll("[data-k]")].flatMap((label) => {
      const k = label.dataset.k;
      return [el("dt", label.textContent), el("dd", k.endsWith("_fen") ? yuan(p[k]) : `${(Number(p[k]) * 100).toFixed(0)}%`)];
    }));
    $("#plan-rows").replaceChildren(...(p.lines.length ? p.lines.map((line) => {
      const tr = el("tr");
      // the rest by capital, reserve share and subsidy (null on a plan drafted before they were kept)
      const part = (fen) => cell(fen === null || fen === undefined ? "—" : yuan(fen));
      tr.append(cell(names.member[line.member_id] || line.member_id), cell(yuan(line.trade_fen)),
        cell(yuan(line.patronage_fen)), part(line.by_capital_fen), part(line.by_reserve_fen),
        part(line.by_subsidy_fen), cell(yuan(line.total_fen)));
      return tr;
    }) : [none(7)]));
  }

  // Drafting: the year's member accounts (trade and capital, from the books) with each member's
  // quantified reserve share and subsidy to fill in; amounts typed in yuan, sent in fen.
  const planYear = () => (form.to.value || form.from.value || String(new Date().getFullYear())).slice(0, 4);
  const planPath = () => `/v1/units/${enc(unit())}/distribution-plans/${planYear()}`;
  const fen = (text) => {
    const m = /^\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(text || "0");
    return m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : NaN;
  };
  const yuanField = (name, fenValue) => {
    const input = el("input");
    input.name = name;
    input.inputMode = "decimal";
    input.value = (fenValue / 100).toFixed(2);
    return input;
  };
  async function draftMembers(year, drafted) {
    const answer = await get(`/v1/units/${enc(unit())}/member-accounts?year=${year}`);
    const members = answer.ok ? answer.body || [] : [];
    const given = (drafted && drafted.members) || {};
    const draft = $("#plan-draft");
    if (drafted) {
      draft.surplus.value = (drafted.surplus_fen / 100).toFixed(2);
      draft.losses.value = (drafted.losses_fen / 100).toFixed(2);
      draft.reserve.value = (drafted.reserve_fen / 100).toFixed(2);
      draft.share.value = String(Math.round(Number(drafted.patronage_share) * 100));
    }
    $("#draft-members").replaceChildren(...(members.length ? members.map((m) => {
      const tr = el("tr");
      tr.dataset.member = m.farmer_id;
      const earlier = given[m.farmer_id] || {};
      const reserve = earlier.reserve_share_fen !== undefined ? earlier.reserve_share_fen : m.reserve_share_fen || 0;
      const inputs = [yuanField("reserve_share", reserve), yuanField("subsidy", earlier.subsidy_fen || 0)];
      inputs.forEach((input, i) => input.setAttribute("aria-label", `${names.member[m.farmer_id] || m.farmer_id} ${t(i ? "subsidy" : "reserve_share")}`));
      tr.dataset.trade = m.trade_fen;
      tr.dataset.capital = m.capital_fen;
      tr.append(cell(names.member[m.farmer_id] || m.farmer_id), cell(yuan(m.trade_fen)), cell(yuan(m.capital_fen)),
        ...inputs.map((input) => { const td = el("td"); td.append(input); return td; }));
      return tr;
    }) : [none(5)]));
  }
  const draftForm = $("#plan-draft");
  const draftPlan = once(draftForm, async (key) => {
    const figures = { surplus_fen: fen(draftForm.surplus.value), losses_fen: fen(draftForm.losses.value),
      reserve_fen: fen(draftForm.reserve.value) };
    const members = {};
    for (const tr of $("#draft-members").querySelectorAll("tr[data-member]")) {
      members[tr.dataset.member] = { trade_fen: Number(tr.dataset.trade), capital_fen: Number(tr.dataset.capital),
        reserve_share_fen: fen(tr.querySelector("[name=reserve_share]").value), subsidy_fen: fen(tr.querySelector("[name=subsidy]").value) };
    }
    const bad = Object.values(figures).concat(Object.values(members).flatMap((m) => [m.reserve_share_fen, m.subsidy_fen])).some(Number.isNaN);
    if (bad) { show("bad", t("amount_in_yuan")); return; }
    const share = (Number(draftForm.share.value) / 100).toFixed(2);
    const answer = await send("PUT", planPath(), { ...figures, patronage_share: share, members }, key);
    if (!answer.ok) { show("bad", problemText(answer)); return; }
    show("ok", t("plan_drafted"));
    await plan();
  });
  draftForm.addEventListener("submit", (ev) => { ev.preventDefault(); draftPlan(); });
  const approveForm = $("#plan-approve");
  const approvePlan = once(approveForm, async (key) => {
    const answer = await command(`${planPath()}/approval`, { approved_at: GX.now(), meeting: approveForm.meeting.value }, t("plan_approved"), key);
    if (!answer.ok) { show("bad", problemText(answer)); return; }
    show("ok", t("plan_approved"));
    await plan();
  });
  approveForm.addEventListener("submit", (ev) => { ev.preventDefault(); approvePlan(); });
  const settleForm = $("#plan-settle");
  const settlePlan = once(settleForm, async (key) => {
    const answer = await command(`${planPath()}/settlement`, { how: settleForm.how.value, settled_at: GX.now() }, t("plan_settled"), key);
    if (!answer.ok) { show("bad", problemText(answer)); return; }
    show("ok", t("plan_settled"));
    await plan();
  });
  settleForm.addEventListener("submit", (ev) => { ev.preventDefault(); settlePlan(); });

  // The period opens as this year so far, as the device reads the date.
  function thisYear() {
    const today = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    if (!form.from.value) form.from.value = `${today.getFullYear()}-01-01`;
    if (!form.to.value) form.to.value = `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}`;
  }

  async function load() {
    if (!creds.token) return;
    thisYear();
    vouchers = [];
    if (!form.unit_id.options.length) await loadNames();
    if (!unit()) { show("bad", t("pick_unit")); return; }
    if (!(await trialBalance())) return;
    await Promise.all([ledger(), statements(), stock(), plan()]);
    show("ok", `${t("books_shown")}: ${names.unit[unit()] || unit()}`);
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  $("#account").addEventListener("change", ledger);
  document.addEventListener("gx:ready", () => { form.unit_id.replaceChildren(); load(); });
  document.addEventListener("DOMContentLoaded", load);
})();
