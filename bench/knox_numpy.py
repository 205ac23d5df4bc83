#!/usr/bin/env python3
"""Reference for bench/knox.ts: a plain vectorised numpy Knox test (candidate-pair method).

Pairs inside the largest space band are found once (events sorted by x, blocks of rows against
the window of x they can reach), then each simulation permutes the times and counts the pairs
with numpy gathers, searchsorted and bincount. Same bands and p-value rule as NearRepeat.

usage: python3 bench/knox_numpy.py FILE --no-header|--header SIMS SEED [manhattan|euclidean]
prints one JSON line: observed, expectedMean, knoxRatio, pValue and the timings in seconds.
"""
import csv
import json
import sys
import time

import numpy as np

SBANDS = np.array([0, 0.1, 200, 400, 600], dtype=float)
TBANDS = np.array([0, 7, 14, 21], dtype=float)


def read(path, header):
    xs, ys, ts = [], [], []
    with open(path, newline="") as f:
        rows = csv.reader(f)
        if header:
            next(rows)
        for row in rows:
            if len(row) < 3 or row[0] in ("", "NA") or row[1] in ("", "NA") or row[2] in ("", "NA"):
                continue
            xs.append(float(row[0]))
            ys.append(float(row[1]))
            ts.append(row[2])
    days = np.array(ts, dtype="datetime64[D]").astype(np.int64).astype(float)
    return np.array(xs), np.array(ys), days


def candidate_pairs(x, y, max_d, method):
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    n = len(xs)
    a_parts, b_parts, d_parts = [], [], []
    block = 512
    for i0 in range(0, n, block):
        i1 = min(n, i0 + block)
        j1 = int(np.searchsorted(xs, xs[i1 - 1] + max_d, side="left"))
        dx = np.abs(xs[i0:i1, None] - xs[None, i0:j1])
        dy = np.abs(ys[i0:i1, None] - ys[None, i0:j1])
        d = dx + dy if method == "manhattan" else np.sqrt(dx * dx + dy * dy)
        ii, jj = np.nonzero((d < max_d) & (np.arange(i0, i1)[:, None] < np.arange(i0, j1)[None, :]))
        a_parts.append(order[ii + i0])
        b_parts.append(order[jj + i0])
        d_parts.append(d[ii, jj])
    return np.concatenate(a_parts), np.concatenate(b_parts), np.concatenate(d_parts)


def main():
    path, header_flag, sims, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    method = sys.argv[5] if len(sys.argv) > 5 else "manhattan"
    t0 = time.perf_counter()
    x, y, t = read(path, header_flag == "--header")
    t1 = time.perf_counter()
    a, b, d = candidate_pairs(x, y, SBANDS[-1], method)
    sb = np.searchsorted(SBANDS, d, side="right") - 1
    keep = (d >= SBANDS[0]) & (d < SBANDS[-1])
    a, b, sb = a[keep], b[keep], sb[keep]
    t2 = time.perf_counter()
    S, T = len(SBANDS) - 1, len(TBANDS) - 1

    def table(times):
        dt = np.abs(times[a] - times[b])
        ok = dt < TBANDS[-1]
        tb = np.searchsorted(TBANDS, dt[ok], side="right") - 1
        return np.bincount(sb[ok] * T + tb, minlength=S * T)

    observed = table(t)
    rng = np.random.default_rng(seed)
    tables = np.empty((sims, S * T), dtype=np.int64)
    for k in range(sims):
        tables[k] = table(rng.permutation(t))
    t3 = time.perf_counter()
    mean = tables.mean(axis=0)
    p = ((tables >= observed).sum(axis=0) + 1) / (sims + 1)
    print(json.dumps({
        "observed": observed.reshape(S, T).tolist(),
        "expectedMean": mean.reshape(S, T).tolist(),
        "knoxRatio": (observed / mean).reshape(S, T).tolist(),
        "pValue": p.reshape(S, T).tolist(),
        "events": int(len(x)),
        "candidatePairs": int(len(a)),
        "seconds": {"read": t1 - t0, "pairs": t2 - t1, "simulations": t3 - t2, "total": t3 - t0},
    }))


if __name__ == "__main__":
    main()
