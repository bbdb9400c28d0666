// The page of `photos serve`, compiled into the binary (no build step, no file to find at run
// time, nothing from the network): index.html here, app.js in WebScript.swift, app.css in
// WebStyle.swift. The page fills in data only through textContent and attributes, never HTML.

import Hummingbird

enum WebAssets {
    /// Only this server's own script, style and images; no framing.
    private static let policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static let page: Response = {
        var response = Replies.bytes(Array(html.utf8), type: "text/html; charset=utf-8", cacheable: false)
        response.headers[.contentSecurityPolicy] = policy
        return response
    }()
    static let script = Replies.bytes(Array(WebScript.source.utf8), type: "text/javascript; charset=utf-8",
                                      cacheable: false)
    static let style = Replies.bytes(Array(WebStyle.source.utf8), type: "text/css; charset=utf-8",
                                     cacheable: false)

    private static let html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>Photos — Edgeflow</title>
          <link rel="stylesheet" href="/app.css">
        </head>
        <body>
          <header>
            <form id="search" autocomplete="off">
              <input id="q" type="search" placeholder="Describe a photo…" aria-label="search text">
              <input id="not" type="text" placeholder="not: people, text" aria-label="terms to avoid">
              <input id="words" type="text" placeholder="words in the photo" aria-label="words shown in the photo">
              <label>after <input id="after" type="date"></label>
              <label>before <input id="before" type="date"></label>
              <button type="submit">Search</button>
            </form>
            <p id="status" role="status"></p>
          </header>
          <p id="message" aria-live="polite"></p>
          <main id="grid"></main>
          <section id="viewer" hidden>
            <div class="bar">
              <button id="back" type="button">← Back</button>
              <button id="more" type="button">More like this</button>
              <span id="caption"></span>
            </div>
            <img id="full" alt="">
          </section>
          <script src="/app.js"></script>
        </body>
        </html>
        """
}
