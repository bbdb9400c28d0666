#!/usr/bin/env python3
"""Derives the integer tables of the int8 Winograd F(m×m, 3×3) kernels (m = 2, 3, 4) in
Sources/CInt8Kernels/qu8_winograd_avx2.c and checks, in exact integer arithmetic with int32
wrap-around, that they give the direct convolution's sums bit for bit up to the channel bound
`ef_qu8_winograd_fits` states, at the extreme values and on random ones.

Construction (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016; the
Toom-Cook matrices for the points 0, 1, -1, (2, -2) and infinity): Bᵀ is integer; each row of G
is scaled by the least integer that makes it integer (GS = D G), Aᵀ's columns by L / D_i
(AS = Aᵀ L D⁻¹, L = lcm D), so AS (GS g GSᵀ ⊙ Bᵀ d B) ASᵀ = L² Y; with L² = 2^s q, q odd, the
kernel multiplies by q⁻¹ mod 2^32 and shifts right by s. For m = 2 the kernel keeps Lavin's own
scaling (GS = 2G, AS = Aᵀ), checked here too.

Usage: python3 tools/winograd_tables.py   (prints the tables and bounds; exits 1 on a mismatch)
"""
from fractions import Fraction
from math import lcm
import random
import sys


def polynomial_product(a, b):
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def toom_cook(m, points):
    """Aᵀ (m × n), G (n × 3), Bᵀ (n × n) for F(m, 3) with the finite `points` and infinity."""
    n = m + 2
    points = [Fraction(p) for p in points]
    at = [[p ** j for p in points] + [Fraction(1 if j == m - 1 else 0)] for j in range(m)]
    g = []
    for i, p in enumerate(points):
        f = Fraction(1)
        for k, q in enumerate(points):
            if k != i:
                f *= p - q
        g.append([p ** k / f for k in range(3)])
    g.append([Fraction(1 if k == 2 else 0) for k in range(3)])
    bt = []
    for i in range(len(points)):
        poly = [Fraction(1)]
        for k, q in enumerate(points):
            if k != i:
                poly = polynomial_product(poly, [-q, Fraction(1)])
        bt.append(poly + [Fraction(0)] * (n - len(poly)))
    full = [Fraction(1)]
    for q in points:
        full = polynomial_product(full, [-q, Fraction(1)])
    bt.append(full)
    return at, g, bt


def integer_tables(m, points):
    at, g, bt = toom_cook(m, points)
    n = m + 2
    scales = [lcm(*[x.denominator for x in row]) for row in g]
    gs = [[int(x * scales[i]) for x in row] for i, row in enumerate(g)]
    big = lcm(*scales)
    as_ = [[int(at[j][i] * big / scales[i]) for i in range(n)] for j in range(m)]
    return [[int(x) for x in row] for row in bt], gs, as_, big * big


def wrap(x):
    x %= 1 << 32
    return x - (1 << 32) if x >= 1 << 31 else x


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def transpose(a):
    return [list(r) for r in zip(*a)]


def check(m, bt, gs, as_, scale, channels, rng):
    n = m + 2
    shift = (scale & -scale).bit_length() - 1
    inverse = pow(scale >> shift, -1, 1 << 32)
    for trial in range(3):
        if trial == 0:  # the extreme: every product 255 · (-128)
            d = [[[255] * n for _ in range(n)] for _ in range(channels)]
            g = [[[-128] * 3 for _ in range(3)] for _ in range(channels)]
        else:
            d = [[[rng.randint(0, 255) for _ in range(n)] for _ in range(n)] for _ in range(channels)]
            g = [[[rng.randint(-128, 127) for _ in range(3)] for _ in range(3)] for _ in range(channels)]
        acc = [[0] * n for _ in range(n)]
        for c in range(channels):
            v = matmul(matmul(bt, d[c]), transpose(bt))
            u = matmul(matmul(gs, g[c]), transpose(gs))
            assert max(abs(x) for r in v for x in r) < 1 << 15 and max(abs(x) for r in u for x in r) < 1 << 15
            acc = [[wrap(acc[i][j] + v[i][j] * u[i][j]) for j in range(n)] for i in range(n)]
        z = [[wrap(x) for x in r] for r in matmul(matmul(as_, acc), transpose(as_))]
        y = [[wrap(x * inverse) >> shift for x in r] for r in z]
        want = [[sum(d[c][i + a][j + b] * g[c][a][b] for c in range(channels) for a in range(3) for b in range(3))
                 for j in range(m)] for i in range(m)]
        if y != want:
            return False, shift, inverse
    return True, shift, inverse


def main():
    rng = random.Random(7)
    ok = True
    lavin = ([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
             [[2, 0, 0], [1, 1, 1], [1, -1, 1], [0, 0, 2]], [[1, 1, 1, 0], [0, 1, -1, -1]], 4)
    variants = [(2, lavin), (3, integer_tables(3, (0, 1, -1, 2))), (4, integer_tables(4, (0, 1, -1, 2, -2)))]
    for m, (bt, gs, as_, scale) in variants:
        shift = (scale & -scale).bit_length() - 1
        bound = (1 << 31) // (9 * 255 * 128 << shift)
        bound -= (9 * 255 * 128 * bound << shift) >= 1 << 31
        good, shift, inverse = check(m, bt, gs, as_, scale, bound, rng)
        verdict = "ok" if good else "MISMATCH"
        print(f"F({m}x{m}, 3x3): shift {shift}, inverse {inverse:#x}, channels <= {bound}: {verdict}")
        print(f"  Bt {bt}\n  GS {gs}\n  AS {as_}")
        ok = ok and good
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
