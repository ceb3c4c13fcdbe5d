#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A program that does what an inference tool might, for the end-to-end tests. It is run by
a copy of python3 under a watched name (ollama, chat, ...), so the kernel sees that name.

  actor.py REPORT_FILE ACTION...

Actions: tcp (connect to a local listener, send 1000 bytes, close), http-host NAME ADDR
(the same to a listener on ADDR, with an HTTP request head naming host NAME), refused (connect to a closed port), tcp6,
unix, bind-any, bind-lo, udp, open, open-missing, open-create, child (fork+exec /bin/cat),
prctl (rename the thread to "innocent"), udp-flood N (N datagrams of 64 bytes to one
receiver from one socket, then closed), udp-connected N (N sockets in turn, each connected
to one receiver, sending one 64-byte datagram and closed, as a resolver does), udp-socket (make the socket udp-keep sends from),
udp-keep N (the same as udp-flood, the socket left open until exit; to the udp-receiver if
there is one), udp-receiver (a receiver for udp-keep, made now), wait-file PATH (create
PATH.waiting, then block until PATH exists), sleep SECS, exec TOOL (exec TOOL running this
script with the same report file and the actions after it, keeping the sockets udp-socket
and udp-receiver made: the next program sends from a socket made before its exec).
Writes a JSON report (pid and ports used) to REPORT_FILE at the end.
"""
import ctypes
import json
import os
import socket
import sys
import tempfile
import time

report = {"pid": os.getpid()}


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def inherited(name):
    """The socket a program before the exec handed over (exec), or None."""
    fd = os.environ.pop(name, None)
    return socket.socket(fileno=int(fd)) if fd else None


def main():
    global report
    out = sys.argv[1]
    args = sys.argv[2:]
    flood_socket = inherited("LW_ACTOR_SOCKET_FD")
    receiver = inherited("LW_ACTOR_RECEIVER_FD")
    if "LW_ACTOR_REPORT" in os.environ:
        report = json.loads(os.environ.pop("LW_ACTOR_REPORT"))
    kept = []
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == "tcp":
            srv = socket.socket()
            srv.bind(("127.0.0.1", 0))
            srv.listen(1)
            port = srv.getsockname()[1]
            c = socket.create_connection(("127.0.0.1", port))
            peer, _ = srv.accept()
            c.sendall(b"x" * 1000)
            got = b""
            while len(got) < 1000:
                got += peer.recv(4096)
            c.close()
            peer.close()
            srv.close()
            report["tcp_port"] = port
        elif a == "http-host":
            # an HTTP request head naming a host, to a listener of ours on ADDR (one of this
            # machine's): naming learns the connection's host name from it (host_source
            # http), with no DNS and no network
            host, addr = args[i], args[i + 1]
            i += 2
            srv = socket.socket()
            srv.bind((addr, 0))
            srv.listen(1)
            port = srv.getsockname()[1]
            c = socket.create_connection((addr, port))
            peer, _ = srv.accept()
            head = f"GET /v1/models HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
            c.sendall(head)
            got = b""
            while len(got) < len(head):
                got += peer.recv(4096)
            c.close()
            peer.close()
            srv.close()
            report["http_port"] = port
        elif a == "refused":
            port = closed_port()
            s = socket.socket()
            try:
                s.connect(("127.0.0.1", port))
            except ConnectionRefusedError:
                pass
            s.close()
            report["refused_port"] = port
        elif a == "tcp6":
            srv = socket.socket(socket.AF_INET6)
            srv.bind(("::1", 0))
            srv.listen(1)
            port = srv.getsockname()[1]
            c = socket.create_connection(("::1", port))
            c.close()
            srv.close()
            report["tcp6_port"] = port
        elif a == "unix":
            d = tempfile.mkdtemp()
            path = os.path.join(d, "sock")
            srv = socket.socket(socket.AF_UNIX)
            srv.bind(path)
            srv.listen(1)
            c = socket.socket(socket.AF_UNIX)
            c.connect(path)
            c.close()
            srv.close()
            os.unlink(path)
            os.rmdir(d)
            report["unix_path"] = path
        elif a in ("bind-any", "bind-lo"):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0" if a == "bind-any" else "127.0.0.1", 0))
            s.listen(4)
            report[a + "_port"] = s.getsockname()[1]
            s.close()
        elif a == "udp":
            r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            r.bind(("127.0.0.1", 0))
            port = r.getsockname()[1]
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(b"y" * 64, ("127.0.0.1", port))
            s.close()
            r.close()
            report["udp_port"] = port
        elif a in ("udp-flood", "udp-keep"):
            # N datagrams of 64 bytes from one socket to one receiver: one flow. udp-keep
            # keeps the socket open (its flow ends when the process exits, or at a stop)
            n = int(args[i])
            i += 1
            r = receiver if a == "udp-keep" and receiver else \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            if r is not receiver:
                r.bind(("127.0.0.1", 0))
            port = r.getsockname()[1]
            s = flood_socket if a == "udp-keep" and flood_socket else \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for _ in range(n):
                s.sendto(b"f" * 64, ("127.0.0.1", port))
            if a == "udp-keep":
                kept.append(s)
            else:
                s.close()
            kept.append(r)  # the receiver outlives the sends: none is refused
            report[a + "_port"] = port
            report[a + "_sent"] = n
        elif a == "udp-connected":
            n = int(args[i])
            i += 1
            r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            r.bind(("127.0.0.1", 0))
            port = r.getsockname()[1]
            for _ in range(n):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.connect(("127.0.0.1", port))
                s.send(b"c" * 64)
                s.close()
            kept.append(r)
            report["udp-connected_port"] = port
        elif a == "udp-socket":
            # the socket udp-keep will send from, made now (before a --pid watches us)
            flood_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        elif a == "udp-receiver":
            receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            receiver.bind(("127.0.0.1", 0))
            report["udp_receiver_port"] = receiver.getsockname()[1]
        elif a == "exec":
            tool = args[i]
            env = dict(os.environ, LW_ACTOR_REPORT=json.dumps(report))
            for name, sock in (("LW_ACTOR_SOCKET_FD", flood_socket),
                               ("LW_ACTOR_RECEIVER_FD", receiver)):
                if sock:
                    os.set_inheritable(sock.fileno(), True)
                    env[name] = str(sock.fileno())
            os.execve(tool, [tool, sys.argv[0], out] + args[i + 1:], env)
        elif a == "open":
            path = args[i]
            i += 1
            with open(path, "rb") as f:
                f.read(1)
        elif a == "open-missing":
            try:
                open("/nonexistent/llmwatch-test", "rb")
            except FileNotFoundError:
                pass
        elif a == "open-create":
            path = args[i]
            i += 1
            with open(path, "w") as f:
                f.write("z")
        elif a == "child":
            pid = os.fork()
            if pid == 0:
                os.execv("/bin/cat", ["cat", "/etc/hostname"])
            report["child_pid"] = pid
            os.waitpid(pid, 0)
        elif a == "prctl":
            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_NAME = 15
            if libc.prctl(PR_SET_NAME, b"innocent", 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl")
        elif a == "wait-file":
            path = args[i]
            i += 1
            # tells a test that the actor is running under its name and waiting (and its
            # pid), so the test can wait for that instead of sleeping
            with open(path + ".waiting", "w") as f:
                f.write(str(os.getpid()))
            deadline = time.time() + 20
            while not os.path.exists(path) and time.time() < deadline:
                time.sleep(0.05)
        elif a == "sleep":
            time.sleep(float(args[i]))
            i += 1
        else:
            sys.exit(f"actor: unknown action {a}")
    with open(out + ".tmp", "w") as f:
        json.dump(report, f)
    os.rename(out + ".tmp", out)


main()
