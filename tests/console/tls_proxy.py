#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# A TLS reverse proxy for the tests (what nginx is in docs/console.md):
# accepts TLS on a free loopback port, prints "port N", and forwards each
# connection's bytes to the console.
#   tls_proxy.py CERT KEY CONSOLE_PORT
import socket
import ssl
import sys
import threading

cert, key, backend = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print("port %d" % listener.getsockname()[1], flush=True)


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(raw):
    try:
        client = ctx.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError):
        raw.close()
        return
    upstream = socket.create_connection(("127.0.0.1", backend))
    threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
    pump(upstream, client)


while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
