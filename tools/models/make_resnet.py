#!/usr/bin/env python3
"""Generate a ResNet-50 (torchvision layout) as ONNX with seeded weights.

Graph as the PyTorch legacy exporter writes torchvision.models.resnet50 at
opset 17 when BatchNormalization is kept (training=TrainingMode.PRESERVE or an
older exporter): conv1 7x7/2 -> BatchNormalization -> Relu -> MaxPool 3x3/2 ->
layer1..layer4 of Bottleneck blocks (1x1, 3x3 with the stride, 1x1 expanding
x4, each Conv -> BatchNormalization, Relu after the first two, a 1x1/stride
Conv+BatchNormalization downsample on the first block of a stage, Add, Relu)
-> GlobalAveragePool -> Flatten -> Gemm (fc, transB=1).

Weights: conv He-uniform (gain sqrt(2) for the ReLU), BatchNormalization with
random running statistics, the last BN of every block and of every
downsample scaled down (gamma in [0.2, 0.4] and [0.3, 0.5]) so the residual
stream stays O(1) through 16 blocks, as in trained ResNets; fc gain 2 makes
the logits O(1).

Usage: make_resnet.py --config full -o resnet50.onnx   (input [1,3,224,224] -> [1,1000])
       make_resnet.py --config small -o resnet50-small.onnx (width 8, blocks [1,1,1,1], 64x64 -> 10)
"""

from __future__ import annotations

import math
import os
import sys

from onnx import TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnxbuild import GraphBuilder, Weights, config_main  # noqa: E402

CONFIGS = {
    "full": dict(image=224, width=64, blocks=[3, 4, 6, 3], classes=1000, seed=2001),
    "small": dict(image=64, width=8, blocks=[1, 1, 1, 1], classes=10, seed=2011),
}
EXPANSION = 4
BN_EPS = 1e-5


def conv_bn(g: GraphBuilder, w: Weights, x: str, scope: str, conv: str, bn: str, cin: int, cout: int,
            k: int, stride: int, relu: bool, gamma_range=(0.8, 1.2)) -> str:
    """Conv -> BatchNormalization (-> Relu); `scope` is the module path ("layer1/layer1.0"),
    `conv`/`bn` the torchvision attribute names ("conv1", "downsample.0")."""
    pad = k // 2
    prefix = scope.split("/")[-1] + "." if scope else ""
    path = (scope + "/") if scope else ""
    with g.scope(path + conv):
        y = g.op("Conv", [x, g.param(prefix + conv + ".weight",
                                     w.fan_in([cout, cin, k, k], cin * k * k, gain=math.sqrt(2.0)))],
                 dilations=[1, 1], group=1, kernel_shape=[k, k], pads=[pad] * 4, strides=[stride, stride])
    with g.scope(path + bn):
        p = prefix + bn
        gamma = w.between([cout], *gamma_range)
        y = g.op("BatchNormalization",
                 [y, g.param(p + ".weight", gamma), g.param(p + ".bias", w.symmetric([cout], 0.1)),
                  g.param(p + ".running_mean", w.symmetric([cout], 0.1)),
                  g.param(p + ".running_var", w.between([cout], 0.5, 1.5))],
                 epsilon=BN_EPS, momentum=0.9)
    if relu:
        with g.scope(path + "relu"):
            y = g.op("Relu", [y])
    return y


def build(config: str):
    c = CONFIGS[config]
    S, Wd, blocks, classes, seed = c["image"], c["width"], c["blocks"], c["classes"], c["seed"]
    w = Weights(seed)
    g = GraphBuilder(f"resnet50_{config}")
    x = g.input("input", TensorProto.FLOAT, [1, 3, S, S])
    x = conv_bn(g, w, x, "", "conv1", "bn1", 3, Wd, 7, 2, relu=True)
    with g.scope("maxpool"):
        x = g.op("MaxPool", [x], ceil_mode=0, dilations=[1, 1], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                 strides=[2, 2])
    cin = Wd
    for stage, n in enumerate(blocks):
        planes = Wd * (2 ** stage)
        for b in range(n):
            stride = 2 if (b == 0 and stage > 0) else 1
            pre = f"layer{stage + 1}/layer{stage + 1}.{b}"
            y = conv_bn(g, w, x, pre, "conv1", "bn1", cin, planes, 1, 1, relu=True)
            y = conv_bn(g, w, y, pre, "conv2", "bn2", planes, planes, 3, stride, relu=True)
            y = conv_bn(g, w, y, pre, "conv3", "bn3", planes, planes * EXPANSION, 1, 1, relu=False,
                        gamma_range=(0.2, 0.4))
            if b == 0:
                sc = conv_bn(g, w, x, pre, "downsample.0", "downsample.1", cin, planes * EXPANSION, 1, stride,
                             relu=False, gamma_range=(0.3, 0.5))
            else:
                sc = x
            with g.scope(pre):
                x = g.op("Add", [y, sc])
            with g.scope(pre + "/relu"):
                x = g.op("Relu", [x])
            cin = planes * EXPANSION
    x = g.op("GlobalAveragePool", [x])
    x = g.op("Flatten", [x], axis=1)
    with g.scope("fc"):
        g.op("Gemm", [x, g.param("fc.weight", w.fan_in([classes, cin], cin, gain=2.0)),
                      g.param("fc.bias", w.symmetric([classes], 0.1))],
             output_names=["output"], alpha=1.0, beta=1.0, transB=1)
    g.output("output", TensorProto.FLOAT, [1, classes])
    return g, dict(arch="resnet50", config=config, **c)


def main(argv=None):
    config_main(build, CONFIGS, "ResNet-50", "tools/models/make_resnet.py", __doc__, argv)


if __name__ == "__main__":
    main()
