#!/usr/bin/env python3
"""ilp_client.py - a line-protocol client over TCP for the TAP tests.

Python's ssl module for TLS (verified against a given CA, optionally with a
client certificate) and QuestDB's authentication handshake: the key id, the
server's challenge, then the base64 ECDSA P-256 SHA-256 signature made by
`openssl dgst` and sent as DER or raw r||s (or deliberately broken).  The
lines come from --line arguments, then from standard input when --stdin is
given (each line sent as it is read, so a test can act between two).

Prints one JSON object: what happened (challenge length, lines sent,
whether the server closed the connection).  Exit status 0 unless a step the
client itself takes fails (connecting, the TLS handshake).
"""
import argparse
import base64
import json
import socket
import ssl
import subprocess
import sys


def der_to_raw(der):
    """r||s, 32 bytes each, from a DER ECDSA signature."""
    assert der[0] == 0x30
    i = 2
    out = b""
    for _ in range(2):
        assert der[i] == 0x02
        n = der[i + 1]
        v = der[i + 2:i + 2 + n].lstrip(b"\0")
        out += v.rjust(32, b"\0")
        i += 2 + n
    return out


def recv_line(sock, limit=4096):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            return None
        buf += chunk
        if len(buf) > limit:
            return None
    return buf[:-1]


def wait_closed(sock, seconds):
    """True when the server closes the connection within the time."""
    sock.settimeout(seconds)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except socket.timeout:
        return False
    except (ConnectionResetError, ssl.SSLError, OSError):
        return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls-ca")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--key-id")
    p.add_argument("--key-pem")
    p.add_argument("--sig", default="der",
                   choices=["der", "raw", "zero", "garbage", "none"])
    p.add_argument("--line", action="append", default=[])
    p.add_argument("--stdin", action="store_true")
    p.add_argument("--wait-close", type=float, default=0,
                   help="after sending, wait this long for the server to close")
    a = p.parse_args()

    result = {"tls": False, "challenge_len": None, "sent": 0,
              "closed_by_server": None}
    sock = socket.create_connection((a.host, a.port), timeout=60)
    if a.tls_ca:
        ctx = ssl.create_default_context(cafile=a.tls_ca)
        if a.tls_cert:
            ctx.load_cert_chain(a.tls_cert, a.tls_key)
        sock = ctx.wrap_socket(sock, server_hostname=a.host)
        result["tls"] = True
        result["tls_version"] = sock.version()

    if a.key_id:
        sock.sendall(a.key_id.encode() + b"\n")
        if a.sig == "none":
            # a truncated handshake: the key id, then nothing
            result["closed_by_server"] = wait_closed(sock, a.wait_close or 1)
            print(json.dumps(result))
            return 0
        challenge = recv_line(sock)
        if challenge is None:
            result["closed_by_server"] = True
            print(json.dumps(result))
            return 0
        result["challenge_len"] = len(challenge)
        der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", a.key_pem],
                             input=challenge, capture_output=True,
                             check=True).stdout
        if a.sig == "der":
            sig = base64.b64encode(der)
        elif a.sig == "raw":
            sig = base64.b64encode(der_to_raw(der))
        elif a.sig == "zero":
            sig = base64.b64encode(b"\0" * 64)
        else:
            sig = b"not!base64"
        sock.sendall(sig + b"\n")

    try:
        for line in a.line:
            sock.sendall(line.encode() + b"\n")
            result["sent"] += 1
        if a.stdin:
            for line in sys.stdin:
                sock.sendall(line.encode())
                result["sent"] += 1
    except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
        result["closed_by_server"] = True
    if a.wait_close and result["closed_by_server"] is None:
        result["closed_by_server"] = wait_closed(sock, a.wait_close)
    sock.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
