"""Child of benchmark 4: a bounded TCP server and client for connection attempts in a namespace.

  python3 tcp.py server ADDR PORT MAX_CONNECTIONS IDLE_SECONDS   prints "ready", accepts and closes
  python3 tcp.py client ADDR PORT COUNT TIMEOUT_SECONDS          prints JSON {ok, failed, ms}
Both stop by themselves: the server after MAX_CONNECTIONS or IDLE_SECONDS without one, the client
after COUNT attempts.
"""
import json
import socket
import struct
import sys
import time


def server(addr, port, max_conn, idle):
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(512)
    s.settimeout(idle)
    print("ready", flush=True)
    served = 0
    try:
        while served < max_conn:
            conn, _ = s.accept()
            conn.close()
            served += 1
    except socket.timeout:
        pass
    s.close()


def client(addr, port, count, timeout):
    ok = failed = 0
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    start = time.perf_counter()
    for _ in range(count):
        c = socket.socket(family, socket.SOCK_STREAM)
        # RST on close: no TIME_WAIT pile-up over many attempts.
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.settimeout(timeout)
        try:
            c.connect((addr, port))
            ok += 1
        except OSError:
            failed += 1
        finally:
            c.close()
    ms = (time.perf_counter() - start) * 1000
    print(json.dumps({"ok": ok, "failed": failed, "ms": ms}))


if sys.argv[1] == "server":
    server(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
else:
    client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
