#!/usr/bin/env python3
"""Make single-op cases for RoiAlign, DeformConv and Det whose expected outputs come from
onnxruntime, for what the ONNX suite does not exercise: RoiAlign with adaptive sampling over
several regions of several images (regions reaching outside the map, a degenerate region) in
both coordinate modes and both pooling modes; DeformConv with stride, dilation, padding, groups,
offset groups, a mask and offsets that leave the image; Det over a batch with a singular and a
permuted matrix.

Same layout and writer as make_ort_op_cases.py (Tests/Goldens/ort-op-cases/<name>/, played by
OrtOpCaseTests); only the cases below are written, the others are left as they are.
Usage: tools/goldens/make_ort_region_op_cases.py [--out Tests/Goldens/ort-op-cases]   (needs onnx, onnxruntime)
"""
import sys

import numpy as np

import make_ort_op_cases as base

rng = np.random.default_rng(20261205)


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


base.CASES.clear()
feature = f32(2, 3, 10, 12)
regions = np.array([[0, 0, 40, 36], [8.5, 4.25, 30, 20], [-6, -4, 12, 50], [20, 20, 20, 20], [44, 30, 60, 44]],
                   np.float32)
images = np.array([0, 1, 1, 0, 1], np.int64)
for mode in ["avg", "max"]:
    for transform in ["half_pixel", "output_half_pixel"]:
        base.case(f"roialign_adaptive_{mode}_{transform}", 16, "RoiAlign",
                  {"x": feature, "rois": regions, "batch_indices": images},
                  {"mode": mode, "coordinate_transformation_mode": transform, "output_height": 3,
                   "output_width": 4, "spatial_scale": 0.25})
base.case("roialign_opset10_sampling_ratio", 10, "RoiAlign", {"x": feature, "rois": regions, "batch_indices": images},
          {"output_height": 2, "output_width": 2, "sampling_ratio": 3, "spatial_scale": 0.25})

base.case("deformconv_stride_dilation_pads", 19, "DeformConv",
          {"x": f32(2, 4, 7, 8), "w": f32(6, 4, 3, 3), "offset": (f32(2, 18, 4, 3) * 2).astype(np.float32)},
          {"strides": [2, 3], "dilations": [1, 2], "pads": [1, 2, 2, 1]})
base.case("deformconv_groups_offset_groups_mask_bias", 19, "DeformConv",
          {"x": f32(1, 4, 6, 6), "w": f32(4, 2, 2, 3), "offset": (f32(1, 24, 5, 4) * 3).astype(np.float32),
           "b": f32(4), "mask": rng.uniform(0, 1, (1, 12, 5, 4)).astype(np.float32)},
          {"group": 2, "offset_group": 2})

matrices = f32(4, 3, 3)
matrices[1, 2] = matrices[1, 0] * 2  # singular
matrices[2] = np.eye(3, dtype=np.float32)[[2, 0, 1]] * 3  # a permutation: determinant 27
base.case("det_batch_singular_permutation", 11, "Det", {"x": matrices})
base.case("det_5x5_opset11", 11, "Det", {"x": f32(2, 5, 5)})

if __name__ == "__main__":
    sys.exit(base.main())
