"""Probes a careless sandbox would let through. Every address here is the sandbox's own gateway,
a container the test created, link-local metadata, a synthetic 198.18.x address or an IPv6
documentation address; the recorder and the host firewall must stop and record each one.

Usage: probes.py OTHER_CONTAINER_IP
"""

import socket
import struct
import sys
from pathlib import Path


def attempt(label, action):
    try:
        print(label, "->", action())
    except OSError as err:
        print(label, "-> error", err)


def tcp(host, port, payload=b""):
    def go():
        with socket.create_connection((host, port), timeout=5) as conn:
            if payload:
                conn.sendall(payload)
            return conn.recv(64)

    return go


def gateway():
    with Path("/proc/net/route").open() as routes:
        for line in routes.readlines()[1:]:
            fields = line.split()
            if fields[1] == "00000000":
                return socket.inet_ntoa(struct.pack("<I", int(fields[2], 16)))
    return None


def dns_txt(name):
    def go():
        query = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
        query += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
        query += struct.pack("!HH", 16, 1)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.settimeout(5)
            udp.sendto(query, ("127.0.0.11", 53))
            return len(udp.recv(512))

    return go


def docker_socket():
    with socket.socket(socket.AF_UNIX) as unix:
        unix.connect("/var/run/docker.sock")
    return "connected"


def udp_datagram():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"ping", ("198.18.9.9", 9999))
    return "sent"


def ipv6():
    with socket.create_connection(("2001:db8::10", 443), timeout=5):
        return "connected"


host_gateway = gateway()
attempt("docker socket", docker_socket)
attempt("host bridge address", tcp(host_gateway, 22, b"SSH-2.0-probe\r\n"))
attempt("other container", tcp(sys.argv[1], 8000, b"GET /pdown HTTP/1.0\r\n\r\n"))
attempt("metadata", tcp("169.254.169.254", 80, b"GET /latest/meta-data/ HTTP/1.0\r\nHost: 169.254.169.254\r\n\r\n"))
attempt("ip literal", tcp("198.18.200.1", 1224, b"hello"))
attempt("ipv6", ipv6)
attempt("dns txt", dns_txt("exfil-probe.tunnel.test"))
attempt("udp", udp_datagram)
