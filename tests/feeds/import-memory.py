"""Peak memory of `warta import wordpress` against a WordPress site on
127.0.0.1 (BENCHMARKS.md, "Import memory").

Usage: python3 tests/feeds/import-memory.py WARTA_BINARY [PAGES] [POST_KB]

Serves PAGES pages (default 20) of 100 invented posts, each with a body of
about POST_KB kilobytes (default 20), as `GET /wp-json/wp/v2/posts` answers
them (`X-WP-TotalPages`), imports them into a fresh SQLite newsroom
(source en, target pt) and prints the importer's peak resident memory,
the bytes served and the wall time.
"""

import http.server
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
import os


def page(n, per_page, post_kb):
    paragraph = "<p>" + "The council met on Monday to discuss the harbour. " * 10 + "</p>"
    body = paragraph * max(1, post_kb * 1024 // len(paragraph))
    return json.dumps([
        {
            "id": n * 1000 + i,
            "slug": f"story-{n}-{i}",
            "link": f"https://news.example/story-{n}-{i}/",
            "date_gmt": "2024-03-01T08:00:00",
            "title": {"rendered": f"Story {n}.{i}"},
            "content": {"rendered": body, "protected": False},
            "excerpt": {"rendered": "<p>The council met.</p>", "protected": False},
        }
        for i in range(per_page)
    ]).encode()


def main():
    binary = sys.argv[1]
    pages = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    post_kb = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    served = [0]

    class Site(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            n = int(self.path.split("page=")[-1])
            body = page(n, 100, post_kb)
            served[0] += len(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("X-WP-TotalPages", str(pages))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as d:
        config = os.path.join(d, "warta.toml")
        with open(config, "w") as f:
            f.write(f'source = "en"\ntargets = ["pt"]\ndata_dir = "{d}/data"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
        start = time.monotonic()
        done = subprocess.run(
            [binary, "import", "wordpress", f"http://127.0.0.1:{server.server_address[1]}",
             "--config", config],
            env=env, capture_output=True, text=True)
        wall = time.monotonic() - start
    server.shutdown()
    if done.returncode != 0:
        sys.exit(f"import failed: {done.stderr}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"{pages} pages x 100 posts x ~{post_kb} KB: served {served[0] / 2**20:.1f} MiB, "
          f"peak RSS {peak_kib / 1024:.1f} MiB, {wall:.1f} s; {done.stdout.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
