// Progressive enhancement of the directory search map: the page works without this file.
// Without JavaScript the server-drawn SVG is the map. When Leaflet (loaded before this module, as a
// deferred classic script) is there, the SVG gives way to a Leaflet map of the same data, which the
// server puts in the page with Django's json_script. There is no tile layer: no tile server is
// reachable, so the map is the LSOA boundaries, the search circle and a numbered marker per result.
// The results table stays the main way to reach each result; the numbers match it.

const BOUNDARY_STYLE = { color: "#768692", weight: 1, fillColor: "#f0f4f5", fillOpacity: 1 };
const CIRCLE_STYLE = { color: "#005eb8", weight: 2, dashArray: "6 5", fill: false, interactive: false };
const CENTRE_STYLE = { radius: 6, color: "#ffffff", weight: 2, fillColor: "#d5281b", fillOpacity: 1 };

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

// Built from DOM nodes, never from strings of HTML: service names are typed by the public.
function popupFor(marker) {
  const content = element("p", "", { class: "nhsuk-body-s nhsuk-u-margin-bottom-0" });
  content.append(element("strong", `${marker.number}. `));
  content.append(marker.url ? element("a", marker.label, { href: marker.url }) : element("span", marker.label));
  return content;
}

function showLeafletMap(container, data) {
  const L = window.L;
  container.replaceChildren();
  container.classList.add("cw-map--leaflet");
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", "Map of the results on this page");
  const map = L.map(container, { zoomSnap: 0.25, scrollWheelZoom: false });
  // The view comes first: Leaflet defers layers added to a map without one, and a GeoJSON layer's
  // paths would then be drawn before their renderer knows its bounds.
  map.fitBounds(data.bounds);
  map.attributionControl.addAttribution(
    "Boundaries: Office for National Statistics, Open Government Licence; contains OS data © Crown copyright and database right",
  );
  L.geoJSON(data.boundaries, { style: BOUNDARY_STYLE, interactive: false }).addTo(map);
  if (data.centre) {
    if (data.radius_metres) L.circle(data.centre, { radius: data.radius_metres, ...CIRCLE_STYLE }).addTo(map);
    L.circleMarker(data.centre, CENTRE_STYLE).bindTooltip("The place searched from").addTo(map);
  }
  for (const marker of data.markers) {
    const icon = L.divIcon({
      className: "cw-map-marker",
      html: `<span aria-hidden="true">${Number(marker.number)}</span>`,
      iconSize: [24, 24],
      iconAnchor: [12, 12],
      popupAnchor: [0, -12],
    });
    const layer = L.marker([marker.latitude, marker.longitude], { icon, riseOnHover: true });
    layer.bindPopup(popupFor(marker));
    layer.on("add", () => layer.getElement().setAttribute("aria-label", `Result ${marker.number}: ${marker.label}`));
    layer.addTo(map);
  }
}

const container = document.querySelector("[data-map-data]");
const source = container && document.getElementById(container.dataset.mapData);
if (container && source && window.L) {
  showLeafletMap(container, JSON.parse(source.textContent));
}
