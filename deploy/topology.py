"""The production topology on one machine, for the benchmarks and the deployment test: Debian's
nginx with ``deploy/nginx/fairsite.conf`` in front of daphne processes on Unix sockets.

The nginx server block is the deployed file itself; only its paths (sockets, static files, the
listening port) are rewritten for a temporary directory, and it is wrapped in a minimal main
configuration (own pid file, logs and temporary directories), so nothing of the machine's nginx
is used or touched.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.request
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
NGINX = "/usr/sbin/nginx"

MAIN = """\
{user}worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
{server}
}}
"""


def nginx_config(
    *, run_dir: Path, port: int, sockets: list[Path], static_root: Path, media_root: Path
) -> str:
    """``deploy/nginx/fairsite.conf`` pointed at ``sockets`` and listening on 127.0.0.1."""
    text = (DEPLOY / "nginx" / "fairsite.conf").read_text()
    upstream = "".join(f"    server unix:{sock} max_fails=0;\n" for sock in sockets)
    text, count = re.subn(r"(?:    server unix:\S+ max_fails=0;\n)+", upstream, text)
    assert count == 1, "the upstream block changed shape"
    text = text.replace("    listen [::]:80;\n", "")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{port};")
    text = text.replace("/srv/fairsite/staticfiles/", f"{static_root}/")
    text = text.replace("/srv/fairsite/media/", f"{media_root}/")
    user = "user root;\n" if os.geteuid() == 0 else ""
    return MAIN.format(user=user, run=run_dir, server=text)


def nginx_start(
    *, run_dir: Path, port: int, sockets: list[Path], static_root: Path, media_root: Path
) -> subprocess.Popen:
    run_dir.mkdir(parents=True, exist_ok=True)
    conf = run_dir / "nginx.conf"
    conf.write_text(
        nginx_config(
            run_dir=run_dir,
            port=port,
            sockets=sockets,
            static_root=static_root,
            media_root=media_root,
        )
    )
    command = [NGINX, "-p", str(run_dir), "-c", str(conf), "-g", "daemon off;"]
    subprocess.run([*command[:-2], "-t", "-q"], check=True)  # noqa: S603 - Debian's nginx
    process = subprocess.Popen(  # noqa: S603
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/", timeout=1)  # noqa: S310
        except urllib.error.HTTPError:
            return process  # nginx answers (403/404 for the directory itself)
        except OSError:
            time.sleep(0.05)
        else:
            return process
    process.kill()
    raise RuntimeError("nginx did not start")


def _healthz_over(sock: Path, host: str) -> int | None:
    import socket

    try:
        with socket.socket(socket.AF_UNIX) as conn:
            conn.settimeout(2)
            conn.connect(str(sock))
            conn.sendall(
                f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
            )
            head = conn.recv(64)
    except OSError:
        return None
    parts = head.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def daphne_start(
    *, env: dict[str, str], sock: Path, cwd: Path, log: Path | None = None
) -> subprocess.Popen:
    """One daphne process on ``sock`` with the arguments of ``daphne@.service``; returns once
    ``/healthz`` answers 200 on the socket."""
    if sock.exists():
        sock.unlink()
    executable = Path(env.get("VIRTUAL_ENV", "")) / "bin" / "daphne"
    if not executable.exists():
        import sys

        executable = Path(sys.executable).with_name("daphne")
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - handed to the child
    process = subprocess.Popen(  # noqa: S603 - our own server on a local socket
        [
            str(executable),
            "-e",
            f"unix:{sock}:backlog=1024:mode=660:lockfile=0",
            "--application-close-timeout",
            "20",
            "fairsite.asgi:application",
        ],
        cwd=cwd,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    host = (env.get("FAIRSITE_ALLOWED_HOSTS") or "localhost").split(",")[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne on {sock} exited with {process.returncode}")
        if _healthz_over(sock, host) == 200:
            return process
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"daphne on {sock} did not start")
