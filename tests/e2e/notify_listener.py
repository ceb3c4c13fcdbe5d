#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A stand-in for systemd's notification socket (sd_notify(3)): binds a unix datagram
socket at SOCKET and appends each message to LOG as one JSON line {"t": monotonic seconds,
"msg": the text, "ready_file": whether READY_FILE existed when it arrived}, until killed.
READY_FILE is what llmwatch writes once every program is attached: a READY=1 that
arrives before it would be a readiness lie."""
import json
import os
import socket
import sys
import time

sock_path, log_path, ready_file = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
with open(log_path, "a", buffering=1) as log:
    log.write(json.dumps({"t": time.monotonic(), "msg": "LISTENING", "ready_file": False}) + "\n")
    while True:
        data = s.recv(4096)
        log.write(json.dumps({"t": time.monotonic(), "msg": data.decode("utf-8", "replace"),
                              "ready_file": os.path.exists(ready_file)}) + "\n")
