"""What more than one rule reads the same way (not a rule: the loader skips this module)."""

from registry.text import fold


def contractor_key(name: str) -> str:
    """A contractor's name as compared: folded as everything typed is (`registry.text.fold`:
    NFKC, dashes, zero-width characters), case folded, without spaces (typed ones between
    Chinese words are noise). Empty for none."""
    return "".join(fold(name or "").casefold().split())
