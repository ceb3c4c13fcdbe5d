#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Writes the GGUF fixtures of issue 17: a real tiny model (GGUF v3, a llama-shaped header with
a tokenizer, f32, f16 and q8_0 tensors with their data, each aligned) and the malformed
variants that parser exploits use, each named for its problem. Standard library only; the
output is the same on every run, so the seeds in fuzz/corpus/gguf can be checked against it.
The checker's unit test (tests/unit/test_gguf_check.c) reads those seeds.
Run from anywhere: python3 tests/gguf/make_gguf.py [OUTDIR] (default fuzz/corpus/gguf)."""
import os
import struct
import sys

# value types (ggml docs/gguf.md)
U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)
# ggml tensor types and (block size, bytes per block): ggml.h, ggml-common.h
GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8
BLOCK = {GGML_F32: (1, 4), GGML_F16: (1, 2), GGML_Q8_0: (32, 34)}
SCALAR = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f",
          BOOL: "<?", U64: "<Q", I64: "<q", F64: "<d"}


def gstr(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<Q", len(b)) + b


def value(vtype, v):
    """A typed value; (ARR, (etype, [items])) is an array."""
    if vtype == STR:
        return gstr(v)
    if vtype == ARR:
        etype, items = v
        out = struct.pack("<IQ", etype, len(items))
        return out + b"".join(value(etype, x) for x in items)
    return struct.pack(SCALAR[vtype], v)


def kv(key, vtype, v):
    return gstr(key) + struct.pack("<I", vtype) + value(vtype, v)


def tensor_data(ttype, ne):
    """Deterministic contents: ramps for f32/f16, blocks of a scale and quants for q8_0."""
    n = 1
    for d in ne:
        n *= d
    if ttype == GGML_F32:
        return b"".join(struct.pack("<f", (i % 7) / 8.0) for i in range(n))
    if ttype == GGML_F16:
        return b"".join(struct.pack("<e", (i % 5) / 4.0) for i in range(n))
    out = b""
    for blk in range(n // 32):
        out += struct.pack("<e", 0.125) + bytes((i * 3 + blk) % 256 for i in range(32))
    return out


def pad(n, a):
    return (n + a - 1) // a * a


def model(kvs, tensors, alignment=32, n_kv=None, n_tensors=None, version=3, magic=b"GGUF"):
    """kvs: raw key-value bytes; tensors: dicts of name, type, ne and optionally offset, data
    and raw_type. Offsets default to the contiguous, padded layout llama.cpp requires."""
    table, data, off = b"", b"", 0
    for t in tensors:
        d = t["data"] if "data" in t else tensor_data(t["type"], t["ne"])
        o = t.get("offset", off)
        table += gstr(t["name"]) + struct.pack("<I", len(t["ne"]))
        table += b"".join(struct.pack("<q", x) for x in t["ne"])
        table += struct.pack("<IQ", t.get("raw_type", t["type"]), o)
        data += d + b"\0" * (pad(len(d), alignment) - len(d))
        off += pad(len(d), alignment)
    head = magic + struct.pack("<IQQ", version,
                               len(tensors) if n_tensors is None else n_tensors,
                               len(kvs) if n_kv is None else n_kv)
    body = head + b"".join(kvs) + table
    return body + b"\0" * (pad(len(body), alignment) - len(body)) + data


TOKENS = ["<unk>", "<s>", "</s>", "a", "b", "c", "ab", "bc"]


def base_kvs(name="lw-tiny"):
    return [
        kv("general.architecture", STR, "llama"),
        kv("general.name", STR, name),
        kv("general.file_type", U32, 7),
        kv("llama.context_length", U32, 64),
        kv("llama.embedding_length", U32, 32),
        kv("llama.block_count", U32, 1),
        kv("tokenizer.ggml.model", STR, "llama"),
        kv("tokenizer.ggml.tokens", ARR, (STR, TOKENS)),
        kv("tokenizer.ggml.scores", ARR, (F32, [float(-i) for i in range(len(TOKENS))])),
        kv("tokenizer.ggml.token_type", ARR, (I32, [2, 3, 3] + [1] * (len(TOKENS) - 3))),
    ]


def base_tensors():
    return [
        {"name": "token_embd.weight", "type": GGML_F16, "ne": [32, len(TOKENS)]},
        {"name": "blk.0.attn_norm.weight", "type": GGML_F32, "ne": [32]},
        {"name": "blk.0.ffn_down.weight", "type": GGML_Q8_0, "ne": [32, 4]},
        {"name": "output_norm.weight", "type": GGML_F32, "ne": [32]},
    ]


def variants():
    v = {}
    v["valid"] = model(base_kvs(), base_tensors())
    # the same model with general.alignment = 64
    v["valid-align64"] = model(base_kvs() + [kv("general.alignment", U32, 64)], base_tensors(),
                               alignment=64)
    good = v["valid"]
    # a file shorter than its header, and one cut 4 bytes into the last tensor's ne[0]
    v["short-header"] = good[:12]
    ts = base_tensors()
    cut = 24 + sum(len(x) for x in base_kvs())
    cut += sum(8 + len(t["name"]) + 4 + 8 * len(t["ne"]) + 12 for t in ts[:3])
    cut += 8 + len(ts[3]["name"]) + 4 + 4
    v["truncated"] = good[:cut]
    v["huge-nkv"] = model(base_kvs(), base_tensors(), n_kv=1 << 40)
    # general.name declares 1000000 bytes; 7 follow
    v["string-past-eof"] = model(base_kvs()[:1] + [
        gstr("general.name") + struct.pack("<IQ", STR, 1000000) + b"lw-tiny"], [])
    v["shape-overflow"] = model(base_kvs(), base_tensors() + [
        {"name": "huge.weight", "type": GGML_F32, "ne": [1 << 32, 1 << 32], "data": b""}])
    past = base_tensors()
    past[-1]["offset"] = 1 << 20
    v["offset-past-eof"] = model(base_kvs(), past)
    over = base_tensors()
    over[1]["offset"] = 0  # over token_embd.weight's 512 bytes at 0
    v["overlap"] = model(base_kvs(), over)
    v["bad-alignment"] = model(base_kvs() + [kv("general.alignment", U32, 48)], base_tensors())
    v["dup-key"] = model(base_kvs() + [kv("general.name", STR, "again")], base_tensors())
    v["nested-array"] = model(base_kvs() + [
        gstr("lw.nested") + struct.pack("<IIQ", ARR, ARR, 1) + value(ARR, (U8, [1, 2]))],
        base_tensors())
    unk = base_tensors()
    unk[1]["raw_type"] = 99
    v["unknown-type"] = model(base_kvs(), unk)
    blk = base_tensors()
    blk[2]["ne"] = [31, 4]
    blk[2]["data"] = tensor_data(GGML_Q8_0, [32, 4])
    v["not-block-multiple"] = model(base_kvs(), blk)
    return v


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "fuzz", "corpus", "gguf")
    os.makedirs(out, exist_ok=True)
    for name, data in variants().items():
        with open(os.path.join(out, name + ".gguf"), "wb") as f:
            f.write(data)
        print(f"  {name}.gguf: {len(data)} bytes")


if __name__ == "__main__":
    main()
