#!/usr/bin/env python3
# Fits the polynomial coefficients of Sources/EFKernels/Fast/FastMath.swift (exp, tanh, erf,
# erfc, log1p) by reweighted least squares in float64; run with /work/venv/bin/python (numpy).
# Prints each coefficient list (lowest degree first) and the relative error of the fit.
import numpy as np
from math import erf
np.set_printoptions(precision=17)
def fit(xs, ys, basis, weight):
    A = np.stack([b(xs) for b in basis], axis=1) * weight[:, None]
    c, *_ = np.linalg.lstsq(A, ys * weight, rcond=None)
    return c
def refine(xs, ys, basis, rel, iters=30):
    w = 1/np.abs(ys) if rel else np.ones_like(ys)
    for _ in range(iters):
        c = fit(xs, ys, basis, w)
        approx = sum(ci*b(xs) for ci, b in zip(c, basis))
        err = np.abs(approx-ys) * (1/np.abs(ys) if rel else 1)
        w = w * (1 + 4*err/err.max())  # Lawson-like reweighting toward minimax
    return c, err.max()
# exp: e^r = 1 + r + r^2 * Q(r), r in [-ln2/2, ln2/2], Q degree 4
r = np.linspace(-np.log(2)/2, np.log(2)/2, 20001); r = r[r != 0]
c, e = refine(r, (np.exp(r) - 1 - r) / r**2, [lambda x, k=k: x**k for k in range(5)], True)
print("exp Q", list(c), "relerr(Q)", e)
# tanh small: tanh(x) = x + x^3 * P(x^2), |x| <= 0.625, P degree 5
x = np.linspace(1e-4, 0.625, 20001)
c, e = refine(x*x, (np.tanh(x) - x)/x**3, [lambda s, k=k: s**k for k in range(6)], True)
print("tanh P", list(c), "relerr", e)
# erf small: erf(x) = x * P(x^2), |x| <= 1, P degree 6
x = np.linspace(1e-4, 1.0, 20001)
ye = np.array([erf(v) for v in x])
c, e = refine(x*x, ye/x, [lambda s, k=k: s**k for k in range(7)], True)
print("erf small P", list(c), "relerr", e)
# erf large: erf(x) = 1 - exp(-x^2) * R(t), x in [1, 3.92], t = 1/(1+0.5x), R degree 9
x = np.linspace(1.0, 3.92, 40001)
ye = np.array([1 - erf(v) for v in x]) * np.exp(x*x)
t = 1/(1+0.5*x)
c, e = refine(t, ye, [lambda s, k=k: s**k for k in range(10)], True)
print("erfc R", list(c), "relerr", e)
# log1p on [0,1]: log(1+u) = u * S(u), S degree 9
u = np.linspace(1e-6, 1.0, 20001)
c, e = refine(u, np.log1p(u)/u, [lambda s, k=k: s**k for k in range(10)], True)
print("log1p S", list(c), "relerr", e)
