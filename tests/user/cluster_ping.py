# SPDX-License-Identifier: GPL-2.0-only
# CVE-2026-92925 reproducer (tests/user/redis.sh): sends a redis 7.0
# cluster bus PING whose hostname ping extension lacks its terminating NUL
# to the bus port given, and prints "pong" when the node answered it (the
# packet was processed) or "dropped" when it did not (the fixed check).
# The layout is redis 7.0's clusterMsg (src/cluster.h): a 2256-byte header
# before the message data, where a PING with no gossip has its extensions.
import socket
import struct
import sys

HEADER = 2256
EXT_DATA = 1 << 2          # CLUSTERMSG_FLAG0_EXT_DATA
EXT_HOSTNAME = 0           # CLUSTERMSG_EXT_TYPE_HOSTNAME

port = int(sys.argv[1])
ext = struct.pack(">IHH", 16, EXT_HOSTNAME, 0) + b"AAAAAAAA"  # no NUL
totlen = HEADER + len(ext)
hdr = bytearray(HEADER)
struct.pack_into(">4sIHHHH", hdr, 0, b"RCmb", totlen, 1, 7000, 0, 0)  # PING, count 0
hdr[40:80] = b"f" * 40                                  # sender: unknown node
struct.pack_into(">H", hdr, 2214, 1)                     # one extension
struct.pack_into(">HHH", hdr, 2246, 7000, 17000, 0)      # pport, cport, flags
hdr[2253] = EXT_DATA                                     # mflags[0]
s = socket.create_connection(("127.0.0.1", port), timeout=2)
s.sendall(bytes(hdr) + ext)
s.settimeout(1.0)
try:
    reply = s.recv(8)
except socket.timeout:
    reply = b""
print("pong" if reply[:4] == b"RCmb" else "dropped")
