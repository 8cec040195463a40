"""A private nginx around a generated server block: for the tests, the benchmark and a local try.

It runs as a child process with everything (pid, logs, temp files) under one folder, so it
needs no root and leaves the system's nginx alone. Single-process by default: run as root,
a master would hand the requests to workers running as `nobody`, which may not read a
private temp folder.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from ..errors import CsohelpError

MIME_TYPES = Path("/etc/nginx/mime.types")


def nginx_binary() -> str | None:
    """Debian's nginx, if installed."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def wrapper_conf(prefix: Path, includes: list[Path], workers: int = 0, access_log: bool = False) -> str:
    """An nginx.conf that keeps its files under `prefix` and includes the given server blocks.

    workers=0 runs one process (no master); more starts a master and that many workers.
    """
    prefix = Path(prefix).absolute()
    temp = " ".join(f"{kind}_temp_path {prefix / kind};" for kind in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    process = "master_process off;" if workers == 0 else f"worker_processes {workers};"
    log = f"access_log {prefix / 'access.log'};" if access_log else "access_log off;"
    body = "\n".join(f"    include {path};" for path in includes)
    return (f"daemon off;\n{process}\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n    include {MIME_TYPES};\n    default_type application/octet-stream;\n"
            f"    {log}\n    {temp}\n    sendfile on;\n    tcp_nopush on;\n    keepalive_requests 100000;\n"
            f"{body}\n}}\n")


class Nginx:
    """nginx running `conf` from `prefix` until stopped; waits for `port` to accept connections."""

    def __init__(self, prefix: Path, conf: str, port: int):
        self.prefix, self.port = Path(prefix), port
        self.prefix.mkdir(parents=True, exist_ok=True)
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(conf, "utf-8")
        self.process: subprocess.Popen | None = None

    def command(self, *extra: str) -> list[str]:
        binary = nginx_binary()
        if binary is None:
            raise CsohelpError("nginx is not installed (apt-get install nginx)")
        return [binary, "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.prefix / "error.log"),
                *extra]

    def test(self) -> str:
        """`nginx -t`: raise with nginx's words when the configuration is refused."""
        done = subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise CsohelpError(f"nginx refused the configuration:\n{done.stderr}")
        return done.stderr

    def __enter__(self) -> Nginx:
        self.test()
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    err = self.process.stderr.read().decode() if self.process.stderr else ""
                    self.__exit__()
                    raise CsohelpError(f"nginx did not start: {err}{self.errors()}") from None
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: fast shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()

    def errors(self) -> str:
        """The error log so far."""
        log = self.prefix / "error.log"
        return log.read_text("utf-8", "replace") if log.exists() else ""
