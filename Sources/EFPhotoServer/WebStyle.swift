// app.css of `photos serve`'s page: a search bar, a grid of square thumbnails (blank for a
// photo without one), a full view.

enum WebStyle {
    static let source = """
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.4 system-ui, sans-serif; background: #f4f4f2; color: #222; }
        header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ddd; padding: 8px 12px; }
        form { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
        #q { flex: 2 1 240px; } #not { flex: 1 1 160px; }
        input, button { font: inherit; padding: 4px 8px; }
        #status { margin: 4px 0 0; color: #666; font-size: 13px; }
        #message { margin: 8px 12px; color: #a33; }
        #message:empty { display: none; }
        #grid { display: grid; grid-template-columns: repeat(auto-fill, 160px); gap: 6px; padding: 12px; }
        .tile { width: 160px; height: 160px; padding: 0; border: 0; background: #ddd; cursor: pointer; }
        .tile img { width: 100%; height: 100%; object-fit: cover; display: block; }
        .tile.missing img { visibility: hidden; }
        #viewer { position: fixed; inset: 0; background: #111; color: #eee; display: flex; flex-direction: column; }
        #viewer[hidden] { display: none; }
        .bar { display: flex; gap: 8px; align-items: center; padding: 8px 12px; }
        #caption { overflow-wrap: anywhere; font-size: 13px; }
        #full { flex: 1; min-height: 0; width: 100%; object-fit: contain; }
        """
}
