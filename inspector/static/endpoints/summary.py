"""What ``visit`` hands to ``link`` for one file (picklable, cached by content hash)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .values import Folded, How

# Most telling first: the rule of a hidden endpoint names the first technique found here.
SLUG_PRIORITY = ("base64", "hex", "charcode", "reversed", "rot13", "percent-encoding", "escape", "concatenation")


@dataclass(frozen=True)
class Found:
    """An endpoint fully known inside one file."""

    host: str
    url: str | None
    port: int | None
    line: int
    column: int
    how: str
    hidden: str | None  # slug of the hiding technique, None for a plain literal
    evidence: str


@dataclass(frozen=True)
class Deferred:
    """A value that needs the .env files or another module before it can be read."""

    value: Folded
    line: int
    column: int
    evidence: str
    host_context: bool
    port: int | None


@dataclass(frozen=True)
class FileSummary:
    found: tuple[Found, ...] = ()
    deferred: tuple[Deferred, ...] = ()
    exports: dict[str, Folded] = field(default_factory=dict)
    language: str = ""
    budget_spent: bool = False  # folding stopped early; later values were read as plain literals
    decoders: dict[str, tuple[str, ...]] = field(default_factory=dict)  # function -> decoder chain
    cut: str = ""  # why the walk stopped early (step or time budget, nesting depth), for a finding


def how_label(hows: tuple[How, ...], *, comment: bool = False) -> str:
    if comment:
        return "comment"
    if not hows:
        return "literal"
    return " then ".join(how.label for how in hows)


def hidden_slug(host: str, hows: tuple[How, ...], pieces: tuple[str, ...]) -> str | None:
    """A host is hidden when no literal as written contains it; name the technique that hid it."""
    lowered = host.lower()
    if any(lowered in piece.lower() for piece in pieces):
        return None
    slugs = {how.slug for how in hows}
    return next((slug for slug in SLUG_PRIORITY if slug in slugs), "concatenation")
