"""The client's own words: an email's sign-off is who writes, not what is asked."""

from __future__ import annotations

import subprocess
import sys

import pytest

from csohelp.search.client import without_sign_off
from csohelp.search.spelling import swapped_everyday


@pytest.mark.parametrize("typed, read", [
    ("Can we use this service? Thanks, Hank Vogel, Medicine Hat", "Can we use this service"),
    ("Quels types de demandes pouvez-vous traiter? Merci, Karine Lévesque",
     "Quels types de demandes pouvez-vous traiter"),
    ("Who do I talk to? Regards, Sandra", "Who do I talk to"),
    ("invoice is wrong. Thank you in advance, J. Tremblay", "invoice is wrong"),
    # Not a sign-off: the thanks ask for something, or nothing is asked before them.
    ("merci de confirmer la livraison", "merci de confirmer la livraison"),
    ("thanks, order status", "thanks, order status"),
    ("invoice wrong thanks", "invoice wrong thanks"),
    ("where is my order? thanks for the help with our account last week",
     "where is my order? thanks for the help with our account last week"),
])
def test_a_sign_off_and_the_name_after_it_are_left_out(typed: str, read: str) -> None:
    assert without_sign_off(typed) == read


def test_a_hostile_tail_after_thanks_is_read_in_linear_time() -> None:
    # A name pattern that could split a word anywhere took a minute on 400 letters (backtracking),
    # and a query may hold 500 characters. The regex holds the GIL, so a thread cannot time it
    # out: a child process does, and a regression fails instead of hanging the suite.
    script = (
        "from csohelp.search.client import without_sign_off as w\n"
        "for tail in ('a' * 460 + '@', 'ab ' * 150 + '@', 'a,' * 230 + '@'):\n"
        "    typed = 'where is my order? thanks, ' + tail\n"
        "    assert w(typed) == typed\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=20)


@pytest.mark.parametrize("typed, meant", [
    ("firday", "friday"), ("contcat", "contact"), ("friday", None), ("pya", None), ("zqxwv", None),
])
def test_an_everyday_word_with_two_letters_swapped_is_recognized(typed: str, meant: str | None) -> None:
    assert swapped_everyday(typed) == meant
