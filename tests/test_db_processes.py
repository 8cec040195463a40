"""Many processes, one PostgreSQL: real `csohelp serve` processes, a real SMTP server, kill -9 and
a database restart in the middle of the load. Modest volumes (the 2,000-submission run is
scripts/bench_db.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest
from conftest import free_port
from pg_helpers import wait_until
from test_requests_forward import SmtpServer
from test_requests_web import FORM, GOOD, open_form

from csohelp.content import contact_for

CSOHELP = str(Path(sys.executable).with_name("csohelp"))


class Serve:
    """`csohelp serve` in its own process (its own process group, so kill -9 takes its workers)."""

    def __init__(self, root: Path, db_url: str, smtp_port: int, workers: int = 1, rate_limit: int = 0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "CSOHELP_DB": db_url, "CSOHELP_SMTP_HOST": "127.0.0.1",
               "CSOHELP_SMTP_PORT": str(smtp_port), "CSOHELP_SMTP_TO": "csol-intake@example.ca",
               "CSOHELP_SMTP_FROM": "aide@cso.example.ca", "CSOHELP_FORWARD_INTERVAL": "1",
               "CSOHELP_RATE_LIMIT": str(rate_limit), "CSOHELP_TRUSTED_PROXIES": "127.0.0.1"}
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([CSOHELP, "serve", "--root", str(root), "--port", str(self.port),
                                      "--workers", str(workers)], env=env, start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=self.log)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-20000:]

    def ready(self) -> bool:
        try:
            status = httpx.get(self.url + "/healthz", timeout=3).status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        self.seen[status] = self.seen.get(status, 0) + 1
        return status == 200

    def __enter__(self) -> Serve:
        self.seen: dict[int | str, int] = {}
        wait_until(lambda: self.ready() or self.proc.poll() is not None, timeout=60)
        if not self.ready():
            alive = self.proc.poll() is None
            if alive:  # every thread's stack, of the server and its workers, into the log
                os.killpg(self.proc.pid, signal.SIGUSR1)
                time.sleep(2)
            self.kill()
            output = self.output()
            self.log.close()  # __exit__ will not run: a leaked file would fail the next test too
            raise RuntimeError(f"csohelp serve did not start (running: {alive}, /healthz answered "
                               f"{self.seen}): {output}")
        return self

    def kill(self) -> None:
        """kill -9 of the whole process group (the server and its workers)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


CLIENTS: dict[int, httpx.Client] = {}


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    while CLIENTS:
        CLIENTS.popitem()[1].close()


def submit(url: str, client: int, n: int, key: str | None = None) -> tuple[int, str | None]:
    """One submission from client number `client`; (status, reference or None)."""
    # One connection pool per thread: no TLS context built per request.
    http = CLIENTS.setdefault(threading.get_ident(), httpx.Client(timeout=30)) \
        if threading.get_ident() not in CLIENTS else CLIENTS[threading.get_ident()]
    headers = {"X-Forwarded-For": f"198.51.100.{client}", "Idempotency-Key": key or f"c{client}-n{n}"}
    try:
        r = http.post(url + "/api/requests", json={**GOOD, "subject": f"client {client} n {n}"},
                            headers=headers)
    except httpx.HTTPError:
        return 0, None  # never acknowledged
    return r.status_code, r.json().get("reference") if r.status_code == 201 else None


def rows(db_url: str) -> list[tuple[str, int, str]]:
    with psycopg.connect(db_url) as conn:
        return conn.execute("SELECT reference, seq, status FROM requests ORDER BY seq").fetchall()


@pytest.fixture
def db_url(pg_cluster):
    return pg_cluster.create_database()


@pytest.fixture
def smtp_port():
    return free_port()


def test_two_servers_and_two_workers_share_one_truth(built_project, db_url, smtp_port, tmp_path):
    servers = Serve(built_project, db_url, smtp_port), Serve(built_project, db_url, smtp_port, workers=2)
    with SmtpServer(smtp_port) as inbox, servers[0] as one, servers[1] as two:
        urls = [one.url, two.url]
        jobs = [(urls[(client + n) % 2], client, n) for n in range(10) for client in range(1, 21)]
        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(lambda job: submit(*job), jobs))
            # Retries of the same key through the other server: the same reference, no new row.
            replays = list(pool.map(lambda job: submit(urls[(job[1] + job[2] + 1) % 2], job[1], job[2]),
                                    jobs[:40]))
            # A cron `csohelp requests forward` runs beside the servers' own forwarders.
            cron = subprocess.run([CSOHELP, "requests", "forward", "--root", str(tmp_path)],
                                  env={**os.environ, "CSOHELP_DB": db_url, "CSOHELP_SMTP_HOST": "127.0.0.1",
                                       "CSOHELP_SMTP_PORT": str(smtp_port),
                                       "CSOHELP_SMTP_TO": "csol-intake@example.ca"},
                                  capture_output=True, text=True, timeout=120)
        assert cron.returncode == 0, cron.stderr
        assert {status for status, _ in answers} == {201}
        assert replays == answers[:40]
        stored = rows(db_url)
        assert len(stored) == 200 and sorted(ref for ref, _, _ in stored) == sorted(r for _, r in answers)
        assert [seq for _, seq, _ in stored] == list(range(1, 201))  # unique and consecutive
        assert wait_until(lambda: len(inbox.messages) >= 200 and all(s == "sent" for *_, s in rows(db_url)),
                          timeout=90)
        time.sleep(1.5)  # one more forwarding interval: nothing may arrive twice
        # CSOL's copies only: the requesters' receipts carry no X-CSOL-Reference.
        delivered = [m["X-CSOL-Reference"] for m in inbox.messages if m["X-CSOL-Reference"]]
        assert sorted(delivered) == sorted(ref for ref, _, _ in stored)  # each exactly once


def test_the_rate_limit_holds_across_processes(built_project, db_url, smtp_port):
    servers = Serve(built_project, db_url, smtp_port, rate_limit=5), Serve(built_project, db_url, smtp_port,
                                                                          rate_limit=5)
    with servers[0] as one, servers[1] as two:
        statuses = [submit((one.url, two.url)[n % 2], 7, n)[0] for n in range(12)]
        other_client = submit(one.url, 8, 0)[0]
    assert statuses.count(201) == 5 and statuses.count(429) == 7
    assert other_client == 201


def test_kill_9_of_one_server_mid_load_loses_no_acknowledged_request(built_project, db_url, smtp_port):
    servers = Serve(built_project, db_url, smtp_port), Serve(built_project, db_url, smtp_port)
    with servers[0] as one, servers[1] as two:
        acknowledged: list[str] = []
        lock = threading.Lock()

        def client(number: int) -> None:
            for n in range(12):
                status, ref = submit((one.url, two.url)[n % 2], number, n)
                if ref:
                    with lock:
                        acknowledged.append(ref)

        threads = [threading.Thread(target=client, args=(c,)) for c in range(1, 11)]
        for t in threads:
            t.start()
        assert wait_until(lambda: len(acknowledged) >= 20, timeout=30)
        one.kill()
        for t in threads:
            t.join()
        assert submit(two.url, 99, 0)[0] == 201  # the survivor goes on
    stored = {ref for ref, _, _ in rows(db_url)}
    assert len(acknowledged) >= 60 and set(acknowledged) <= stored  # 0 acknowledged lost
    assert [seq for _, seq, _ in rows(db_url)] == list(range(1, len(stored) + 1))


def test_a_database_restart_mid_load_loses_nothing_and_the_server_recovers(built_project, pg_cluster,
                                                                          db_url, smtp_port):
    with Serve(built_project, db_url, smtp_port) as server:
        acknowledged: list[str] = []
        statuses: list[int] = []
        stop = threading.Event()

        def client(number: int) -> None:
            n = 0
            while not stop.is_set():
                status, ref = submit(server.url, number, n)
                statuses.append(status)
                if ref:
                    acknowledged.append(ref)
                n += 1
                time.sleep(0.02)

        threads = [threading.Thread(target=client, args=(c,)) for c in range(1, 6)]
        for t in threads:
            t.start()
        assert wait_until(lambda: len(acknowledged) >= 20, timeout=30)
        pg_cluster.stop("immediate")  # a crash of the database, mid-load
        try:
            time.sleep(2)
            # Meanwhile: submissions are 503 + Retry-After, the site and search keep answering.
            down = httpx.post(server.url + "/api/requests", json=GOOD, timeout=30)
            assert down.status_code == 503 and down.headers["Retry-After"]
            assert httpx.get(server.url + "/api/search?q=facture", timeout=10).status_code == 200
            assert httpx.get(server.url + "/", timeout=10).status_code == 200
            with httpx.Client(base_url=server.url, timeout=30) as browser:
                form = browser.post("/en/request/", data={**FORM, **open_form(browser)})
            # The form keeps every value and gives CSOL's phone.
            assert form.status_code == 503 and form.headers["Retry-After"]
            assert f"call CSOL at {contact_for('en')['phone']}" in form.text
            assert 'value="Acme Ltée"' in form.text and "Invoice 42 came twice." in form.text
        finally:
            pg_cluster.start()
        before = len(acknowledged)
        # Recovery without a restart of csohelp.
        assert wait_until(lambda: len(acknowledged) >= before + 20, timeout=60)
        stop.set()
        for t in threads:
            t.join()
        assert 503 in statuses
    stored = {ref for ref, _, _ in rows(db_url)}
    assert set(acknowledged) <= stored


def test_sqlite_with_two_workers_counts_limits_and_keys_in_the_file(built_project, tmp_path, smtp_port):
    db = f"sqlite:///{tmp_path / 'requests.db'}"
    with Serve(built_project, db, smtp_port, workers=2, rate_limit=5) as server:
        # A new connection each time, so the kernel spreads them over both workers.
        # Three replays first (they never count), then eight new submissions: five pass.
        keys = ["k0"] * 4 + [f"k{n}" for n in range(1, 9)]
        answers = [httpx.post(server.url + "/api/requests", json=GOOD, timeout=30,
                              headers={"Idempotency-Key": key}) for key in keys]
    statuses = [a.status_code for a in answers]
    assert statuses.count(201) == 8 and statuses.count(429) == 4
    assert len({a.json()["reference"] for a in answers if a.status_code == 201}) == 5  # 5 keys, 5 rows


def test_serve_refuses_to_start_without_its_database(built_project, monkeypatch, capsys):
    from csohelp.cli import main

    monkeypatch.setenv("CSOHELP_DB", "postgresql://csohelp@127.0.0.1:1/nowhere")
    started = time.monotonic()
    assert main(["serve", "--root", str(built_project), "--port", str(free_port())]) == 1
    assert capsys.readouterr().err.startswith("error: cannot reach the database postgresql://csohelp@127.0.0.1:1")
    assert time.monotonic() - started < 10


def test_a_worker_killed_with_9_is_replaced_and_the_port_keeps_answering(built_project, tmp_path, smtp_port):
    db = f"sqlite:///{tmp_path / 'requests.db'}"
    with Serve(built_project, db, smtp_port, workers=2) as server:
        def workers() -> list[int]:
            found = []
            for pid in Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split():
                try:
                    command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
                except OSError:  # exited between the two reads
                    continue
                if "resource_tracker" not in command:
                    found.append(int(pid))
            return found

        def listening() -> int:
            out = subprocess.run(["ss", "-Hltn", f"( sport = :{server.port} )"], capture_output=True,
                                 text=True).stdout
            return len(out.splitlines())

        first = workers()
        assert len(first) == 2
        assert wait_until(lambda: listening() == 2, timeout=60)  # both workers have bound the port
        os.kill(first[0], signal.SIGKILL)
        time.sleep(0.5)
        # New connections go to the surviving worker's socket meanwhile.
        assert all(httpx.get(server.url + "/healthz", timeout=10).status_code == 200 for _ in range(10))
        assert wait_until(lambda: len(workers()) == 2 and first[0] not in workers(), timeout=30)
        assert httpx.post(server.url + "/api/requests", json=GOOD, timeout=30).status_code == 201


def test_sigusr1_writes_every_stack_of_the_server_and_its_workers_and_serving_goes_on(
        built_project, tmp_path, smtp_port):
    db = f"sqlite:///{tmp_path / 'requests.db'}"
    with Serve(built_project, db, smtp_port, workers=2) as server:
        os.killpg(server.proc.pid, signal.SIGUSR1)
        assert wait_until(lambda: server.output().count("Current thread") >= 3, timeout=10)
        assert "_serve_one" in server.output() and "run_workers" in server.output()
        assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
        assert server.proc.poll() is None


def test_a_worker_socket_is_shared_by_port_and_declared_tcp():
    import socket

    from csohelp.web.workers import bind

    port = free_port()
    first, second = bind("127.0.0.1", port), bind("127.0.0.1", port)  # SO_REUSEPORT: both listen
    try:
        # proto 0 would make asyncio skip TCP_NODELAY: ~40 ms Nagle stalls on every response.
        assert first.proto == socket.IPPROTO_TCP
        assert first.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
    finally:
        first.close()
        second.close()
