"""The build: validate → render pages → mkdocs → index and PDFs → swap the outputs in at once."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .content import LANGS, Corpus, load_corpus
from .errors import BuildError, ContentError
from .glossary import GLOSSARY_FILE, load_glossary
from .pages import STRINGS, render_pages
from .pdf import plan_downloads, render_plan
from .plan import Plan, load_plan

CATALOGUE = "catalogue.json"
LOCK = ".build.lock"
# How long a second build waits for the first (a full build takes well under a minute here):
# waiting, not failing, so a cron build and a hand-run one both end with the newest content.
LOCK_WAIT = float(os.environ.get("CSOHELP_BUILD_WAIT", "900"))


@dataclass
class Paths:
    """Where a build reads and writes; everything relative to one project folder by default."""

    root: Path
    faq: Path | None = None
    plan: Path | None = None
    docs: Path | None = None
    site: Path | None = None
    index: Path | None = None
    work: Path | None = None
    mkdocs_yml: Path | None = None

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        for name, default in [
            ("faq", "faq"), ("plan", "plan"), ("docs", "docs"), ("site", "site"),
            ("index", "search_index"), ("work", "build"), ("mkdocs_yml", "mkdocs.yml"),
        ]:
            value = getattr(self, name)
            setattr(self, name, Path(value) if value else self.root / default)


@dataclass
class BuildResult:
    """What a build produced, with the time of each stage in seconds."""

    corpus: Corpus
    site: Path
    timings: dict[str, float] = field(default_factory=dict)


# A stage after mkdocs takes (corpus, paths, new_site, stamp); it writes into new_site, or
# returns (new_folder, published_name) for a folder of its own to swap in with the site.
Stage = Callable[[Corpus, Paths, Path, str], "tuple[Path, Path] | None"]


def stages() -> list[Stage]:
    """The stages that run after mkdocs, in order (imported here: build orchestrates them)."""
    from .deploy.precompress import precompress_stage
    from .search import index_stage

    return [index_stage, precompress_stage]  # precompress last: it gzips what the others wrote


def load_content(
    faq_dir: Path, plan_dir: Path | None, today: date | None = None
) -> tuple[Corpus, Plan | None]:
    """Validate faq/ and plan/ together, so one run reports the problems of both."""
    problems = []
    corpus = plan = None
    try:
        corpus = load_corpus(faq_dir, today=today)
    except ContentError as exc:
        problems += exc.problems
    if plan_dir is not None:
        try:
            plan = load_plan(plan_dir)
        except ContentError as exc:
            problems += exc.problems
    if (Path(faq_dir) / GLOSSARY_FILE).exists():  # the terms the content test holds topics to
        try:
            load_glossary(Path(faq_dir))
        except ContentError as exc:
            problems += exc.problems
    if problems:
        raise ContentError(problems)
    return corpus, plan


@contextmanager
def build_lock(work: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the project's build lock (flock on build/.build.lock) or raise BuildError after `wait` s.

    Two builds at once would publish and tidy each other's folders; the kernel drops the lock
    when a build dies, so a killed build never blocks the next one.
    """
    wait = LOCK_WAIT if wait is None else wait
    work.mkdir(parents=True, exist_ok=True)
    fd = os.open(work / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
                    raise BuildError(f"another build (pid {holder}) is still running in {work.parent} "
                                     f"after {wait:.0f} s; the published site was kept") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def build_site(paths: Paths, today: date | None = None, lock_wait: float | None = None) -> BuildResult:
    """Build everything from faq/ into fresh folders, then publish them; raise on any problem.

    One build at a time per project (build_lock): a second one waits for the first.
    """
    with build_lock(paths.work, lock_wait):
        return _build(paths, today)


def _build(paths: Paths, today: date | None) -> BuildResult:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    corpus, plan = load_content(paths.faq, paths.plan, today)
    timings["validate"] = time.perf_counter() - started

    stamp = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.perf_counter_ns() % 10**6}"
    paths.work.mkdir(parents=True, exist_ok=True)
    new_docs = paths.work / f"docs-{stamp}"
    new_site = paths.work / f"site-{stamp}"
    new_pdfs = paths.work / f"pdf-{stamp}"
    publish: list[tuple[Path, Path]] = []
    try:
        t = time.perf_counter()
        render_pages(corpus, new_docs)
        timings["render"] = time.perf_counter() - t

        # The PDFs come before mkdocs: every page's footer links them with their size and date.
        t = time.perf_counter()
        render_plan(plan, new_pdfs)
        downloads = plan_downloads(plan, new_pdfs)
        timings["pdf"] = time.perf_counter() - t

        t = time.perf_counter()
        run_mkdocs(corpus, paths.mkdocs_yml, new_docs, new_site, extra={"csohelp_plan": downloads})
        shutil.copytree(new_pdfs, new_site, dirs_exist_ok=True)  # after: mkdocs empties its site_dir
        write_catalogue(corpus, new_site / CATALOGUE)
        timings["mkdocs"] = time.perf_counter() - t

        for stage in stages():
            t = time.perf_counter()
            produced = stage(corpus, paths, new_site, stamp)
            timings[getattr(stage, "__name__", "stage")] = time.perf_counter() - t
            if produced:
                publish.append(produced)
    except BaseException:
        for folder in [new_docs, new_site, *(p[0] for p in publish)]:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(new_pdfs, ignore_errors=True)
    publish_dir(new_docs, paths.docs)
    publish_dir(new_site, paths.site)
    for folder, target in publish:
        publish_dir(folder, target)
    timings["total"] = time.perf_counter() - started
    return BuildResult(corpus, paths.site, timings)


def build_nav(corpus: Corpus) -> list[str]:
    """The navigation: home and the categories, in order; titles come from the pages.

    Topics stay out of it: Material writes the nav into every page, so listing the topics
    would make each page carry its whole category (quadratic in topics). Topics are reached
    from their category page and show a breadcrumb.
    """
    return ["index.md", *(f"{c.id}/index.md" for c in corpus.categories)]


class _Collect(logging.Handler):
    """Keeps mkdocs warnings so a failed build can say what went wrong."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(
    corpus: Corpus, mkdocs_yml: Path, docs_dir: Path, site_dir: Path, extra: dict | None = None
) -> None:
    """Run `mkdocs build --strict` in-process on the rendered pages; `extra` joins config.extra."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collect = _Collect()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(collect)
    try:
        config = load_config(
            str(mkdocs_yml), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=True,
            nav=build_nav(corpus),
        )
        config.extra.update(extra or {})  # read by the templates, e.g. the footer's PDF link
        build(config)
    except MkDocsException as exc:
        details = "\n".join(collect.messages) or str(exc)
        raise BuildError(f"mkdocs build failed; the published site was kept:\n{details}") from None
    finally:
        mkdocs_log.removeHandler(collect)
    if collect.messages:
        raise BuildError("mkdocs warnings; the published site was kept:\n" + "\n".join(collect.messages))


def write_catalogue(corpus: Corpus, path: Path) -> None:
    """A JSON list of topics (ids, aliases, urls, titles) the web app reads with the site."""
    topics = [
        {
            "id": t.id, "category": t.category, "aliases": t.aliases,
            "request_type": t.request_type, "reviewed": t.reviewed.isoformat(),
            **{lang: {"title": t.text(lang).title, "summary": t.text(lang).summary,
                      "url": t.url(lang)} for lang in LANGS},
        }
        for t in corpus.topics
    ]
    categories = [
        {"id": c.id, **{lang: {"title": c.text(lang).title, "url": c.url(lang)} for lang in LANGS}}
        for c in corpus.categories
    ]
    data = {"topics": topics, "categories": categories, "most_asked": corpus.most_asked, "site_name": {
        lang: STRINGS[lang]["site_name"] for lang in LANGS}}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")


def publish_dir(new: Path, target: Path) -> None:
    """Point `target` at `new` in one atomic step (a symlink swap); tidy up old builds."""
    link_tmp = target.with_name(f".{target.name}.swap")
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    link_tmp.symlink_to(os.path.relpath(new, target.parent))
    if target.exists() and not target.is_symlink():
        # A real folder (first build, or made by hand): move it aside, then swap.
        shutil.rmtree(target)
    previous = target.resolve() if target.is_symlink() else None
    os.replace(link_tmp, target)
    prefix = new.name.split("-", 1)[0] + "-"
    # Keep the new one, the one just replaced (a running server may still be reading it) and
    # whatever any published link points at; the build lock guarantees no other build is
    # writing here, so anything else is a leftover of a replaced or killed build.
    keep = {new.resolve(), previous} | published_targets(target.parent)
    for old in new.parent.glob(prefix + "*"):
        if old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)


def published_targets(folder: Path) -> set[Path]:
    """The folders the symlinks in `folder` (site, docs, search_index...) point at."""
    return {entry.resolve() for entry in folder.iterdir() if entry.is_symlink()}
