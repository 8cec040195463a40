"""Issue 9, item 6: a damaged search index never takes the server down (real `csohelp serve`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import free_port

CSOHELP = str(Path(sys.executable).with_name("csohelp"))


def publish(link: Path, folder: Path) -> None:
    """Swap the `search_index` symlink to `folder` at once, as the build does."""
    tmp = link.with_name(".swap")
    tmp.symlink_to(folder)
    os.replace(tmp, link)


# A segment's files (not one compound file): postings, terms, stored fields.
SEGMENT_FILES = ("*.pst", "*.trm", "*_stored.col")


def segment(index: Path, lang: str = "fr", pattern: str = "*.pst") -> Path:
    (seg,) = (index / lang).glob(pattern)
    return seg


@pytest.fixture
def served(built_project: Path, tmp_path: Path) -> Iterator[tuple[httpx.Client, Path, subprocess.Popen]]:
    good = tmp_path / "index-good"
    shutil.copytree((built_project / "search_index").resolve(), good)
    link = tmp_path / "search_index"
    publish(link, good)
    port = free_port()
    env = {**os.environ, "CSOHELP_INDEX_DIR": str(link), "CSOHELP_DB": str(tmp_path / "requests.db")}
    server = subprocess.Popen([CSOHELP, "serve", "--root", str(built_project), "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.get("/healthz")
            break
        except httpx.TransportError:
            assert server.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
    try:
        yield client, tmp_path, server
    finally:
        client.close()
        server.terminate()
        server.communicate(timeout=10)


def search(client: httpx.Client, q: str) -> httpx.Response:
    return client.get("/api/search", params={"q": q, "lang": "fr"})


def test_a_damaged_new_index_leaves_the_last_good_one_in_service(served):
    client, tmp, server = served
    assert search(client, "facture").json()["total"] > 0
    bad_meta = tmp / "index-badmeta"
    shutil.copytree(tmp / "index-good", bad_meta)
    (bad_meta / "meta.json").write_text('{"version": ', "utf-8")
    publish(tmp / "search_index", bad_meta)
    answer = search(client, "commande")
    assert answer.status_code == 200 and answer.json()["total"] > 0
    for n, pattern in enumerate(SEGMENT_FILES):
        truncated = tmp / f"index-truncated-{n}"
        shutil.copytree(tmp / "index-good", truncated)
        seg = segment(truncated, "fr", pattern)
        os.truncate(seg, seg.stat().st_size // 3)
        publish(tmp / "search_index", truncated)
        for q in ("livraison", "contrat", "numéro de série"):
            answer = search(client, q)
            assert answer.status_code == 200 and answer.json()["total"] > 0, (pattern, q)
    assert server.poll() is None


def test_a_segment_truncated_under_the_open_index_does_not_kill_the_process(served, built_project):
    client, tmp, server = served
    built = (built_project / "search_index").resolve()
    assert search(client, "facture").json()["total"] > 0
    for lang in ("fr", "en"):
        for pattern in SEGMENT_FILES:
            seg = segment(tmp / "index-good", lang, pattern)
            os.truncate(seg, 100)
    for q in ("commande", "livraison", "contrat de service", "inventaire"):
        try:
            answer = search(client, q)
        except httpx.TransportError:
            pytest.fail(f"the server died (exit {server.wait(5)}) on {q!r}")
        assert answer.status_code in (200, 500, 503)
        if answer.status_code != 200:
            assert set(answer.json()) == {"status", "error", "errors"}
    assert client.get("/request/").status_code == 200 and server.poll() is None
    # A good build published again is taken into service.
    fresh = tmp / "index-fresh"
    shutil.copytree(built, fresh)
    publish(tmp / "search_index", fresh)
    answer = search(client, "facture en double")
    assert answer.status_code == 200 and answer.json()["total"] > 0
