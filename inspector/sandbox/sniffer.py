"""An independent record of what the sandbox put on the wire, taken on the host side of its bridge.

The recorder sees what the firewall steers to it (TCP, UDP 53). Everything else (other UDP,
ICMP, IPv6) is dropped by the firewall, and this sniffer is what records that it was tried. It
also records every TCP SYN, as ground truth that does not depend on the recorder. AF_PACKET,
stdlib only; needs root (the same root that installs the iptables rules).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
PACKET_OUTGOING = 4
_PROTOCOLS = {1: "icmp", 6: "tcp", 17: "udp"}
_IPV6_NEXT = {6: "tcp", 17: "udp", 58: "icmpv6"}


def describe_frame(frame: bytes, recorder: frozenset[tuple[str, int]] = frozenset()) -> dict[str, Any] | None:
    """What one Ethernet frame from the sandbox tried, or None when it is not worth a record.

    With br_netfilter the bridge's nat PREROUTING runs before this tap, so traffic steered to
    the recorder shows the recorder's address (``recorder``); the recorder records that itself.
    """
    if len(frame) < 14:
        return None
    ethertype = struct.unpack("!H", frame[12:14])[0]
    payload = frame[14:]
    if ethertype == ETH_P_IPV6 and len(payload) >= 40:
        next_header = payload[6]
        port = struct.unpack("!H", payload[42:44])[0] if next_header in (6, 17) and len(payload) >= 44 else None
        return {
            "protocol": "ipv6",
            "src": socket.inet_ntop(socket.AF_INET6, payload[8:24]),
            "ip": socket.inet_ntop(socket.AF_INET6, payload[24:40]),
            "port": port,
            "detail": f"IPv6 {_IPV6_NEXT.get(next_header, str(next_header))}",
        }
    if ethertype != ETH_P_IP or len(payload) < 20:
        return None
    header_length = (payload[0] & 0x0F) * 4
    protocol = payload[9]
    src = socket.inet_ntoa(payload[12:16])
    dst = socket.inet_ntoa(payload[16:20])
    segment = payload[header_length:]
    if protocol == 1:
        icmp_type = segment[0] if segment else -1
        return {"protocol": "icmp", "src": src, "ip": dst, "port": None, "detail": f"ICMP type {icmp_type}"}
    if protocol == 17 and len(segment) >= 4:
        dport = struct.unpack("!H", segment[2:4])[0]
        if dport == 53 or (dst, dport) in recorder:
            return None  # DNS, steered to the recorder's DNS listener, which records it
        return {"protocol": "udp", "src": src, "ip": dst, "port": dport, "detail": f"UDP {len(segment) - 8} bytes"}
    if protocol == 6 and len(segment) >= 14:
        dport = struct.unpack("!H", segment[2:4])[0]
        flags = segment[13]
        if flags & 0x02 and not flags & 0x10:
            return {"protocol": "tcp-syn", "src": src, "ip": dst, "port": dport, "detail": "TCP SYN"}
        return None
    if protocol not in _PROTOCOLS:
        return {"protocol": f"ip-{protocol}", "src": src, "ip": dst, "port": None, "detail": f"IP protocol {protocol}"}
    return None


class BridgeSniffer:
    """Reads frames entering the host from one bridge in a thread; writes JSON lines."""

    def __init__(
        self, interface: str, out: Path, phase: Callable[[], str], recorder: frozenset[tuple[str, int]]
    ) -> None:
        self.interface = interface
        self.recorder = recorder
        self.out = out
        self.phase = phase
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind((interface, 0))
        self.sock.settimeout(0.2)
        self.stop_event = threading.Event()
        self.failure: str | None = None
        self.thread = threading.Thread(target=self._loop, name=f"sniffer-{interface}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _loop(self) -> None:
        try:
            with self.out.open("a", encoding="utf-8") as sink:
                while not self.stop_event.is_set():
                    try:
                        frame, address = self.sock.recvfrom(65535)
                    except TimeoutError:
                        continue
                    if address[2] == PACKET_OUTGOING:
                        continue
                    record = describe_frame(frame, self.recorder)
                    if record is None:
                        continue
                    sink.write(json.dumps({"time": time.time(), "phase": self.phase(), **record}) + "\n")
                    sink.flush()
        except OSError as err:
            # Read by the controller, which stops the run: a capture that cannot record is a failure.
            self.failure = f"bridge sniffer on {self.interface} stopped: {err}"

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=5)
        self.sock.close()
