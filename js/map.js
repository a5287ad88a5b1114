// The back office's map over the town's tile server (`[map] tiles`):
// Leaflet, served from the town's own assets, draws the districts' outlines
// (the SVG plan's polygons, their coordinates in data-lonlat) and the located
// requests (the table's rows, data-lat and data-lon), each a circle whose
// popup links to the request, late ones red, closed ones grey; then the SVG
// plan is hidden. Without JavaScript, or without Leaflet, the SVG stays.
(function () {
  'use strict';
  var box = document.getElementById('tile-map');
  if (!box || !window.L) return;
  var escape = function (text) {
    return String(text).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
  };
  box.hidden = false;
  var map = L.map(box, { zoomControl: false, maxZoom: Number(box.dataset.maxZoom) || 19 });
  L.control.zoom({ zoomInTitle: box.dataset.zoomIn, zoomOutTitle: box.dataset.zoomOut }).addTo(map);
  L.tileLayer(box.dataset.tiles, {
    maxZoom: Number(box.dataset.maxZoom) || 19,
    attribution: escape(box.dataset.attribution || ''),
  }).addTo(map);
  var bounds = L.latLngBounds([]);
  document.querySelectorAll('polygon[data-lonlat]').forEach(function (polygon) {
    var ring = polygon.dataset.lonlat.split(' ').map(function (pair) {
      var lonlat = pair.split(',');
      return [Number(lonlat[1]), Number(lonlat[0])];
    });
    var area = L.polygon(ring, { color: '#3a3a3a', weight: 1.5, fillOpacity: 0.05 }).addTo(map);
    area.bindTooltip(escape(polygon.dataset.name || ''));
    bounds.extend(area.getBounds());
  });
  var marks = L.latLngBounds([]);
  document.querySelectorAll('tr[data-lat]').forEach(function (row) {
    var at = [Number(row.dataset.lat), Number(row.dataset.lon)];
    var link = row.querySelector('a');
    var late = row.dataset.late === 'true';
    var done = row.dataset.final === 'true';
    var colour = late ? '#ce0500' : done ? '#757575' : '#000091';
    var mark = L.circleMarker(at, { radius: done ? 5 : 7, color: colour, fillColor: colour, fillOpacity: 0.7 }).addTo(map);
    var cells = row.querySelectorAll('td');
    mark.bindPopup('<a href="' + escape(link.getAttribute('href')) + '">' + escape(link.textContent) + '</a><br>'
      + escape(cells.length ? cells[0].textContent : ''));
    marks.extend(at);
  });
  var target = marks.isValid() ? marks : bounds;
  if (target.isValid()) {
    map.fitBounds(target.pad(0.1));
  } else {
    map.setView([46.6, 2.4], 5);
  }
  var plan = document.querySelector('figure.map');
  if (plan) plan.hidden = true;
})();
