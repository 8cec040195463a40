"""One family of errors: the CLI prints them cleanly, the web app maps them to one JSON shape."""

from __future__ import annotations

from dataclasses import dataclass


class CsohelpError(Exception):
    """Base of every error this package raises on purpose; its message is meant for people."""


@dataclass(frozen=True, order=True)
class Problem:
    """One content problem: where it is and what is wrong."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ContentError(CsohelpError):
    """Invalid content: carries every problem found, so the owner fixes them in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the content; nothing was published:"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


class BuildError(CsohelpError):
    """A build step (mkdocs, index, PDF) failed; the last good output stays in place."""


class QueryError(CsohelpError):
    """A search query that cannot be answered; `messages` holds the text per language."""

    def __init__(self, messages: dict[str, str]):
        self.messages = messages
        super().__init__(messages.get("en") or next(iter(messages.values())))

    def message_for(self, lang: str) -> str:
        """The message in the reader's language, English when that one is missing."""
        return self.messages.get(lang) or self.messages["en"]
