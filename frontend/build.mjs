// Builds the static assets into commonweal/ui/static/ui/build/ from packages installed by npm.
// Nothing here, or in the pages it serves, is fetched from the internet.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nhsuk = join(root, "node_modules", "nhsuk-frontend", "dist", "nhsuk");
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
console.log(`Built static assets into ${out}`);
