#!/usr/bin/env python3
"""An impairing UDP relay between two namespaces (issue 7 section 3: netem is not in this kernel).

Usage: relay.py LEFT_IP RIGHT_IP OURS_IP THEIRS_IP SEED LOSS DUP REORDER [RULE ...]
Listens on LEFT_IP and RIGHT_IP, ports 500 and 4500. A datagram from OURS_IP to LEFT_IP:P goes on
from RIGHT_IP:P to THEIRS_IP:P, and the other way round to the port OURS_IP last used; so each side
sees the relay as its peer, as behind a NAT. Each datagram is dropped with probability LOSS, sent
twice with DUP, or held back and sent after the next one (or after 50 ms) with REORDER, all drawn
from one seeded random stream. Prints counts on SIGTERM.

Hostile rules (issue 7 section 4), each DIR:EXCHANGE:KIND:N, where DIR is to-theirs or to-ours,
EXCHANGE the IKE exchange type number (34 IKE_SA_INIT, 35 IKE_AUTH, 36 CREATE_CHILD_SA,
37 INFORMATIONAL), KIND req or resp, and N counts such IKE datagrams in that direction from 1:
  corrupt=DIR:EXCHANGE:KIND:N  flips one byte of the N-th such datagram inside its encrypted part
                               (24 bytes before its end: ciphertext, before the ICV), so its ICV fails;
  capture=DIR:EXCHANGE:KIND:N  keeps a copy of the N-th such datagram; on SIGUSR1 every copy is
                               sent again, as it was, in its direction (a replay).
Each IKE datagram is logged on stdout as it passes: "ike DIR EXCHANGE KIND mid=M len=L [corrupted]".
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
rules = []
for arg in sys.argv[9:]:
    action, _, spec = arg.partition("=")
    direction, exchange, kind, nth = spec.split(":")
    if action not in ("corrupt", "capture") or direction not in ("to-theirs", "to-ours") or kind not in ("req", "resp"):
        sys.exit(f"relay.py: bad rule {arg!r}; expected corrupt=|capture=DIR:EXCHANGE:KIND:N")
    rules.append((action, direction, int(exchange), kind, int(nth)))
if rules:
    counts.update({"corrupted": 0, "captured": 0, "replayed": 0})
seen, captured = {}, []
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
replay_due = False


def replay(*_):
    global replay_due
    replay_due = True


signal.signal(signal.SIGUSR1, replay)


def ike_header(port, data):
    """(exchange, kind, message id, offset of the IKE header) of an IKE datagram, else None (ESP, keepalive)."""
    offset = 0
    if port == 4500:
        if len(data) < 4 or data[:4] != b"\0\0\0\0":
            return None
        offset = 4
    if len(data) < offset + 28:
        return None
    exchange, flags = data[offset + 18], data[offset + 19]
    mid = int.from_bytes(data[offset + 20:offset + 24], "big")
    return exchange, ("resp" if flags & 0x20 else "req"), mid, offset


def hostile(port, direction, sock, data, dest):
    """Applies the rules to one datagram before the impairments; returns it, maybe corrupted."""
    header = ike_header(port, data)
    if header is None:
        return data
    exchange, kind, mid, _ = header
    key = (direction, exchange, kind)
    seen[key] = seen.get(key, 0) + 1
    note = ""
    for action, r_dir, r_exchange, r_kind, nth in rules:
        if (r_dir, r_exchange, r_kind) == key and seen[key] == nth:
            if action == "corrupt" and len(data) > 24:
                data = bytearray(data)
                data[-24] ^= 0x5A
                data = bytes(data)
                counts["corrupted"] += 1
                note += " corrupted"
            elif action == "capture":
                captured.append((sock, bytes(data), dest, f"{direction} {exchange} {kind} mid={mid}"))
                counts["captured"] += 1
                note += " captured"
    if rules:
        print(f"ike {direction} {exchange} {kind} mid={mid} len={len(data)}{note}", flush=True)
    return data


def send(sock, data, dest):
    try:
        sock.sendto(data, dest)
    except OSError:
        pass


def forward(port, sock, data, dest, direction):
    counts["in"] += 1
    data = hostile(port, direction, sock, data, dest)
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
                forward(port, right[port], data, (theirs_ip, port), "to-theirs")
            elif sock is right[port] and src == theirs_ip:
                forward(port, left[port], data, (ours_ip, ours_port[port]), "to-ours")
    if replay_due:
        replay_due = False
        for s, d, dest, what in captured:
            send(s, d, dest)
            counts["replayed"] += 1
            print(f"replayed {what}", flush=True)
    now = time.monotonic()
    for key in [k for k, v in held.items() if v[2] <= now]:
        s, d, _ = held.pop(key)
        send(s, d, key[1])
