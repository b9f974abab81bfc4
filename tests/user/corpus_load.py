#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# The client load of the userspace corpus (tests/user/corpus.sh): requests
# on loopback, one after the other, until SIGTERM; then one line
# "requests N failed N" and, per failure, what was seen.
#   corpus_load.py redis PORT   SET then GET of a key of its own (RESP)
#   corpus_load.py tls PORT     a full TLS handshake each time (TLS 1.2 and
#                               1.3 in turn, with this system's libssl, not
#                               the server's), a GET, the server's answer
import signal
import socket
import ssl
import sys

stop = False


def on_term(_sig, _frame):
    global stop
    stop = True


def recv_until(sock, end):
    data = b""
    while not data.endswith(end):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def redis_request(port, n):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        val = b"v%d" % n
        s.sendall(b"*3\r\n$3\r\nSET\r\n$4\r\nload\r\n$%d\r\n%s\r\n" % (len(val), val))
        got = recv_until(s, b"\r\n")
        if got != b"+OK\r\n":
            return "SET answered %r" % got
        s.sendall(b"*2\r\n$3\r\nGET\r\n$4\r\nload\r\n")
        got = recv_until(s, val + b"\r\n")
        if got != b"$%d\r\n%s\r\n" % (len(val), val):
            return "GET answered %r" % got
    return None


def tls_request(port, n):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    version = ssl.TLSVersion.TLSv1_2 if n % 2 else ssl.TLSVersion.TLSv1_3
    ctx.minimum_version = ctx.maximum_version = version
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw) as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            got = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
            if not got.startswith(b"HTTP/1.0 200 ok"):
                return "%s: answered %r" % (version.name, got[:60])
    return None


def main():
    kind, port = sys.argv[1], int(sys.argv[2])
    request = redis_request if kind == "redis" else tls_request
    signal.signal(signal.SIGTERM, on_term)
    n = failed = 0
    errors = []
    while not stop:
        n += 1
        try:
            why = request(port, n)
        except (OSError, ssl.SSLError) as e:
            why = "%s: %s" % (type(e).__name__, e)
        if why:
            failed += 1
            if len(errors) < 5:
                errors.append(why)
    print("requests %d failed %d" % (n, failed))
    for e in errors:
        print("  " + e)


main()
