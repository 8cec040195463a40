"""`csohelp serve --workers N`: N server processes, each with its own socket on the same port.

Each worker binds the port with SO_REUSEPORT, so the kernel spreads new connections evenly over
the workers (with one shared listening socket, as uvicorn's and gunicorn's workers use, the
busiest worker tends to accept most of them: measured in scripts/bench_db.py). The parent only
supervises: it restarts a worker that dies and passes SIGTERM/SIGINT on for a clean shutdown.
"""

from __future__ import annotations

import faulthandler
import io
import logging
import multiprocessing
import signal
import socket
import time
from typing import Any

from ..errors import CsohelpError

log = logging.getLogger(__name__)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port that other workers may share (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it Nagle + delayed ACKs cost ~40 ms per response (measured: 220 vs 600 req/s).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CsohelpError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    return sock


def dump_stacks_on_sigusr1() -> None:
    """`kill -USR1 <pid>` writes every thread's stack to stderr: a hung server says where it hangs."""
    try:
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    except (io.UnsupportedOperation, ValueError):  # stderr is no file (captured): nowhere to write
        pass


def _serve_one(host: str, port: int) -> None:
    """One worker: its own socket, the app built from the environment (CSOHELP_*)."""
    import uvicorn

    dump_stacks_on_sigusr1()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sock = bind(host, port)
    config = uvicorn.Config("csohelp.web:create_app", factory=True, log_level="warning",
                            proxy_headers=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


def run_workers(host: str, port: int, workers: int) -> None:
    """Start `workers` processes and keep them running until SIGTERM or SIGINT."""
    bind(host, port).close()  # the port is free (or ours): fail here with a clear message
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> Any:
        process = context.Process(target=_serve_one, args=(host, port), name="csohelp-worker")
        process.start()
        return process

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    processes = [start() for _ in range(workers)]
    started = [time.monotonic()] * workers
    try:
        while not stopping:
            time.sleep(0.5)
            for i, process in enumerate(processes):
                # A worker that died young (its database gone at start...) waits 5 s: no crash loop.
                if not process.is_alive() and not stopping and time.monotonic() - started[i] > 5:
                    log.warning("worker %s exited with %s: starting another", process.pid, process.exitcode)
                    processes[i], started[i] = start(), time.monotonic()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes its requests and the forwarder's send
        for process in processes:
            process.join(40)
            if process.is_alive():
                process.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
