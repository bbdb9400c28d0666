// app.js of `photos serve`'s page: runs searches against /api/search, shows the results as a
// grid of thumbnails, a photo in full with "more like this", and the library's status line.
// Data from the server reaches the page only through textContent, src and title.

enum WebScript {
    static let source = #"""
        "use strict";
        const $ = (id) => document.getElementById(id);

        async function getJSON(url) {
          const response = await fetch(url);
          const body = await response.json();
          if (!response.ok) throw new Error(body.error + (body.hint ? " (" + body.hint + ")" : ""));
          return body;
        }

        function filters() {
          const params = new URLSearchParams();
          for (const term of $("not").value.split(",")) {
            if (term.trim()) params.append("not", term.trim());
          }
          if ($("words").value.trim()) params.set("words", $("words").value.trim());
          if ($("after").value) params.set("after", $("after").value);
          if ($("before").value) params.set("before", $("before").value);
          return params;
        }

        async function search(params) {
          $("message").textContent = "Searching…";
          try {
            const body = await getJSON("/api/search?" + params.toString());
            render(body.results);
            $("message").textContent = body.results.length ? body.notes.join(" ") : "No photos found.";
          } catch (error) {
            render([]);
            $("message").textContent = error.message;
          }
        }

        function render(results) {
          const tiles = results.map((hit) => {
            const image = document.createElement("img");
            image.src = "/api/photos/" + hit.id + "/thumbnail";
            image.alt = hit.path;
            const tile = document.createElement("button");
            tile.type = "button";
            tile.className = "tile";
            tile.title = hit.path + (hit.score == null ? "" : "  (score " + hit.score.toFixed(3) + ")");
            tile.dataset.id = hit.id;
            tile.append(image);
            image.addEventListener("error", () => tile.classList.add("missing"));
            tile.addEventListener("click", () => show(hit));
            return tile;
          });
          $("grid").replaceChildren(...tiles);
        }

        function show(hit) {
          $("viewer").dataset.id = hit.id;
          $("full").src = "/api/photos/" + hit.id + "/image";
          $("caption").textContent = hit.path + " — " + hit.date.replace("T", " ");
          $("viewer").hidden = false;
        }

        async function status() {
          try {
            const body = await getJSON("/api/status");
            const embedded = body.model ? body.embedded[body.model] || 0 : 0;
            const model = body.model ? embedded + " embedded by " + body.model : "no model: dates only";
            const run = body.lastRun ? ", last indexed " + body.lastRun.startedAt.replace("T", " ") : "";
            $("status").textContent = body.photos + " photos indexed (" + model + ", "
              + body.unreadable + " unreadable)" + run;
          } catch (error) {
            $("status").textContent = error.message;
          }
        }

        $("search").addEventListener("submit", (event) => {
          event.preventDefault();
          const params = filters();
          if ($("q").value.trim()) params.set("q", $("q").value.trim());
          $("viewer").hidden = true;
          search(params);
        });
        $("back").addEventListener("click", () => { $("viewer").hidden = true; });
        $("more").addEventListener("click", () => {
          const params = filters();
          params.set("like", $("viewer").dataset.id);
          $("viewer").hidden = true;
          search(params);
        });

        status();
        search(filters());
        """#
}
