"""Measure the front door in a real browser (issue 11): type-ahead panel edges, the blank band above
the breadcrumb, the home's fold, the size of the agents' copy block. Usage:
    .venv/bin/csohelp serve --port 8950 &  .venv/bin/python scripts/measure_front.py http://127.0.0.1:8950
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright


def main(base: str) -> None:
    """Print one line per measure."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        for width in (390, 320):
            page = browser.new_page(viewport={"width": width, "height": 844})
            page.goto(base + "/en/billing/invoice-dispute/")
            page.locator("header [role=combobox]").click()
            page.keyboard.type("order", delay=30)
            panel = page.locator("header [role=listbox]")
            panel.locator("[role=option]").first.wait_for(state="visible")
            box = panel.bounding_box()
            header = page.locator("header.md-header").bounding_box()
            crumb = page.locator(".csohelp-breadcrumb").bounding_box()
            copy = page.locator(".csohelp-copy").bounding_box()
            print(f"{width}px: panel x={box['x']:.0f}..{box['x'] + box['width']:.0f}; "
                  f"band above breadcrumb {crumb['y'] - header['y'] - header['height']:.0f}px; "
                  f"copy block {copy['height']:.0f}px high ({100 * copy['height'] / 844:.1f}% of the screen)")
            page.close()
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base + "/")
        last = page.locator(".csohelp-front__list a").last.bounding_box()
        print(f"1280px home: last common question ends at y={last['y'] + last['height']:.0f} (fold 800); "
              f"title {page.title()!r}")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8950")
