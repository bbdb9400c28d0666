// The fixed parts of the noise report page: its stylesheet and its script (sorting the layer
// table by a clicked header, showing the scatter plot of a clicked row). Nothing here depends on
// the report, so nothing here needs escaping.

enum NoiseHTMLAssets {
    /// Colours of the page (also checked in the rendered screenshot by the tests).
    static let header = "#1d3557"
    static let sensitivityBar = "#457b9d"
    static let accumulatedBar = "#f4a261"
    static let flagged = "#e63946"

    static let style = """
    *{box-sizing:border-box}
    body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f4f6f9}
    header{background:\(header);color:#fff;padding:18px 28px}
    header h1{margin:0 0 4px;font-size:22px}
    header .sub{opacity:.85}
    main{padding:16px 28px 40px}
    section{background:#fff;border:1px solid #d8dde6;border-radius:8px;margin:0 0 18px;padding:14px 18px;
      overflow-x:auto}
    h2{font-size:16px;margin:0 0 10px;color:\(header)}
    .cards{display:flex;flex-wrap:wrap;gap:10px}
    .card{flex:1 1 170px;background:#eef3fa;border-left:4px solid \(sensitivityBar);border-radius:6px;padding:8px 12px}
    .card.bad{border-left-color:\(flagged);background:#fdecee}
    .card .k{font-size:12px;color:#4a5566;text-transform:uppercase;letter-spacing:.04em}
    .card .v{font-size:18px;font-weight:600}
    .card .d{font-size:12px;color:#4a5566}
    table.layers{width:100%;border-collapse:collapse;font-size:13px}
    table.layers th{position:sticky;top:0;background:\(header);color:#fff;text-align:left;padding:6px;cursor:pointer;
      user-select:none;white-space:nowrap}
    table.layers th[aria-sort=ascending]::after{content:" \\25B2"}
    table.layers th[aria-sort=descending]::after{content:" \\25BC"}
    table.layers td{padding:4px 6px;border-bottom:1px solid #eceff4;white-space:nowrap}
    table.layers td.name{max-width:320px;overflow:hidden;text-overflow:ellipsis}
    table.layers tbody tr{cursor:pointer}
    table.layers tbody tr:nth-child(even){background:#f7f9fc}
    table.layers tbody tr:hover{background:#fff4d6}
    table.layers tbody tr.selected{background:#dbe9f6}
    table.layers tr.flag td.snr{color:\(flagged);font-weight:600}
    td.n{text-align:right;font-variant-numeric:tabular-nums}
    .legend span{display:inline-block;margin:0 12px 6px 0}
    .legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}
    svg text{font:12px system-ui,sans-serif;fill:#1d2430}
    .scatter{display:none}
    .scatter.shown{display:block}
    .note{color:#4a5566;font-size:12px}
    """

    /// Sorts the layer table by a clicked header (again: the other direction); a click on a row
    /// shows that layer's scatter plot. On load, `#click=KEY` (comma-separated, in order) clicks
    /// those headers and `#select=N` selects layer N, so a headless browser can exercise both.
    /// Marks the table `data-js="ready"` when done.
    static let script = """
    (function () {
      var table = document.getElementById('layers');
      if (!table) return;
      var heads = table.tHead.rows[0].cells, body = table.tBodies[0];
      function value(row, i, numeric) {
        var v = row.cells[i].getAttribute('data-v');
        return numeric ? (parseFloat(v) || 0) : (v || '');
      }
      function sortBy(i, descending) {
        var numeric = heads[i].getAttribute('data-type') === 'num';
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = value(a, i, numeric), y = value(b, i, numeric);
          var c = numeric ? x - y : x.localeCompare(y);
          if (descending) c = -c;
          return c || (parseInt(a.getAttribute('data-rank'), 10) - parseInt(b.getAttribute('data-rank'), 10));
        });
        for (var r = 0; r < rows.length; r++) body.appendChild(rows[r]);
        for (var j = 0; j < heads.length; j++) heads[j].setAttribute('aria-sort', 'none');
        heads[i].setAttribute('aria-sort', descending ? 'descending' : 'ascending');
        table.setAttribute('data-sorted', heads[i].getAttribute('data-key') + (descending ? ':desc' : ':asc'));
      }
      function toggle(i) {
        var now = heads[i].getAttribute('aria-sort');
        var descending = now === 'ascending' ? true : now === 'descending' ? false
          : heads[i].getAttribute('data-type') === 'num' && heads[i].getAttribute('data-low') !== 'first';
        sortBy(i, descending);
      }
      function select(index) {
        var plots = document.querySelectorAll('.scatter');
        for (var p = 0; p < plots.length; p++) {
          plots[p].className = plots[p].id === 'scatter-' + index ? 'scatter shown' : 'scatter';
        }
        for (var r = 0; r < body.rows.length; r++) {
          var row = body.rows[r];
          row.className = row.className.replace(/ ?selected/g, '') +
            (row.getAttribute('data-index') === String(index) ? ' selected' : '');
        }
        table.setAttribute('data-selected', String(index));
      }
      for (var i = 0; i < heads.length; i++) {
        (function (i) {
          heads[i].tabIndex = 0;
          heads[i].title = 'sort by this column';
          heads[i].addEventListener('click', function () { toggle(i); });
          heads[i].addEventListener('keydown', function (e) { if (e.key === 'Enter') toggle(i); });
        })(i);
      }
      body.addEventListener('click', function (e) {
        var row = e.target.closest('tr');
        if (row) select(row.getAttribute('data-index'));
      });
      var clicks = /click=([a-z_,]+)/.exec(location.hash);
      if (clicks) {
        clicks[1].split(',').forEach(function (key) {
          for (var k = 0; k < heads.length; k++) {
            if (heads[k].getAttribute('data-key') === key) heads[k].click();
          }
        });
      }
      var chosen = /select=([0-9]+)/.exec(location.hash);
      if (chosen) select(chosen[1]);
      table.setAttribute('data-js', 'ready');
    })();
    """
}
