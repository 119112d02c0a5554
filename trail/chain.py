"""The hash chain of the public event log (步步留痕), in plain Python.

A row's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of the fields
below, `prev_hash` included, so changing, deleting, inserting or reordering any row breaks
every later link. Nothing here touches the database, so anyone can re-walk an exported log.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("seq", "at", "subject", "actor", "action", "changes", "prev_hash")


def canonical_json(data: Mapping) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def row_hash(row: Mapping) -> str:
    return hashlib.sha256(canonical_json({k: row[k] for k in HASHED_FIELDS})).hexdigest()


class BrokenChain(Exception):
    def __init__(self, seq: object, reason: str):
        super().__init__(f"event {seq}: {reason}")
        self.seq = seq
        self.reason = reason


def verify_rows(rows: Iterable[Mapping]) -> tuple[str, int]:
    """Walk rows in chain order: (head hash, count), or BrokenChain at the first bad row."""
    prev, count, expected_seq = GENESIS_HASH, 0, None
    for row in rows:
        seq = row.get("seq")
        if expected_seq is not None and seq != expected_seq:
            raise BrokenChain(seq, f"sequence jumps from {expected_seq - 1} to {seq}")
        if row.get("prev_hash") != prev:
            raise BrokenChain(seq, "prev_hash does not match the hash of the row before it")
        if row_hash(row) != row.get("hash"):
            raise BrokenChain(seq, "the row's content does not match its hash")
        prev, count, expected_seq = row["hash"], count + 1, seq + 1
    return prev, count
