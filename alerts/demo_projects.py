"""Planted project cases for the demo (filled in by the project rules)."""


def plant() -> None:
    """Projects that trip W05-W09 and W11, and near misses that must not."""
