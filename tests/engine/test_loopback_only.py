"""After `inv up`, every socket the emulator's processes listen on is bound to 127.0.0.1.

The listening sockets come from /proc/net/tcp{,6} (state 0A = LISTEN), matched
to the server's process tree through the socket inodes in /proc/<pid>/fd.
"""

import json
import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc to list sockets")

LISTEN = "0A"


def process_tree(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(children.get(pid, []))
    return tree


def socket_inodes(pids: set[int]) -> set[str]:
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
    return inodes


def address(hex_address: str) -> str:
    host = hex_address.split(":")[0]
    if len(host) == 8:
        return ".".join(str(int(host[i:i + 2], 16)) for i in (6, 4, 2, 0))
    return "::1" if host == "00000000000000000000000001000000" else f"ipv6:{host}"


def listening(inodes: set[str]) -> list[str]:
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == LISTEN and fields[9] in inodes:
                found.append(f"{address(fields[1])}:{int(fields[1].split(':')[1], 16)}")
    return found


def test_the_emulator_and_its_cache_server_listen_on_loopback_only(runner):
    assert runner("up").returncode == 0
    record = json.loads(runner("status", "--json").stdout)
    sockets = listening(socket_inodes(process_tree(record["pid"])))
    print(f"listening sockets of the emulator's process tree: {sockets}", file=sys.stderr)
    assert len(sockets) >= 2, f"expected the emulator and the cache server, found {sockets}"
    assert all(s.startswith(("127.0.0.1:", "::1:")) for s in sockets), sockets
