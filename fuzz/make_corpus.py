#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Regenerates the fuzz seed corpora in fuzz/corpus/{dns,tls,http,btf,capture} from real traffic on
loopback: DNS responses from a local dnsmasq, TLS ClientHellos from openssl s_client and
HTTP requests from curl, each captured by a listener on 127.0.0.1. Nothing leaves the
machine. A few hand-built DNS edge cases (pointers, loops) are added with struct packing.
The BTF and capture seeds are hand-built.
Run from the repository root: python3 fuzz/make_corpus.py [dns|tls|http|btf|capture ...]"""
import os
import signal
import socket
import struct
import subprocess
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def save(kind, name, data):
    d = os.path.join(ROOT, kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    print(f"  {kind}/{name}: {len(data)} bytes")


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def capture_client(argv_with_port, quiet=0.4):
    """Runs a client against a listener on 127.0.0.1 and returns the first bytes it sends."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(10)
    port = srv.getsockname()[1]
    argv = [a.replace("PORT", str(port)) for a in argv_with_port]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    data = b""
    try:
        conn, _ = srv.accept()
        conn.settimeout(quiet)
        try:
            while len(data) < 16384:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
        conn.close()
    finally:
        srv.close()
        proc.kill()
        proc.wait()
    return data


# --- DNS -------------------------------------------------------------------------------

def dns_query(name, qtype, qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack(">HH", qtype, 1)


def dns_corpus():
    port = free_port(socket.SOCK_DGRAM)
    argv = ["dnsmasq", "-k", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
            "--listen-address=127.0.0.1", "--bind-interfaces", f"--port={port}",
            "--user=root", "--pid-file=", "--log-facility=/dev/null",
            "--host-record=x.cdn.net,1.2.3.4,2001:db8::1",
            "--host-record=y.cdn.net,1.2.3.5",
            "--cname=api.mixpanel.com,x.cdn.net",
            "--cname=stats.example.org,api.mixpanel.com",
            "--address=/ollama.com/34.120.1.2", "--address=/ollama.com/2600:1901::1",
            "--local=/lab/"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)  # one-off generator; dnsmasq has no readiness signal to wait for
        queries = [("api.mixpanel.com", 1, "cname-a"), ("api.mixpanel.com", 28, "cname-aaaa"),
                   ("stats.example.org", 1, "cname-chain2"), ("ollama.com", 1, "a"),
                   ("ollama.com", 28, "aaaa"), ("x.cdn.net", 1, "plain-a"),
                   ("nothere.lab", 1, "nxdomain"), ("y.cdn.net", 28, "refused")]
        for i, (name, qtype, tag) in enumerate(queries):
            for attempt in range(20):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(0.5)
                try:
                    s.sendto(dns_query(name, qtype, 0x1000 + i), ("127.0.0.1", port))
                    data = s.recv(4096)
                    break
                except (socket.timeout, ConnectionRefusedError):
                    time.sleep(0.1)
                finally:
                    s.close()
            else:
                sys.exit(f"dnsmasq did not answer {name}")
            save("dns", f"dnsmasq-udp-{tag}.bin", data)
        # The same over TCP: the payload starts with the 2-byte length.
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        q = dns_query("api.mixpanel.com", 1, 0x2000)
        s.sendall(struct.pack(">H", len(q)) + q)
        data = b""
        while len(data) < 2 or len(data) < 2 + struct.unpack(">H", data[:2])[0]:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        save("dns", "dnsmasq-tcp-cname-a.bin", data)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait()

    # Hand-built edge cases: a response to api.x.com with a self pointer, a forward
    # pointer, a label of 64, and a lying answer count.
    hdr = lambda an: struct.pack(">HHHHHH", 0x4242, 0x8180, 1, an, 0, 0)
    qname = b"\x03api\x01x\x03com\x00"
    question = qname + struct.pack(">HH", 1, 1)
    a_rr = lambda owner: owner + struct.pack(">HHIH", 1, 1, 60, 4) + b"\x0a\x00\x00\x01"
    save("dns", "edge-pointer-loop.bin", hdr(1) + question + a_rr(b"\xc0\x1d") + b"")
    save("dns", "edge-forward-pointer.bin", hdr(1) + question + a_rr(b"\xc0\x40"))
    save("dns", "edge-label64.bin", hdr(1) + b"\x40" + b"a" * 64 + b"\x00" +
         struct.pack(">HH", 1, 1))
    save("dns", "edge-lying-count.bin", hdr(5) + question + a_rr(b"\xc0\x0c"))


# --- TLS and HTTP ----------------------------------------------------------------------

def tls_corpus():
    base = ["openssl", "s_client", "-connect", "127.0.0.1:PORT"]
    runs = [("sni-default.bin", ["-servername", "api.mixpanel.com"]),
            ("sni-tls12.bin", ["-servername", "telemetry.example.net", "-tls1_2"]),
            ("sni-tls13.bin", ["-servername", "ollama.com", "-tls1_3"]),
            ("sni-alpn.bin", ["-servername", "registry.ollama.ai", "-alpn", "h2,http/1.1"]),
            ("no-sni.bin", ["-noservername"]),
            ("sni-frag512.bin", ["-servername", "api.gpt4all.io", "-max_send_frag", "512",
                                 "-alpn", ",".join(f"proto-{i:03d}" for i in range(60))])]
    for name, extra in runs:
        data = capture_client(base + extra)
        if not data:
            sys.exit(f"no ClientHello captured for {name}")
        save("tls", name, data)
    save("tls", "built-huge-padding.bin", tls_huge_hello())


def tls_huge_hello():
    """A ClientHello over the parser's 16 KiB reassembly cap (a 17000-byte padding
    extension before the server name), in two records: seeds the -EMSGSIZE path."""
    name = b"late.example"
    sni = struct.pack(">HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    pad = struct.pack(">HH", 21, 17000) + bytes(17000)
    exts = struct.pack(">HHBH", 43, 3, 2, 0x0304) + pad + sni
    body = (struct.pack(">H", 0x0303) + bytes(range(32)) + b"\x20" + b"\xa0" * 32 +
            struct.pack(">HHH", 4, 0x1301, 0xc02f) + b"\x01\x00" +
            struct.pack(">H", len(exts)) + exts)
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    cut = 16000
    return (b"\x16\x03\x01" + struct.pack(">H", cut) + hs[:cut] +
            b"\x16\x03\x01" + struct.pack(">H", len(hs) - cut) + hs[cut:])


def http_corpus():
    curl = ["curl", "-s", "-m", "2", "--noproxy", "*"]
    runs = [("curl-get.bin", ["http://127.0.0.1:PORT/api/tags"]),
            ("curl-host-port.bin", ["--resolve", "api.mixpanel.com:PORT:127.0.0.1",
                                    "http://api.mixpanel.com:PORT/track?data=eyJ9"]),
            ("curl-post.bin", ["-d", '{"model":"llama3","prompt":"hi"}',
                               "-H", "Content-Type: application/json",
                               "http://127.0.0.1:PORT/api/generate"]),
            ("curl-http10.bin", ["--http1.0", "-H", "Host: Update.Example.COM",
                                 "http://127.0.0.1:PORT/latest"]),
            ("curl-ipv6-host.bin", ["-H", "Host: [::1]:11434", "http://127.0.0.1:PORT/"])]
    for name, extra in runs:
        data = capture_client(curl + extra)
        if not data:
            sys.exit(f"no request captured for {name}")
        save("http", name, data)
    py = ["python3", "-c",
          "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:PORT/v1/models', "
          "headers={'Host': 'localhost:1234'}), timeout=2)"]
    save("http", "python-urllib.bin", capture_client(py))


def btf_blob(records):
    """A little-endian BTF blob: records are (name or None, kind, vlen, extra bytes)."""
    strs, types = b"\0", b""
    for name, kind, vlen, extra in records:
        off = 0
        if name:
            off = len(strs)
            strs += name.encode() + b"\0"
        types += struct.pack("<III", off, (kind << 24) | vlen, 0) + bytes(extra)
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strs))
    return hdr + types + strs


def btf_corpus():
    """Hand-built BTF: one record of each kind (the layout of kernel_btf.c's walk), and the
    names the loader looks up. The kernel's own BTF (5 MB) is too big to seed with."""
    kinds = [("int", 1, 0, 4), (None, 2, 0, 0), (None, 3, 0, 12), ("task_struct", 4, 2, 24),
             ("u", 5, 1, 12), ("e", 6, 3, 24), ("fwd", 7, 0, 0),
             ("btf_trace_sched_process_exec", 8, 0, 0), (None, 9, 0, 0), (None, 10, 0, 0),
             (None, 11, 0, 0), (None, 13, 2, 16), ("security_file_open", 12, 0, 0),
             ("v", 14, 0, 4), (".data", 15, 1, 12), ("float", 16, 0, 0), ("tag", 17, 0, 4),
             ("tt", 18, 0, 0), ("e64", 19, 2, 24)]
    save("btf", "all-kinds.bin", btf_blob(kinds))
    save("btf", "lookups.bin", btf_blob([(None, 13, 1, 8), ("security_socket_connect", 12, 0, 0),
                                          ("security_socket_bind", 12, 0, 0),
                                          ("btf_trace_sched_process_fork", 8, 0, 0)]))
    save("btf", "empty-types.bin", btf_blob([]))


def capture_corpus():
    """Hand-built capture files (docs/capture-format.md): a header, a block of each kind with
    a valid hash chain, the sealed footer; and the same cut inside its last block."""
    import hashlib
    import zlib

    meta = b"llmwatch=seed\nhost=seed\nprofile.1=ollama\n"
    head = b"LWCAPT\r\n" + struct.pack("<IHHII", 0x01020304, 1, 1, len(meta), 0) + meta
    prev = hashlib.sha256(head).digest()
    out = [head]
    seq = 0

    def block(kind, payload, count, compress=True):
        nonlocal prev, seq
        stored = zlib.compress(payload, 1) if compress else payload
        h = struct.pack("<IHHIIIIQ", 0x4b42574c, kind, 1 if compress else 0, len(stored),
                        len(payload), count, 0, seq)
        prev = hashlib.sha256(prev + h + stored).digest()
        out.append(h + stored + prev)
        seq += 1

    comm = b"ollama".ljust(16, b"\0")
    exe = b"/usr/bin/ollama"
    block(2, struct.pack("<IIIIHH16sI", 42, 1, 0, 42, 1, len(exe), comm, 0) + exe, 1)
    block(3, struct.pack("<QII", 5, 2, 1) + struct.pack("<3Q", 7, 0, 1), 3)
    path = b"/etc/hostname\0"
    size = 48 + 24 + len(path)
    hdr = struct.pack("<HHBBHQIIII16s", 8, size, 1, 0, 1, 1000, 42, 42, 0, 0, comm)
    rec = hdr + struct.pack("<iiQIHH", -100, 3, 0, 0, len(path) - 1, 0) + path
    block(1, rec * 3, 3)
    block(4, struct.pack("<5Q", seq, 3, 0, 0, 2000), 1, compress=False)
    whole = b"".join(out)
    save("capture", "sealed.lwc", whole)
    save("capture", "torn.lwc", whole[:-20])


if __name__ == "__main__":
    kinds = sys.argv[1:] or ["dns", "tls", "http", "btf", "capture"]
    for k in kinds:
        globals()[k + "_corpus"]()
