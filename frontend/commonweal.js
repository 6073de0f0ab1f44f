// Progressive enhancement only: every page works without this file.
import { initAll } from "./nhsuk-frontend.min.js";

initAll();

// "Print this page" buttons: hidden in the HTML (they do nothing without scripts), shown and wired
// here, because the Content-Security-Policy refuses inline handlers such as onclick="window.print()".
for (const button of document.querySelectorAll('[data-module="cw-print"]')) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
