"""Browser-side accessibility probes for tests/test_a11y.py: axe-core, focus rings, keyboard steps."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[1]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0/2.1 A and AA, plus axe's best practices (landmarks, one h1...) reported as moderate.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")
AXE_ROUTE = "**/__a11y-tests__/axe.min.js"

# The focused element, described, with what makes its focus visible (an outline or a ring).
# Running transitions are finished first: the state that counts is the one the reader ends up seeing.
FOCUS_JS = """() => {
  for (const a of document.getAnimations()) { try { a.finish(); } catch (e) { /* infinite */ } }
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1;
  const ring = s.boxShadow && s.boxShadow !== 'none';
  let shown = r.width > 0 && r.height > 0 && s.visibility !== 'hidden';
  for (let n = el; n && shown; n = n.parentElement) {
    const ns = getComputedStyle(n);
    if (ns.display === 'none' || parseFloat(ns.opacity) === 0) shown = false;
  }
  const inView = r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  const name = (el.getAttribute('aria-label') || el.textContent || el.value || '').trim();
  const cls = typeof el.className === 'string' ? el.className.trim() : '';
  const desc = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (cls ? '.' + cls.split(/\\s+/).join('.') : '')
    + (el.getAttribute('href') ? '[href="' + el.getAttribute('href') + '"]' : '')
    + (name ? ' "' + name.replace(/\\s+/g, ' ').slice(0, 40) + '"' : '');
  return {desc, visible: (outline || ring) && shown && inView, outline, ring, shown, inView,
          href: el.getAttribute('href') || '', inContent: !!el.closest('.md-content'),
          inHeader: !!el.closest('header')};
}"""


def run_axe(page: Page) -> list[dict]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A/AA and best practices)."""
    if not AXE.is_file():  # fail at once (the route would leave the page waiting for a script)
        raise AssertionError(f"{AXE} is missing: run `npm ci` (make test does)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Served as if from the site itself, so the site's Content-Security-Policy (script-src
        # 'self', no inline script) stays on and still applies to everything the page runs.
        page.context.route(AXE_ROUTE, lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
        origin = page.evaluate("location.origin")
        page.add_script_tag(url=origin + AXE_ROUTE.removeprefix("**"))
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate("options => axe.run(document, options)", options)
    return result["violations"]


def describe(violations: list[dict]) -> str:
    """One line per violation and node: impact, rule id, CSS target, axe's explanation."""
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} node(s))")
        for node in v["nodes"][:8]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"      {json.dumps(node['target'])}: {summary[:300]}")
    return "\n".join(lines)


def focused(page: Page) -> dict | None:
    """What has the keyboard focus now, and whether its focus indicator can be seen."""
    return page.evaluate(FOCUS_JS)


def tab_until(page: Page, predicate_js: str, limit: int = 120, key: str = "Tab") -> list[dict]:
    """Press Tab until `predicate_js` (a JS arrow function of the focused element) holds.

    Returns every stop on the way (the last one satisfies the predicate); fails after `limit`.
    """
    stops: list[dict] = []
    for _ in range(limit):
        page.keyboard.press(key)
        stop = focused(page)
        if stop is not None:
            stops.append(stop)
        if page.evaluate(f"({predicate_js})(document.activeElement)"):
            return stops
    trail = "\n".join(s["desc"] for s in stops[-15:])
    raise AssertionError(f"not reached with {limit} x {key}; last stops:\n{trail}")


def tab_cycle(page: Page, limit: int = 200) -> list[dict]:
    """Every Tab stop of the page, from the top until focus leaves the document or comes round."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    stops: list[dict] = []
    seen: set[str] = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = focused(page)
        if stop is None:
            break
        key = page.evaluate("() => { const e = document.activeElement; "
                            "e.dataset.a11yStop = e.dataset.a11yStop || String(Math.random()); "
                            "return e.dataset.a11yStop; }")
        if key in seen:
            break
        seen.add(key)
        stops.append(stop)
    return stops
