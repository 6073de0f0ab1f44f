// Progressive enhancement only: every page works without this file.
import { initAll } from "./nhsuk-frontend.min.js";

initAll();

// "Print this page" buttons: hidden in the HTML (they do nothing without scripts), shown and wired
// here, because the Content-Security-Policy refuses inline handlers such as onclick="window.print()".
for (const button of document.querySelectorAll('[data-module="cw-print"]')) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

// Offline visits (community health workers): loaded only on the pages that have a visit form or queue.
if (document.querySelector('[data-module="cw-visit-form"], [data-module="cw-visit-queue"]')) {
  import("./visit-queue.js");
}

// The running total of a ballot (participatory budgeting): loaded only on a ballot that has a limit.
if (document.querySelector('[data-module="cw-ballot-total"]')) {
  import("./ballot-total.js");
}

// Signing out on a shared device: the households pages kept for offline work (the agenda, the visit
// forms: names and addresses) are deleted from this device's cache first. Visits not yet sent are
// kept (deleting them would lose the worker's records): the worker is told, and may stay signed in
// to send them.
const QUEUE_KEY = "cw-visit-queue";
const OFFLINE_CACHE = "cw-households-v1";
for (const form of document.querySelectorAll("form[data-sign-out]")) {
  let leaving = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (leaving) return;
    let waiting = 0;
    try {
      waiting = JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]").length;
    } catch {
      waiting = 0;
    }
    const question =
      `${waiting} visit${waiting === 1 ? " is" : "s are"} on this device and not sent yet. ` +
      "They stay here until you sign in again and send them. Sign out anyway?";
    if (waiting && !window.confirm(question)) return;
    leaving = true;
    // Sign out whatever happens to the cache: at once when it is cleared, else after two seconds.
    const signOut = () => form.submit();
    const fallback = window.setTimeout(signOut, 2000);
    let cleared;
    try {
      cleared = "caches" in window ? caches.delete(OFFLINE_CACHE) : Promise.resolve();
    } catch {
      cleared = Promise.resolve();
    }
    cleared
      .catch(() => undefined)
      .finally(() => {
        window.clearTimeout(fallback);
        signOut();
      });
  });
}
