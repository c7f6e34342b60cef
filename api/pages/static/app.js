// What every screen shares: its words, the token, calls to the API, and the offline outbox.
// A POST carries an Idempotency-Key made when the scan is made; when the network is down the
// call waits in IndexedDB and is sent again with the same key, so the server records it once.
"use strict";
const GX = (() => {
  const words = JSON.parse(document.getElementById("i18n").textContent);
  const t = (key) => words[key] || key;
  const role = document.body.dataset.role;
  const $ = (sel, root = document) => root.querySelector(sel);
  const el = (tag, text, cls) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  };

  // ---- token and site, per role --------------------------------------------------------
  // The token lives in this tab's sessionStorage: gone when the tab closes, never read by
  // another tab or left on a shared device; the site, not a secret, is remembered on it.
  const tokenKey = `gongxiao.${role}.token`, siteKey = `gongxiao.${role}.site`;
  const creds = { get token() { return sessionStorage.getItem(tokenKey) || ""; },
                  get site() { return localStorage.getItem(siteKey) || ""; } };
  function setupForm() {
    const form = $("#token-form");
    form.token.value = creds.token;
    form.site.value = creds.site;
    $("#who").textContent = creds.site ? `· ${creds.site}` : "";
    if (!creds.token) $("#setup").open = true;
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      sessionStorage.setItem(tokenKey, form.token.value.trim());
      localStorage.setItem(siteKey, form.site.value.trim());
      $("#who").textContent = creds.site ? `· ${creds.site}` : "";
      $("#setup").open = false;
      show("ok", t("token_saved"));
      document.dispatchEvent(new Event("gx:ready"));
      flush();
    });
  }

  // ---- showing results ---------------------------------------------------------------------
  // kind: ok (stored, green), hold (stored but held, amber), bad (refused, red), wait (kept
  // offline, blue). Each has its own short sound, and every line stays in the log of this
  // device (localStorage) across reloads.
  const logKey = `gongxiao.${role}.log`;
  function show(kind, text) {
    const box = $("#result");
    box.className = `result ${kind}`;
    box.textContent = text;
    beep(kind);
    const kept = readLog();
    kept.unshift({ at: Date.now(), kind, text });
    localStorage.setItem(logKey, JSON.stringify(kept.slice(0, 30)));
    drawLog();
  }
  function readLog() {
    try { return JSON.parse(localStorage.getItem(logKey) || "[]"); } catch (_) { return []; }
  }
  function drawLog() {
    $("#log").replaceChildren(...readLog().map((line) =>
      el("li", `${new Date(line.at).toLocaleTimeString()} ${line.text}`, line.kind)));
  }
  const TONES = { ok: [[880, 0.12]], hold: [[520, 0.15], [520, 0.15]], bad: [[220, 0.45]], wait: [[660, 0.08]] };
  let audio = null;
  function beep(kind) {
    document.body.dataset.sound = kind;  // which sound played, for people and tests alike
    try {
      audio = audio || new AudioContext();
      let at = audio.currentTime;
      for (const [hz, seconds] of TONES[kind] || []) {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = hz;
        gain.gain.value = 0.2;
        osc.connect(gain).connect(audio.destination);
        osc.start(at);
        osc.stop(at + seconds);
        at += seconds + 0.08;
      }
    } catch (_) { /* no sound on this device: the colour still says it */ }
  }
  // An answer in one of show()'s kinds: a stored intake that went on hold is amber, not green.
  function verdict(answer) {
    if (answer.queued) return "wait";
    if (!answer.ok) return "bad";
    return answer.body && answer.body.status === "on_hold" ? "hold" : "ok";
  }
  // The words of a refusal: the screen's own message for the problem's type (the slug that ends
  // `type`) with the problem's members in it, and its holds; for a type the screen does not
  // know, the API's detail and each field's message.
  function problemText(answer) {
    const body = answer.body || {};
    const slug = String(body.type || "").split("/").pop();
    const members = { ...body, fields: (body.errors || []).map((e) => e.field) };
    const said = slug && filled(`problem.${slug}`, members);
    if (said) return [said, ...(body.holds || []).map(holdText)].join(" — ");
    // The API's own detail is English and for developers: a screen in another language says
    // only that it was refused, and keeps the detail for the console.
    if (document.documentElement.lang !== "en") {
      console.warn(answer.status, body);
      return filled("problem._other", { status: answer.status || "—" });
    }
    const fields = (body.errors || []).map((e) => `${e.field}: ${e.message}`);
    return [body.detail || body.title || `HTTP ${answer.status}`, ...fields].join(" — ");
  }
  // The first form of a message (`key`, `key.more`…) whose every {member} the values hold.
  function filled(key, values) {
    for (const form of Object.keys(words).filter((k) => k === key || k.startsWith(`${key}.`))) {
      let complete = true;
      const text = words[form].replace(/\{(\w+)\}/g, (_, name) => {
        const value = values[name];
        if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) {
          complete = false;
          return "";
        }
        return Array.isArray(value) ? value.join("、") : String(value);
      });
      if (complete) return text;
    }
    return null;
  }
  // A hold in words: its reason, the pesticide (by its name, when the screen has read the
  // products into names) and the date its (English) detail names.
  const names = {};
  function holdText(hold) {
    const detail = String(hold.detail || "");
    const date = (detail.match(/\d{4}-\d{2}-\d{2}/g) || []).pop();
    const sku = detail.split(" ")[0];
    return filled(`hold.${hold.reason}`, { date, input: names[sku] || sku }) || detail;
  }

  // ---- calling the API --------------------------------------------------------------------
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  async function send(method, path, body, key) {
    const headers = { Accept: "application/json" };
    if (creds.token) headers.Authorization = `Bearer ${creds.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (key) headers["Idempotency-Key"] = key;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch (_) { parsed = { detail: text }; }
    return { ok: response.ok, status: response.status, body: parsed };
  }
  // A form whose submit is one user action (see once()).
  function oneAction(form, sendWith) {
    const act = once(form, sendWith);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); act(); });
  }
  async function get(path) {
    try { return await send("GET", path); } catch (_) { return { ok: false, status: 0, body: { detail: t("network_error") } }; }
  }
  // A file the token opens (a label sheet, a workbook): a plain link cannot send the token.
  // Answers {ok, blob} or the problem as get() does.
  async function file(path) {
    let response;
    try {
      response = await fetch(path, { headers: { Authorization: `Bearer ${creds.token}` } });
    } catch (_) {
      return { ok: false, status: 0, body: { detail: t("network_error") } };
    }
    if (response.ok) return { ok: true, status: response.status, blob: await response.blob() };
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    return { ok: false, status: response.status, body };
  }
  // A command (POST). Answers the server's answer, or {queued: true} when kept offline. The key
  // is the user action's (see once()); a command of its own gets a new one.
  async function command(path, body, label, key = uuid()) {
    const item = { key, method: "POST", path, body, label, role, queued_at: Date.now() };
    if (!navigator.onLine) return queue(item);
    try {
      return await send(item.method, path, body, item.key);
    } catch (_) {
      return queue(item);  // the request may or may not have arrived: the key settles it
    }
  }

  // One user action is one Idempotency-Key: made when the form is filled, kept for every send
  // of it until its answer, so a double tap, a retry or an Enter held down records once. The
  // buttons are busy (disabled, aria-busy) while it sends; a tap meanwhile does nothing, and a
  // second tap of a double tap that lands just after a quick answer gets that answer again.
  // Typing or scanning into the form makes the next send a new action.
  const SETTLE_MS = 1500;
  function once(form, work) {
    const buttons = () => [...form.querySelectorAll("button")];
    form.addEventListener("input", () => { if (!form.dataset.busy) delete form.dataset.key; });
    return async (...args) => {
      if (form.dataset.busy) return undefined;
      const key = form.dataset.key || uuid();
      form.dataset.key = key;
      form.dataset.busy = "1";
      buttons().forEach((b) => { b.disabled = true; b.setAttribute("aria-busy", "true"); });
      try {
        return await work(key, ...args);
      } finally {
        delete form.dataset.busy;
        buttons().forEach((b) => { b.disabled = false; b.removeAttribute("aria-busy"); });
        setTimeout(() => { if (form.dataset.key === key && !form.dataset.busy) delete form.dataset.key; }, SETTLE_MS);
      }
    };
  }

  // ---- the outbox (IndexedDB) -------------------------------------------------------------
  let dbPromise = null;
  function db() {
    dbPromise = dbPromise || new Promise((resolve, reject) => {
      const open = indexedDB.open("gongxiao", 1);
      open.onupgradeneeded = () => open.result.createObjectStore("outbox", { keyPath: "key" });
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    return dbPromise;
  }
  async function tx(mode, work) {
    const database = await db();
    return new Promise((resolve, reject) => {
      const transaction = database.transaction("outbox", mode);
      const result = work(transaction.objectStore("outbox"));
      transaction.oncomplete = () => resolve(result.result === undefined ? result : result.result);
      transaction.onerror = () => reject(transaction.error);
    });
  }
  const pending = async () => ((await tx("readonly", (s) => s.getAll())) || [])
    .filter((i) => i.role === role).sort((a, b) => a.queued_at - b.queued_at);
  async function queue(item) {
    await tx("readwrite", (s) => s.put(item));
    await outboxBadge();
    return { queued: true, key: item.key };
  }
  async function outboxBadge() {
    const n = (await pending()).length;
    const badge = $("#outbox");
    badge.hidden = n === 0;
    badge.textContent = `${t("queue_count")}: ${n}`;
  }
  let flushing = false;
  async function flush() {
    // Scans kept from an earlier tab wait for this tab's token: sent without one they would
    // be refused (401) and lost.
    if (flushing || !navigator.onLine || !creds.token) return;
    flushing = true;
    try {
      const run = async () => {
        for (const item of await pending()) {
          let answer;
          try { answer = await send(item.method, item.path, item.body, item.key); } catch (_) { return; }
          if (answer.status >= 500 || answer.status === 429) return;  // the server is not ready: later
          if (answer.status === 401) { $("#setup").open = true; return; }  // kept for a valid token
          await tx("readwrite", (s) => s.delete(item.key));
          await outboxBadge();
          // Each answer as what it was: stored, stored but held, or refused.
          const kind = verdict(answer);
          if (kind === "bad") show(kind, `${t("refused")}: ${item.label} — ${problemText(answer)}`);
          else if (kind === "hold") show(kind, `${t("synced")}: ${item.label} — ${t("on_hold")} (${(answer.body.holds || []).map(holdText).join("; ")})`);
          else show(kind, `${t("synced")}: ${item.label}`);
          document.dispatchEvent(new CustomEvent("gx:synced", { detail: { item, answer } }));
        }
      };
      // One tab at a time sends the outbox; the key would make a double send harmless anyway.
      if (navigator.locks) await navigator.locks.request("gongxiao-outbox", run); else await run();
    } finally {
      flushing = false;
    }
  }
  function netBadge() {
    const badge = $("#net");
    badge.textContent = navigator.onLine ? t("online") : t("offline");
    badge.classList.toggle("off", !navigator.onLine);
  }

  // ---- tabs and scanner fields ------------------------------------------------------------
  let pick = () => {};
  // Open a tab now (not at the later hashchange), so a field on it can take focus at once.
  function go(id) {
    history.pushState(null, "", `#${id}`);
    pick();
  }
  function tabs() {
    const screens = [...document.querySelectorAll("[data-tab]")];
    if (!screens.length) return;
    pick = () => {
      const id = location.hash.slice(1) || screens[0].id;
      screens.forEach((s) => { s.hidden = s.id !== id; });
      document.querySelectorAll(".tabs a").forEach((a) => a.classList.toggle("on", a.hash === `#${id}`));
      // Focus the screen's first scanner field, unless the screen already took focus (the
      // outlet's "received?" button focuses the pack field before this hashchange arrives).
      const screen = $(`#${id}`);
      const first = $(`#${id} .scan input`);
      if (first && !(screen && screen.contains(document.activeElement))) first.focus();
    };
    window.addEventListener("hashchange", pick);
    pick();
  }
  // Fields marked data-keep remember their last value: the same farmer, product or vehicle
  // is scanned many times in a row.
  function keep(form) {
    form.querySelectorAll("[data-keep]").forEach((input) => {
      const name = `gongxiao.keep.${form.id}.${input.name}`;
      if (localStorage.getItem(name)) input.value = localStorage.getItem(name);
      input.addEventListener("change", () => localStorage.setItem(name, input.value));
    });
  }
  // A handheld scanner types the code and Enter.
  const scanHandlers = new Map();
  function onScan(input, handler) {
    scanHandlers.set(input, handler);
    input.addEventListener("keydown", (ev) => {
      if (ev.key !== "Enter") return;
      ev.preventDefault();
      const code = input.value.trim();
      if (code) handler(code);
      stale.set(input, input.value);
    });
  }
  // It types faster than any hand: such a burst ending in Enter is a scan wherever it was typed.
  // It replaces the scan field's value (never appends to what a stopped scan left there), and
  // one typed while the focus is elsewhere (the field the browser's form check focused, the
  // token's Save button) is taken back out of there and goes to the screen's scan field. A busy
  // moment may split a burst in two: one pause inside a code is allowed.
  const SCAN_GAP_MS = 60, PAUSE_MS = 400, SCAN_MIN = 4;
  let keys = [];  // the keys typed lately at one target: {ch, gap, before, target, at}
  let lastScanField = null;
  // What a field held before the scan being typed into it: a scan replaces it. Kept at focus
  // and after each scan.
  const stale = new WeakMap();
  const visible = (node) => node && !node.closest("[hidden]") && node.getClientRects().length > 0;
  function scanField(target) {
    if (target instanceof HTMLInputElement && (target.closest(".scan") || scanHandlers.has(target))) return target;
    if (visible(lastScanField)) return lastScanField;
    return [...document.querySelectorAll(".scan input")].find(visible) || null;
  }
  // The code a scanner typed: the keys back from the Enter while they come fast, across a
  // pause (a busy moment) between two fast keys; most gaps fast. A hand's keys are not.
  function scanned(enterGap) {
    if (!keys.length || enterGap > PAUSE_MS) return null;
    let i = keys.length - 1;
    while (i > 0) {
      const gap = keys[i].gap;
      if (gap <= SCAN_GAP_MS || (gap <= PAUSE_MS && keys[i - 1].gap <= SCAN_GAP_MS)) i -= 1;
      else break;
    }
    const run = keys.slice(i);
    const fast = run.filter((k, j) => j > 0 && k.gap <= SCAN_GAP_MS).length;
    if (run.length < SCAN_MIN || fast < (run.length - 1) / 2) return null;
    return { code: run.map((k) => k.ch).join(""), first: run[0] };
  }
  function scanner() {
    document.addEventListener("focusin", (ev) => {
      if (!(ev.target instanceof HTMLInputElement)) return;
      if (ev.target.closest(".scan")) lastScanField = ev.target;
      stale.set(ev.target, ev.target.value);
    });
    document.addEventListener("keydown", (ev) => {
      const at = ev.timeStamp;
      const last = keys[keys.length - 1];
      const gap = last && last.target === ev.target ? at - last.at : Infinity;
      if (ev.key !== "Enter") {
        if (ev.key.length !== 1 || ev.ctrlKey || ev.metaKey || ev.altKey || gap > 1000) keys = [];
        if (ev.key.length !== 1 || ev.ctrlKey || ev.metaKey || ev.altKey) return;
        const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLTextAreaElement;
        keys.push({ ch: ev.key, gap, at, target: ev.target, before: typing ? ev.target.value : null });
        return;
      }
      const found = scanned(gap);
      keys = [];
      if (!found) return;
      const target = found.first.target;
      const field = scanField(target);
      if (!field) return;
      ev.preventDefault();
      ev.stopImmediatePropagation();
      let code = found.code;
      if (target !== field && found.first.before !== null) target.value = found.first.before;
      if (target === field) {
        const before = stale.get(field) || "";
        code = field.value.startsWith(before) && field.value.length > before.length
          ? field.value.slice(before.length) : field.value;
      }
      code = code.trim();
      if (field.value !== code) {
        field.value = code;
        field.dispatchEvent(new Event("input", { bubbles: true }));  // as if typed: a new action
      }
      field.focus();
      const handler = scanHandlers.get(field);
      if (handler) handler(code);
      else if (field.form) field.form.requestSubmit();
      stale.set(field, field.value);  // now, before the next scan's keys can arrive
    }, true);
  }
  const iso = (value) => (value ? new Date(value).toISOString() : undefined);
  const now = () => new Date().toISOString();
  const num = (value) => (value === "" || value === undefined ? undefined : Number(value));
  const yuan = (fen) => (fen / 100).toFixed(2);
  const day = (value) => (value ? new Date(value).toLocaleString() : "");

  // The screen opens again with no network: the service worker keeps the page, its scripts and
  // its style once it runs (body[data-offline=ready] then).
  function offlineCopy() {
    if (!("serviceWorker" in navigator)) return;
    const parts = [...document.querySelectorAll("script[src], link[rel=stylesheet]")]
      .map((n) => n.getAttribute("src") || n.getAttribute("href"));
    navigator.serviceWorker.addEventListener("message", (ev) => {
      if (ev.data && ev.data.kept) document.body.dataset.offline = "ready";
    });
    navigator.serviceWorker.register("/sw.js")
      .then(() => navigator.serviceWorker.ready)
      .then((reg) => reg.active.postMessage({ keep: [location.pathname + location.search, ...parts] }))
      .catch(() => undefined);
  }

  // ---- recalls: the open ones at this place, and a scan for each pack on its list -----------
  // The outlet pulls packs off its shelf, the cold store quarantines them (``action``: "pulls"
  // or "quarantines"); ``body(code)`` is what the scan sends.
  function recallScreen(form, action, body) {
    let recalls = [];
    const list = $(".recall-list", form);
    async function load() {
      if (!creds.token || !creds.site) return;
      const answer = await get(`/v1/recalls?place=${encodeURIComponent(creds.site)}`);
      if (!answer.ok) { show("bad", problemText(answer)); return; }
      recalls = answer.body || [];
      if (!recalls.length) { list.replaceChildren(el("p", t("nothing"), "muted")); return; }
      list.replaceChildren(...recalls.map((r) => {
        const box = el("section", null, r.drill ? "recall drill" : "recall");
        box.dataset.recall = r.recall_id;
        const head = `${r.drill ? `${t("drill")} · ` : ""}${t("recall_level")} ${r.level} · ${r.reason}`;
        const codes = el("ol", null, "codes");
        codes.append(...r.to_pull.map((p) => el("li", `${p.pack_code} · ${p.sku} ${p.grade}`)));
        box.append(el("h3", head), el("p", `${t("to_pull")}: ${r.outstanding} / ${r.affected}`), codes);
        return box;
      }));
    }
    onScan(form.elements.pack_code, async (code) => {
      form.elements.pack_code.value = "";
      const recall = recalls.find((r) => r.to_pull.some((p) => p.pack_code === code));
      if (!recall) { show("bad", `${t("not_on_pull_list")}: ${code}`); return; }
      const label = `${t(action === "pulls" ? "pull" : "quarantine")} ${code}`;
      const answer = await command(`/v1/recalls/${encodeURIComponent(recall.recall_id)}/${action}`, body(code), label);
      if (answer.queued) { show("wait", `${t("queued")}: ${label}`); return; }
      if (!answer.ok) { show("bad", `${t("refused")}: ${label} — ${problemText(answer)}`); return; }
      show("ok", `${t(action === "pulls" ? "pulled" : "quarantined")}: ${code}`);
      load();
    });
    $(".refresh-recalls", form).addEventListener("click", load);
    document.addEventListener("gx:ready", load);
    document.addEventListener("DOMContentLoaded", load);
  }

  function start() {
    setupForm();
    tabs();
    scanner();
    drawLog();
    document.querySelectorAll("form.screen").forEach(keep);
    netBadge();
    window.addEventListener("online", () => { netBadge(); flush(); });
    window.addEventListener("offline", netBadge);
    outboxBadge();
    flush();
    setInterval(flush, 5000);
    offlineCopy();
  }
  document.addEventListener("DOMContentLoaded", start);
  return { t, $, el, creds, show, verdict, names, once, problemText, holdText, filled, get, file, send, command, oneAction, go, flush, pending, onScan, iso, now, num, yuan, day,
    recallScreen };
})();
