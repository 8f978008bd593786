#!/usr/bin/env python3
"""Fills test/fixtures/pinned-uuids.json with uuids computed the way the earlier (Python)
importer made them, independently of src/uuid.ts (los-format.md, "Deterministic uuids"):

    gen0(s)          = uuid.UUID(hex=md5(s))
    gen(base, value) = uuid.UUID(hex=md5(str(gen0(base)) + value))

Usage: add the [base][value] pairs a test needs (any uuid, e.g. ""), then run
    python3 test/helpers/pinned-uuids.py
"""
import hashlib, json, pathlib, uuid

FILE = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "pinned-uuids.json"

def md5_uuid(text: str) -> uuid.UUID:
    return uuid.UUID(hex=hashlib.md5(text.encode("utf-8")).hexdigest())

def gen(base: str, value: str) -> str:
    return str(md5_uuid(str(md5_uuid(base)) + value))

table = json.loads(FILE.read_text(encoding="utf-8")) if FILE.exists() else {}
out = {base: {value: gen(base, value) for value in sorted(values)} for base, values in sorted(table.items())}
FILE.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"{sum(len(v) for v in out.values())} uuids in {FILE}")
