#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A command for 64-eval.bats to run under `llmwatch eval`. Every wait is bounded.

  eval_actor.py tree FIRST PORT SECOND   open FIRST; fork a child that connects to
                                         127.0.0.1:PORT, sends, opens SECOND; exit 5
  eval_actor.py whoami ROOTFILE          print ids, HOME/USER/LOGNAME, whether ROOTFILE can
                                         be opened for writing and root regained
  eval_actor.py sigint READY DONE        on SIGINT write DONE and exit 0; READY once waiting
  eval_actor.py stubborn READY PIDS      ignore SIGINT, start a daemon (double fork, setsid)
                                         that ignores it too; both pids to PIDS, then READY
  eval_actor.py daemon PIDS GO           start a daemon that, once GO exists, opens
                                         /etc/hostname and exits; the root exits at once
"""
import os
import signal
import socket
import sys
import time


def wait_for(path, seconds=30):
    end = time.monotonic() + seconds
    while not os.path.exists(path) and time.monotonic() < end:
        time.sleep(0.05)


def daemonise():
    """Returns in the grandchild, detached (setsid); the others exit."""
    if os.fork():
        return False
    os.setsid()
    if os.fork():
        os._exit(0)
    return True


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "tree":
        with open(args[0], "rb") as f:
            f.read()
        pid = os.fork()
        if pid == 0:
            s = socket.create_connection(("127.0.0.1", int(args[1])), timeout=10)
            s.sendall(b"hello from the tree\n")
            s.close()
            with open(args[2], "rb") as f:
                f.read()
            os._exit(0)
        os.waitpid(pid, 0)
        sys.exit(5)
    if mode == "whoami":
        try:
            open(args[0], "a").close()
            wrote = "yes"
        except OSError as e:
            wrote = "no:" + type(e).__name__
        try:
            os.setuid(0)
            root = "yes"
        except OSError:
            root = "no"
        print("uid=%d euid=%d gid=%d groups=%s" % (os.getuid(), os.geteuid(), os.getgid(),
                                                    ",".join(map(str, os.getgroups()))))
        print("HOME=%s USER=%s LOGNAME=%s" % (os.environ.get("HOME"), os.environ.get("USER"),
                                              os.environ.get("LOGNAME")))
        print("wrote_root_file=%s regained_root=%s" % (wrote, root))
        return
    if mode == "sigint":
        def on_int(signo, frame):
            # appended: a SIGINT delivered twice would show as two lines
            with open(args[1], "a") as f:
                f.write("SIGINT handled by pid %d\n" % os.getpid())
            sys.exit(0)
        signal.signal(signal.SIGINT, on_int)
        open(args[0], "w").close()
        time.sleep(30)
        sys.exit(9)
    if mode == "stubborn":
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        root = os.getpid()
        if daemonise():
            with open(args[1] + ".tmp", "w") as f:
                f.write("%d %d\n" % (root, os.getpid()))
            os.rename(args[1] + ".tmp", args[1])
            time.sleep(60)
            os._exit(0)
        wait_for(args[1])
        open(args[0], "w").close()
        time.sleep(60)
        sys.exit(9)
    if mode == "daemon":
        if daemonise():
            with open(args[0] + ".tmp", "w") as f:
                f.write("%d\n" % os.getpid())
            os.rename(args[0] + ".tmp", args[0])
            wait_for(args[1])
            with open("/etc/hostname", "rb") as f:
                f.read()
            os._exit(0)
        sys.exit(0)
    sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
