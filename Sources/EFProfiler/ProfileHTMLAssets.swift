// The fixed parts of the HTML report: its stylesheet, the table-sorting script and the palette
// the ops' colours come from. Nothing here depends on the report, so nothing here needs escaping.

enum ProfileHTMLAssets {
    /// Colours of the op categories (a step's bar and legend swatch).
    static let palette = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#7f7f7f", "#1f77b4", "#17becf",
    ]

    /// A colour for each distinct op of `ops`, in order of first appearance, so the ops of one
    /// report differ in colour (the palette repeats only after 12 ops).
    static func colours(ops: [String]) -> [String: String] {
        var map: [String: String] = [:]
        for op in ops where map[op] == nil {
            map[op] = palette[map.count % palette.count]
        }
        return map
    }

    static let style = """
    *{box-sizing:border-box}
    body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f4f6f9}
    header{background:#1d3557;color:#fff;padding:18px 28px}
    header h1{margin:0 0 4px;font-size:22px}
    header .sub{opacity:.85}
    main{padding:16px 28px 40px}
    section{background:#fff;border:1px solid #d8dde6;border-radius:8px;margin:0 0 18px;padding:14px 18px}
    h2{font-size:16px;margin:0 0 10px;color:#1d3557}
    .cards{display:flex;flex-wrap:wrap;gap:10px}
    .card{flex:1 1 170px;background:#eef3fa;border-left:4px solid #457b9d;border-radius:6px;padding:8px 12px}
    .card .k{font-size:12px;color:#4a5566;text-transform:uppercase;letter-spacing:.04em}
    .card .v{font-size:18px;font-weight:600}
    .card .d{font-size:12px;color:#4a5566}
    .top{width:100%;border-collapse:collapse}
    .top td{padding:4px 6px;border-bottom:1px solid #eceff4}
    .bar{height:12px;border-radius:3px;min-width:2px}
    .track{background:#e9edf3;border-radius:3px;width:100%}
    table.steps{width:100%;border-collapse:collapse;font-size:13px}
    table.steps th{position:sticky;top:0;background:#1d3557;color:#fff;text-align:left;padding:6px;cursor:pointer;
      user-select:none;white-space:nowrap}
    table.steps th[aria-sort=ascending]::after{content:" \\25B2"}
    table.steps th[aria-sort=descending]::after{content:" \\25BC"}
    table.steps td{padding:4px 6px;border-bottom:1px solid #eceff4;white-space:nowrap}
    table.steps td.name{max-width:320px;overflow:hidden;text-overflow:ellipsis}
    table.steps tbody tr:nth-child(even){background:#f7f9fc}
    table.steps tbody tr:hover{background:#fff4d6}
    td.n{text-align:right;font-variant-numeric:tabular-nums}
    .tbar{display:inline-block;height:9px;border-radius:2px;margin-right:6px;vertical-align:middle}
    .legend span{display:inline-block;margin:0 12px 6px 0}
    .legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}
    svg text{font:12px system-ui,sans-serif;fill:#1d2430}
    .note{color:#4a5566;font-size:12px}
    """

    /// Sorts the step table by a clicked column header (again: the other direction), and on
    /// load by `#sort=KEY` or `#sort=-KEY` in the address; marks the table `data-js="ready"`.
    static let script = """
    (function () {
      var table = document.getElementById('steps');
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
          return c || (parseInt(a.getAttribute('data-index'), 10) - parseInt(b.getAttribute('data-index'), 10));
        });
        for (var r = 0; r < rows.length; r++) body.appendChild(rows[r]);
        for (var j = 0; j < heads.length; j++) heads[j].setAttribute('aria-sort', 'none');
        heads[i].setAttribute('aria-sort', descending ? 'descending' : 'ascending');
        table.setAttribute('data-sorted', heads[i].getAttribute('data-key') + (descending ? ':desc' : ':asc'));
      }
      function toggle(i) {
        var now = heads[i].getAttribute('aria-sort');
        var descending = now === 'ascending' ? true : now === 'descending' ? false
          : heads[i].getAttribute('data-type') === 'num';
        sortBy(i, descending);
      }
      for (var i = 0; i < heads.length; i++) {
        (function (i) {
          heads[i].tabIndex = 0;
          heads[i].title = 'sort by this column';
          heads[i].addEventListener('click', function () { toggle(i); });
          heads[i].addEventListener('keydown', function (e) { if (e.key === 'Enter') toggle(i); });
        })(i);
      }
      var m = /sort=(-?)([a-z]+)/.exec(location.hash);
      if (m) {
        for (var k = 0; k < heads.length; k++) {
          if (heads[k].getAttribute('data-key') === m[2]) sortBy(k, m[1] === '-');
        }
      }
      table.setAttribute('data-js', 'ready');
    })();
    """
}
