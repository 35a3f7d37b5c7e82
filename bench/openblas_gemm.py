#!/usr/bin/env python3
"""OpenBLAS (through Debian's numpy) on the GEMM shapes of bench's GemmBench, for the README's comparison:
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/openblas_gemm.py
Shapes are m x n x k:XY as in GemmBench (C = op(A)·op(B), X/Y = N or T). Prints the best of 5 rounds of
GFLOP/s (2·m·n·k per call over the mean time of a round's calls)."""
import sys
import time

import numpy as np

SHAPES = sys.argv[1:] or ["64x256x784:NT", "256x784x64:TN", "64x784x256:NN", "512x256x784:NN",
                          "784x256x512:TN", "7744x64x288:NT", "1024x1024x1024:NN"]

rng = np.random.default_rng(1)
for shape in SHAPES:
    dims, trans = shape.split(":")
    m, n, k = (int(d) for d in dims.split("x"))
    a = rng.standard_normal((k, m) if trans[0] == "T" else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if trans[1] == "T" else (k, n), dtype=np.float32)
    op_a = a.T if trans[0] == "T" else a
    op_b = b.T if trans[1] == "T" else b
    c = np.empty((m, n), dtype=np.float32)
    calls = max(3, int(2e9 / (2 * m * n * k)))
    best = 0.0
    for _ in range(6):
        start = time.perf_counter()
        for _ in range(calls):
            np.matmul(op_a, op_b, out=c)
        best = max(best, 2.0 * m * n * k * calls / (time.perf_counter() - start) / 1e9)
    print(f"{shape:>20} {best:8.1f} GFLOP/s")
