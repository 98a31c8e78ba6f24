#!/usr/bin/env python3
"""Checks that every tool's usage block in the docs is its `--help` output, word for word.

A usage block is a fenced code block whose first line starts with `usage: pwemoe-`. Each tool
given must have exactly one in the documents given, and that block must equal what
`TOOL --help` prints. With --write the blocks are rewritten from the tools instead (after a flag
changes), and a line `@@HELP TOOL@@` alone on a line becomes that tool's block.

usage: usage_blocks.py [--write] --docs FILE.md [--docs ...] TOOL_BINARY [TOOL_BINARY ...]
Exit 0 when every block matches, 1 naming the first tool (file, line) that differs, 2 on misuse.
"""
import argparse
import os
import re
import subprocess
import sys

FENCE = "```"


def help_text(binary):
    out = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise SystemExit(f"{binary} --help exited {out.returncode}: {out.stderr.strip()}")
    return out.stdout.rstrip("\n")


def usage_blocks(path):
    """[(tool, first_line_index, last_line_index, text)] of the usage blocks of `path`."""
    lines = open(path, encoding="utf-8").read().split("\n")
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].strip() == FENCE and i + 1 < len(lines) and lines[i + 1].startswith("usage: pwemoe-"):
            end = i + 1
            while end < len(lines) and lines[end].strip() != FENCE:
                end += 1
            if end == len(lines):
                raise SystemExit(f"{path}:{i + 1}: usage block without its closing fence")
            tool = lines[i + 1].split()[1]
            blocks.append((tool, i, end, "\n".join(lines[i + 1:end])))
            i = end
        i += 1
    return lines, blocks


def write(paths, helps):
    for path in paths:
        lines, blocks = usage_blocks(path)
        for tool, start, end, _ in reversed(blocks):
            if tool in helps:
                lines[start + 1:end] = helps[tool].split("\n")
        text = "\n".join(lines)
        text = re.sub(r"^@@HELP (\S+)@@$",
                      lambda m: f"{FENCE}\n{helps[m.group(1)]}\n{FENCE}" if m.group(1) in helps else m.group(0),
                      text, flags=re.M)
        open(path, "w", encoding="utf-8").write(text)


def check(paths, helps):
    seen = {}
    for path in paths:
        _, blocks = usage_blocks(path)
        for tool, start, _, text in blocks:
            where = f"{path}:{start + 2}"
            if tool not in helps:
                print(f"{where}: usage block of '{tool}', which is not a tool given to the check")
                return 1
            if tool in seen:
                print(f"{where}: a second usage block of {tool} (the first is at {seen[tool]})")
                return 1
            seen[tool] = where
            if text != helps[tool]:
                want, got = helps[tool].split("\n"), text.split("\n")
                n = next((k for k in range(max(len(want), len(got)))
                          if k >= len(want) or k >= len(got) or want[k] != got[k]), 0)
                print(f"{where}: the usage block of {tool} differs from its --help at block line {n + 1}:\n"
                      f"  docs:   {got[n] if n < len(got) else '(missing)'}\n"
                      f"  --help: {want[n] if n < len(want) else '(missing)'}\n"
                      f"regenerate with: {sys.argv[0]} --write --docs {path} <tool binaries>")
                return 1
    missing = sorted(set(helps) - set(seen))
    if missing:
        print(f"no usage block for {', '.join(missing)} in {', '.join(paths)}")
        return 1
    print(f"{len(seen)} usage blocks match their tools' --help")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--write", action="store_true")
    p.add_argument("--docs", action="append", required=True)
    p.add_argument("tools", nargs="+")
    a = p.parse_args()
    helps = {os.path.basename(t): help_text(t) for t in a.tools}
    if a.write:
        write(a.docs, helps)
        return 0
    return check(a.docs, helps)


if __name__ == "__main__":
    sys.exit(main())
