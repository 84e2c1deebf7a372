"""A file server for attachment tests: real HTTP, as the platforms' media hosts answer.

``serve_files({"/bild.png": (200, "image/png", data)})`` runs a server in a thread and yields its base
URL; a path not listed answers 404. The query string is ignored. With ``content_length=False`` no
Content-Length is sent, so a size limit must hold while streaming."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Files = dict[str, tuple[int, str, bytes]]


@contextmanager
def serve_files(files: Files, *, content_length: bool = True) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, ctype, body = files.get(self.path.split("?")[0], (404, "text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            if content_length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
