#!/usr/bin/env python3
"""Fails when function logs hold a secret or a full e-mail address.

Usage: check-logs.py LOGFILE...  (the output of `cargo lambda watch`, and the
local API front's access log in the template's format, after the end-to-end
test, the fuzz run and the browser suite). Also checks that the functions'
JSON log lines carry the Lambda request id.
"""
import json
import re
import sys

TOKEN = re.compile(r"AQ[A-Za-z0-9_-]{80,}")          # invite link token (version byte 0x01)
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

problems, json_lines, with_request_id = [], 0, 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            for name, rx in (("invite token", TOKEN), ("JWT", JWT), ("e-mail address", EMAIL)):
                m = rx.search(line)
                if m:
                    problems.append(f"{path}:{n}: {name}: {m.group(0)[:12]}...")
            if line.startswith("{"):
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                json_lines += 1
                if entry.get("span", {}).get("requestId"):
                    with_request_id += 1

print(f"check-logs: {json_lines} JSON log lines, {with_request_id} with a request id, {len(problems)} leaks")
for p in problems[:20]:
    print("  " + p)
if problems or with_request_id == 0:
    sys.exit(1)
