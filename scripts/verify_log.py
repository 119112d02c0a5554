#!/usr/bin/env python3
"""Check a downloaded public log of Qinglian (清廉村社) without trusting its server.

    python3 verify_log.py events.jsonl [--head HEX]

Download the log from <site>/log/events.jsonl. Every line is one event in chain order; its
`hash` is SHA-256 over the canonical JSON (keys sorted, no spaces, UTF-8) of the fields
seq, at, subject, actor, action, changes and prev_hash, and its `prev_hash` is the hash of the
line before (64 zeros for the first). This script recomputes every hash and link, prints the
head and the count and exits 0 when all holds; it exits 1 naming the first bad line when a row
was changed, deleted, inserted or reordered, or when --head is given (e.g. the head printed in
the footer of a public page, or at <site>/log/head) and the file does not end at that head.
Only the standard library is used, so it runs on any Python 3.8+.
"""

import argparse
import hashlib
import json
import sys

GENESIS = "0" * 64
HASHED = ("seq", "at", "subject", "actor", "action", "changes", "prev_hash")


def row_hash(row: dict) -> str:
    body = {key: row[key] for key in HASHED}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify(lines, expected_head=None):
    """Return (head, count); raise ValueError("line N: reason") at the first fault."""
    previous, count = GENESIS, 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise ValueError(f"line {number}: not valid JSON") from None
        missing = [key for key in (*HASHED, "hash") if key not in row]
        if missing:
            raise ValueError(f"line {number}: missing {', '.join(missing)}")
        if row["seq"] != count + 1:
            raise ValueError(
                f"line {number}: sequence {row['seq']} where {count + 1} was expected "
                "(a row was deleted, inserted or moved)"
            )
        if row["prev_hash"] != previous:
            raise ValueError(f"line {number}: prev_hash does not match the line before")
        if row_hash(row) != row["hash"]:
            raise ValueError(f"line {number}: the content does not match its hash (changed)")
        previous, count = row["hash"], count + 1
    if expected_head and expected_head.lower() != previous:
        raise ValueError(f"the log ends at {previous}, not at the expected head {expected_head}")
    return previous, count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="the downloaded events.jsonl")
    parser.add_argument("--head", help="the head hash (hex) the log must end at")
    args = parser.parse_args(argv)
    try:
        with open(args.file, encoding="utf-8") as handle:
            head, count = verify(handle, args.head)
    except OSError as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"BROKEN: {exc}", file=sys.stderr)
        return 1
    print(f"OK: {count} events, head {head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
