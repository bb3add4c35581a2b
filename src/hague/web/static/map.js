// Incidents on a Leaflet map over the offline base layer shipped with Hague (no tile server needed);
// online tiles are drawn over it only when the server is configured with HAGUE_MAP_TILES_URL.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { zoomControl: true, attributionControl: true }).setView([48.5, 32.0], 6);
  function json(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }
  json("/static/geo/region.geojson").then(function (geo) {
    L.geoJSON(geo, {
      style: function (f) {
        var ua = f.properties && f.properties.name === "Ukraine";
        return { color: "#555", weight: ua ? 2 : 1, fillColor: ua ? "#fff6d5" : "#eeeeee", fillOpacity: 1 };
      }
    }).addTo(map);
    map.attributionControl.addAttribution("Natural Earth (world-atlas)");
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.tilesAttribution || "" }).addTo(map);
    }
  }).then(function () {
    return json(el.dataset.incidents);
  }).then(function (incidents) {
    var points = [];
    incidents.forEach(function (i) {
      if (i.lat === null || i.lon === null) { return; }
      var marker = L.circleMarker([i.lat, i.lon], { radius: 8, color: "#a40e26", fillOpacity: 0.8 });
      var box = document.createElement("div");
      var title = document.createElement("strong");
      title.textContent = i.title;
      box.appendChild(title);
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(i.place_name + (i.date_from ? " (" + i.date_from + ")" : "")));
      marker.bindPopup(box);
      marker.bindTooltip(i.title);
      marker.addTo(map);
      points.push([i.lat, i.lon]);
    });
    if (points.length) { map.fitBounds(points, { padding: [40, 40], maxZoom: 8 }); }
    el.dataset.ready = String(points.length);
  });
})();
