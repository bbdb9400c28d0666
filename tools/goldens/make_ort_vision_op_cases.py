#!/usr/bin/env python3
"""Make single-op cases for GridSample, Einsum and AffineGrid whose expected outputs come from
onnxruntime, for what the ONNX suite does not exercise: grid positions far outside the input
(reflection folding more than once, border clamping) in every mode, float64 and 5-D inputs,
Einsum's attention-shaped, broadcast, three-operand, diagonal-and-contract and integer forms.

Same layout and writer as make_ort_op_cases.py (Tests/Goldens/ort-op-cases/<name>/, played by
OrtOpCaseTests); only the cases below are written, the others are left as they are.
Usage: tools/goldens/make_ort_vision_op_cases.py [--out Tests/Goldens/ort-op-cases]   (needs onnx, onnxruntime)
"""
import sys

import numpy as np

import make_ort_op_cases as base

rng = np.random.default_rng(20261203)


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def grid(*shape, spread=3.0, dtype=np.float32):
    """Normalized positions, many outside [-1, 1]."""
    return (rng.uniform(-spread, spread, shape)).astype(dtype)


base.CASES.clear()
image = f32(1, 2, 4, 5)
far = grid(1, 3, 4, 2)
# cubic with border padding is left out: the ONNX reference (and Edgeflow) clamp the position to
# the border before taking the 4 taps; onnxruntime (since its issue 28090) clamps each tap as
# PyTorch does, which differs for positions just outside the input.
for mode in ["linear", "nearest", "cubic"]:
    for padding in ["zeros", "border", "reflection"]:
        for align in [0, 1]:
            if (mode, padding) == ("cubic", "border"):
                continue
            base.case(f"gridsample_{mode}_{padding}_align{align}_far", 20, "GridSample", {"x": image, "g": far},
                      {"mode": mode, "padding_mode": padding, "align_corners": align})
base.case("gridsample_opset16_bicubic_reflection", 16, "GridSample", {"x": f32(2, 3, 5, 4), "g": grid(2, 2, 3, 2)},
          {"mode": "bicubic", "padding_mode": "reflection"})
base.case("gridsample_float64_linear_border", 20, "GridSample",
          {"x": rng.standard_normal((1, 2, 3, 4)), "g": grid(1, 2, 5, 2, dtype=np.float64)},
          {"padding_mode": "border", "align_corners": 1})
base.case("gridsample_volumetric_nearest_reflection", 20, "GridSample",
          {"x": f32(1, 2, 3, 4, 5), "g": grid(1, 2, 3, 2, 3)}, {"mode": "nearest", "padding_mode": "reflection"})
base.case("gridsample_volumetric_linear_border", 20, "GridSample", {"x": f32(2, 1, 2, 3, 4), "g": grid(2, 3, 1, 2, 3)},
          {"padding_mode": "border"})
base.case("gridsample_single_pixel_reflection_align", 20, "GridSample", {"x": f32(1, 1, 1, 1), "g": grid(1, 2, 2, 2)},
          {"padding_mode": "reflection", "align_corners": 1})
base.case("einsum_attention_scores", 12, "Einsum", {"q": f32(2, 3, 4, 8), "k": f32(2, 3, 5, 8)},
          {"equation": "bhqd,bhkd->bhqk"})
base.case("einsum_attention_values", 12, "Einsum", {"p": f32(2, 3, 4, 5), "v": f32(2, 3, 5, 8)},
          {"equation": "bhqk,bhkd->bqhd"})
base.case("einsum_ellipsis_broadcast_matmul", 12, "Einsum", {"a": f32(2, 1, 3, 4), "b": f32(1, 5, 4, 2)},
          {"equation": "...ij,...jk->...ik"})
base.case("einsum_three_operands", 12, "Einsum", {"a": f32(3, 4), "b": f32(4, 5), "c": f32(5, 2)},
          {"equation": "ij,jk,kl->li"})
base.case("einsum_outer_product_implicit", 12, "Einsum", {"a": f32(3), "b": f32(4)}, {"equation": "i,j"})
base.case("einsum_trace_then_contract", 12, "Einsum", {"a": f32(2, 3, 3), "b": f32(2, 4)},
          {"equation": "bii,bj->j"})
base.case("einsum_int32_matmul", 12, "Einsum",
          {"a": rng.integers(-5, 5, (3, 4)).astype(np.int32), "b": rng.integers(-5, 5, (4, 2)).astype(np.int32)},
          {"equation": "ij,jk->ik"})
base.case("einsum_sum_all_float64", 12, "Einsum", {"a": rng.standard_normal((3, 4))}, {"equation": "ij->"})
base.case("affinegrid_2d_batch_rectangular", 20, "AffineGrid", {"theta": f32(2, 2, 3)},
          {"align_corners": 0}, initializers={"size": base.i64(2, 3, 4, 7)}, order=["theta", "size"])
base.case("affinegrid_3d_align_corners", 20, "AffineGrid", {"theta": f32(1, 3, 4)},
          {"align_corners": 1}, initializers={"size": base.i64(1, 1, 2, 3, 5)}, order=["theta", "size"])

if __name__ == "__main__":
    sys.exit(base.main())
