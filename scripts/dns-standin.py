#!/usr/bin/env python3
"""A DNS stand-in for domain verification, started by scripts/stack.sh.

Answers TXT queries over UDP on 127.0.0.1:PORT from the folder DIR: one file
per name (`_invites-challenge.acme.test`), one record per line; `|` splits a
record into several strings (as DNS does past 255 bytes), and a file whose
first line is `CNAME <target>` answers as a recursive resolver would: the
CNAME, then the target's records. Any other name has no record (NXDOMAIN). The `domains` function reaches it through
INVITES_DNS_SERVER; tests and people add a record by writing a file:

    echo "invites-verification=..." >> "$INVITES_DNS_DIR/_invites-challenge.acme.test"
"""
import socket
import sys
from pathlib import Path

from dnslib import CNAME, QTYPE, RCODE, RR, TXT, DNSRecord


def records(folder: Path, name: str) -> list[str] | None:
    path = folder / name
    if "/" in name or name.startswith(".") or not path.is_file():
        return None
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def answer(data: bytes, folder: Path) -> bytes:
    query = DNSRecord.parse(data)
    reply = query.reply()
    owner = str(query.q.qname).rstrip(".").lower()
    lines = records(folder, owner)
    if lines is None:
        reply.header.rcode = RCODE.NXDOMAIN
    elif query.q.qtype == QTYPE.TXT:
        if lines and lines[0].startswith("CNAME "):
            target = lines[0].split(None, 1)[1].rstrip(".").lower()
            reply.add_answer(RR(query.q.qname, QTYPE.CNAME, rdata=CNAME(target + "."), ttl=60))
            owner, lines = target, records(folder, target) or []
        for line in lines:
            reply.add_answer(RR(owner + ".", QTYPE.TXT, rdata=TXT(line.split("|")), ttl=60))
    return reply.pack()


def main() -> None:
    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    print(f"dns: TXT records from {folder} on 127.0.0.1:{port}", flush=True)
    while True:
        data, peer = sock.recvfrom(4096)
        try:
            sock.sendto(answer(data, folder), peer)
        except Exception as e:  # a malformed query gets no answer
            print(f"dns: {e}", flush=True)


if __name__ == "__main__":
    main()
