#!/usr/bin/env python3
"""Independent reference for the field part of golden.json (exact rationals).

Recomputes the spread, the alpha centroid and EMA, and the Merkle root from
the entries recorded in golden.json and prints them; they must equal the
values in the file. Run: python3 testdata/golden_check.py
"""
import hashlib
import json
import math
import os
import struct
from fractions import Fraction as F

d = json.load(open(os.path.join(os.path.dirname(__file__), "golden.json")))
cands = {c["ID"]: c for c in d["Field"]["Candidates"]}
out = d["Field"]["Field"]
E = out["Entries"]
w = [e["WeightPPM"] for e in E]
embs = [cands[e["ID"]]["Embedding"] for e in E]
W = sum(w)
n = len(E)
spread = sum(F(w[i] * w[j] * sum((a - b) ** 2 for a, b in zip(embs[i], embs[j])), W * W)
             for i in range(n) for j in range(n))
assert int(spread * 10**6) == out["SpreadPPM"], (int(spread * 10**6), out["SpreadPPM"])


def rnd(fr):  # nearest, ties toward +inf
    return math.floor(fr + F(1, 2))


beta = d["Field"]["Params"]["EMABetaPPM"]
prev = {v["Domain"]: v["Micro"] for v in d["Field"]["PrevEMA"]}
for cv, ev in zip(out["Centroids"], [v for v in out["EMA"] if v["Domain"] in {c["Domain"] for c in out["Centroids"]}]):
    idx = [i for i, e in enumerate(E) if e["Domain"] == cv["Domain"]]
    sw = sum(w[i] for i in idx)
    dim = len(embs[0])
    cen = [rnd(F(sum(w[i] * embs[i][j] for i in idx) * 10**6, sw)) for j in range(dim)]
    assert cen == cv["Micro"], (cv["Domain"], cen)
    p = prev.get(cv["Domain"], cen)
    ema = [rnd(F((10**6 - beta) * p[j] + beta * cen[j], 10**6)) for j in range(dim)]
    assert ema == ev["Micro"], (cv["Domain"], ema)


def leaf(e):
    cid = e["CID"].encode()
    return hashlib.sha256(b"\x00" + struct.pack(">Q", len(cid)) + cid + struct.pack(">I", e["WeightPPM"])).digest()


level = [leaf(e) for e in E]
while len(level) > 1:
    level = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() if i + 1 < len(level) else level[i]
             for i in range(0, len(level), 2)]
root = level[0].hex() if level else "00" * 32
assert root == out["MerkleRoot"], root
assert sum(w) == 10**6
print("golden.json field outputs reproduced: spread", out["SpreadPPM"], "root", root)
