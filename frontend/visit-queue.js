// Offline visits for community health workers (progressive enhancement: the pages work without it).
//
// - The visit form keeps a visit on this device (localStorage) when the network is off, and sends the
//   queue to the JSON API when it comes back. Each visit carries a client-generated id, so a visit sent
//   twice (a lost answer, a retry) is recorded once by the server.
// - A visit the server refuses stays in the queue with the reason shown: nothing is dropped silently.
// - "Get ready to work offline" on the agenda stores the agenda and its visit forms in the cache the
//   service worker (/households/sw.js) answers from when the network is off.
const QUEUE_KEY = "cw-visit-queue";
const CACHE = "cw-households-v1";
const API = "/api/households/visits";
const MEMBER_FIELDS = new Set(["seen", "need", "need_note", "refer", "consent"]);

function loadQueue() {
  try {
    return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
  } catch {
    return [];
  }
}

function saveQueue(queue) {
  localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
}

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function csrfToken(form) {
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  if (cookie) return cookie.slice("csrftoken=".length);
  const field = form && form.querySelector('input[name="csrfmiddlewaretoken"]');
  return field ? field.value : "";
}

function payloadOf(form) {
  const data = new FormData(form);
  const seen = [];
  for (const fieldset of form.querySelectorAll("[data-member]")) {
    const prefix = `m${fieldset.dataset.member}-`;
    if (!data.get(`${prefix}seen`)) continue;
    const answers = {};
    for (const [name, value] of data.entries()) {
      const item = name.slice(prefix.length);
      if (name.startsWith(prefix) && !MEMBER_FIELDS.has(item) && value) answers[item] = String(value);
    }
    seen.push({
      person_id: Number(fieldset.dataset.member),
      answers,
      need_found: Boolean(data.get(`${prefix}need`)),
      need_note: String(data.get(`${prefix}need_note`) || ""),
      refer: Boolean(data.get(`${prefix}refer`)),
      consents_to_referral: Boolean(data.get(`${prefix}consent`)),
    });
  }
  return {
    client_id: String(data.get("client_id")),
    household_id: Number(form.dataset.household),
    outcome: String(data.get("outcome") || ""),
    reasons: data.getAll("reasons").map(String),
    note: String(data.get("note") || ""),
    visited_at: new Date().toISOString(),
    chw_patch_id: form.dataset.patch ? Number(form.dataset.patch) : null,
    shadowed: Boolean(data.get("shadowed")),
    seen,
  };
}

function problemWith(payload) {
  if (!payload.outcome) return "Choose what happened at the visit.";
  if (!payload.reasons.length) return "Choose at least one reason for the visit.";
  if (payload.outcome !== "done" && payload.seen.length) return "Nobody is seen at a visit that was refused or found nobody in.";
  if (payload.seen.some((member) => member.refer && !member.consents_to_referral)) return "Ask the person first: a referral needs their consent.";
  return "";
}

function render() {
  const queue = loadQueue();
  const sent = Number(sessionStorage.getItem("cw-visits-sent") || "0");
  for (const panel of document.querySelectorAll('[data-module="cw-visit-queue"]')) {
    panel.hidden = false;
    const waiting = queue.filter((item) => !item.refused);
    const refused = queue.filter((item) => item.refused);
    const parts = [];
    parts.push(waiting.length ? `${waiting.length} visit${waiting.length === 1 ? "" : "s"} waiting to be sent.` : "No visits waiting to be sent.");
    if (sent) parts.push(`${sent} visit${sent === 1 ? "" : "s"} sent.`);
    if (refused.length) parts.push(`${refused.length} not accepted: ${refused.map((item) => item.detail).join("; ")}`);
    panel.querySelector("[data-queue-status]").textContent = parts.join(" ");
  }
}

let flushing = false;

async function flush() {
  if (flushing || !navigator.onLine) return render();
  flushing = true;
  try {
    const queue = loadQueue();
    const kept = [];
    let sent = Number(sessionStorage.getItem("cw-visits-sent") || "0");
    for (const item of queue) {
      if (item.refused) {
        kept.push(item);
        continue;
      }
      let response;
      try {
        response = await fetch(API, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            // This page's token (signing in again since the visit was kept gives a new one), else the kept one.
            "X-CSRFToken": csrfToken(document.querySelector("form")) || item.csrf,
          },
          body: JSON.stringify(item.payload),
        });
      } catch {
        kept.push(item); // still offline: keep it, and the rest, for later
        continue;
      }
      if (response.status === 200 || response.status === 201) {
        sent += 1;
      } else if (response.status === 400 || response.status === 403 || response.status === 404 || response.status === 422) {
        const body = await response.json().catch(() => ({}));
        kept.push({ ...item, refused: true, detail: body.detail || `refused (${response.status})` });
      } else {
        kept.push(item); // signed out, or a server error: try again later
      }
    }
    saveQueue(kept);
    sessionStorage.setItem("cw-visits-sent", String(sent));
  } finally {
    flushing = false;
  }
  render();
}

function enhanceForm(form) {
  const message = form.querySelector("[data-offline-message]");
  form.addEventListener("submit", (event) => {
    if (navigator.onLine) return; // online: the form is sent as usual and the server answers
    event.preventDefault();
    const payload = payloadOf(form);
    const problem = problemWith(payload);
    if (problem) {
      message.textContent = problem;
      message.hidden = false;
      return;
    }
    const queue = loadQueue();
    if (!queue.some((item) => item.payload.client_id === payload.client_id)) {
      queue.push({ payload, csrf: csrfToken(form), address: form.dataset.address || "" });
      saveQueue(queue);
    }
    form.reset();
    form.querySelector('input[name="client_id"]').value = newClientId();
    message.textContent = "You are offline: the visit is kept on this device and will be sent when you are back online.";
    message.hidden = false;
    render();
  });
  // A form served from the offline cache carries the id it was given when cached: each visit needs its own.
  form.querySelector('input[name="client_id"]').value = newClientId();
}

async function getReady(button, status) {
  // The first 60 households of the agenda as filtered: a day or two of visits.
  const links = [...document.querySelectorAll('a[href$="/visit/"]')].slice(0, 60).map((link) => link.getAttribute("href"));
  const assets = [...document.querySelectorAll('link[rel="stylesheet"], script[src]')].map(
    (element) => element.getAttribute("href") || element.getAttribute("src"),
  );
  const urls = [location.pathname + location.search, ...new Set(links), ...assets, "/static/ui/build/js/visit-queue.js"];
  button.disabled = true;
  try {
    const cache = await caches.open(CACHE);
    // One at a time: each visit form is a read of the household's records, logged by the server.
    for (const url of urls) await cache.add(url);
    status.textContent = `Ready to work offline: ${links.length} visit form${links.length === 1 ? "" : "s"} kept on this device.`;
  } catch {
    status.textContent = "Could not get ready to work offline. Try again when the connection is better.";
  }
  button.disabled = false;
}

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/households/sw.js", { scope: "/households/" }).catch(() => {});
}
for (const form of document.querySelectorAll('[data-module="cw-visit-form"]')) enhanceForm(form);
for (const button of document.querySelectorAll("[data-cw-offline-ready]")) {
  const status = document.querySelector("[data-cw-offline-status]");
  button.hidden = false;
  button.addEventListener("click", () => getReady(button, status));
}
window.addEventListener("online", flush);
window.addEventListener("offline", render);
flush();
