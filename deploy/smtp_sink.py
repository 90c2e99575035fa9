"""A small SMTP server on loopback, for the tests and benchmarks that watch what a worker
actually sends (``EMAIL_HOST=127.0.0.1``, ``EMAIL_PORT=sink.server_address[1]``).

It acknowledges every message and hands it to :meth:`SmtpSink.accept` (by default: the
recipients are appended to ``received``). ``hold_at=n`` holds the n-th message's
acknowledgement until the sender's connection drops, which is what a sender killed between
sending and hearing back looks like.
"""

from __future__ import annotations

import socketserver
import threading


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, hold_at: int | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hold_at = hold_at
        self.received: list[str] = []
        self.seen = 0
        self.holding = threading.Event()
        self.lock = threading.Lock()

    def accept(self, recipients: list[str], lines: list[bytes]) -> None:
        """One acknowledged message (called under ``self.lock``)."""
        self.received.extend(recipients)


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self) -> None:
        server: SmtpSink = self.server  # type: ignore[assignment]
        self.reply("220 sink")
        rcpt: list[str] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self.reply("250 sink")
            elif verb.startswith("MAIL"):
                rcpt = []
                self.reply("250 ok")
            elif verb.startswith("RCPT"):
                rcpt.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data)
                with server.lock:
                    server.seen += 1
                    hold = server.seen == server.hold_at
                if hold:
                    server.holding.set()
                    self.rfile.readline()  # blocks until the killed sender's socket closes
                    return
                with server.lock:
                    server.accept(rcpt, lines)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")
