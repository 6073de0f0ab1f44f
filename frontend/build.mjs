// Builds the static assets into commonweal/ui/static/ui/build/ from packages installed by npm.
// Nothing here, or in the pages it serves, is fetched from the internet.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nhsuk = join(root, "node_modules", "nhsuk-frontend", "dist", "nhsuk");
const leaflet = join(root, "node_modules", "leaflet");
const out = join(root, "commonweal", "ui", "static", "ui", "build");

mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "js"), { recursive: true });

const result = sass.compile(join(root, "frontend", "commonweal.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "commonweal.css"), result.css);

cpSync(join(nhsuk, "nhsuk-frontend.min.js"), join(out, "js", "nhsuk-frontend.min.js"));
cpSync(join(nhsuk, "assets"), join(out, "assets"), { recursive: true });
cpSync(join(root, "frontend", "commonweal.js"), join(out, "js", "commonweal.js"));
cpSync(join(root, "frontend", "js-enabled.js"), join(out, "js", "js-enabled.js"));
cpSync(join(root, "frontend", "letters.css"), join(out, "css", "letters.css"));
cpSync(join(root, "frontend", "directory-map.js"), join(out, "js", "directory-map.js"));
cpSync(join(root, "frontend", "passkeys.js"), join(out, "js", "passkeys.js"));
// The running total of a ballot, imported by commonweal.js on the pages that have one.
cpSync(join(root, "frontend", "ballot-total.js"), join(out, "js", "ballot-total.js"));
// Offline visits for community health workers: the page's queue and the service worker (served by
// Django at /households/sw.js so that its scope covers the households pages).
cpSync(join(root, "frontend", "visit-queue.js"), join(out, "js", "visit-queue.js"));
cpSync(join(root, "frontend", "households-sw.js"), join(out, "js", "households-sw.js"));
// Leaflet for the directory search map, loaded only on pages that show one. leaflet.js names its
// source map, which collectstatic's manifest must find; leaflet.css names the images; the licence
// (BSD-2-Clause) travels with the copy.
mkdirSync(join(out, "leaflet"), { recursive: true });
for (const file of ["leaflet.js", "leaflet.js.map", "leaflet.css"]) {
  cpSync(join(leaflet, "dist", file), join(out, "leaflet", file));
}
cpSync(join(leaflet, "dist", "images"), join(out, "leaflet", "images"), { recursive: true });
cpSync(join(leaflet, "LICENSE"), join(out, "leaflet", "LICENSE"));
console.log(`Built static assets into ${out}`);
