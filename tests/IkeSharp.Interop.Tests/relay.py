#!/usr/bin/env python3
"""An impairing UDP relay between two namespaces (issue 7 section 3: netem is not in this kernel).

Usage: relay.py LEFT_IP RIGHT_IP OURS_IP THEIRS_IP SEED LOSS DUP REORDER
Listens on LEFT_IP and RIGHT_IP, ports 500 and 4500. A datagram from OURS_IP to LEFT_IP:P goes on
from RIGHT_IP:P to THEIRS_IP:P, and the other way round to the port OURS_IP last used; so each side
sees the relay as its peer, as behind a NAT. Each datagram is dropped with probability LOSS, sent
twice with DUP, or held back and sent after the next one (or after 50 ms) with REORDER, all drawn
from one seeded random stream. Prints counts on SIGTERM.
"""
import random
import select
import signal
import socket
import sys
import time

left_ip, right_ip, ours_ip, theirs_ip = sys.argv[1:5]
rng = random.Random(int(sys.argv[5]))
loss, dup, reorder = float(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
counts = {"in": 0, "dropped": 0, "duplicated": 0, "reordered": 0}
left, right, ours_port, held = {}, {}, {}, {}
for port in (500, 4500):
    for table, ip in ((left, left_ip), (right, right_ip)):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ip, port))
        table[port] = s
    ours_port[port] = port


def stop(*_):
    print(" ".join(f"{k}={v}" for k, v in counts.items()), flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)


def send(sock, data, dest):
    try:
        sock.sendto(data, dest)
    except OSError:
        pass


def forward(port, sock, data, dest):
    counts["in"] += 1
    key = (port, dest)
    if rng.random() < loss:
        counts["dropped"] += 1
        return
    copies = 2 if rng.random() < dup else 1
    counts["duplicated"] += copies - 1
    if key not in held and rng.random() < reorder:
        counts["reordered"] += 1
        held[key] = (sock, data, time.monotonic() + 0.05)
        return
    for _ in range(copies):
        send(sock, data, dest)
    if key in held:
        s, d, _ = held.pop(key)
        send(s, d, dest)


readers = list(left.values()) + list(right.values())
while True:
    ready, _, _ = select.select(readers, [], [], 0.01)
    for sock in ready:
        data, (src, sport) = sock.recvfrom(65535)
        for port in (500, 4500):
            if sock is left[port] and src == ours_ip:
                ours_port[port] = sport
                forward(port, right[port], data, (theirs_ip, port))
            elif sock is right[port] and src == theirs_ip:
                forward(port, left[port], data, (ours_ip, ours_port[port]))
    now = time.monotonic()
    for key in [k for k, v in held.items() if v[2] <= now]:
        s, d, _ = held.pop(key)
        send(s, d, key[1])
