"""Running TFLite models in MediaPipe's own framework, for goldens of models with MediaPipe's custom
ops (which LiteRT has no kernels for). Needs the venv make_mediapipe_graph_goldens.py describes.

A small MediaPipe graph: ImageToTensorCalculator (the image as float32 in [0, 1], no rotation, no
aspect-ratio padding) → InferenceCalculator (TFLite's CPU kernels; the custom ops from
TfLiteCustomOpResolverCalculator, MediaPipe's CPU op resolver) → SplitTensorVectorCalculator →
TensorsToFloatsCalculator per output. The tensor MediaPipe fed the model is recorded too, so a
case's input is exactly the model's input.
"""

from __future__ import annotations

import numpy as np


def graph_config(model_path: str, outputs: int, size: int) -> str:
    ranges = " ".join(f"ranges {{ begin: {i} end: {i + 1} }}" for i in range(outputs))
    splits = " ".join(f'output_stream: "tensor{i}"' for i in range(outputs))
    floats = "\n".join(f'node {{ calculator: "TensorsToFloatsCalculator" input_stream: "TENSORS:tensor{i}" '
                       f'output_stream: "FLOATS:floats{i}" }}' for i in range(outputs))
    return f'''
input_stream: "image"
node {{
  calculator: "ImageToTensorCalculator"
  input_stream: "IMAGE:image"
  output_stream: "TENSORS:input_tensors"
  options {{ [mediapipe.ImageToTensorCalculatorOptions.ext] {{
    output_tensor_width: {size} output_tensor_height: {size} keep_aspect_ratio: false
    output_tensor_float_range {{ min: 0.0 max: 1.0 }} }} }}
}}
node {{ calculator: "TfLiteCustomOpResolverCalculator" output_side_packet: "OP_RESOLVER:op_resolver" }}
node {{
  calculator: "InferenceCalculator"
  input_stream: "TENSORS:input_tensors"
  output_stream: "TENSORS:output_tensors"
  input_side_packet: "OP_RESOLVER:op_resolver"
  options {{ [mediapipe.InferenceCalculatorOptions.ext] {{ model_path: "{model_path}" delegate {{ tflite {{}} }} }} }}
}}
node {{ calculator: "TensorsToFloatsCalculator" input_stream: "TENSORS:input_tensors" output_stream: "FLOATS:input" }}
node {{
  calculator: "SplitTensorVectorCalculator"
  input_stream: "output_tensors"
  {splits}
  options {{ [mediapipe.SplitVectorCalculatorOptions.ext] {{ {ranges} }} }}
}}
{floats}
'''


def run_mediapipe(model_path: str, names, image: np.ndarray, size: int):
    """The model's input as MediaPipe made it from `image` (uint8 HWC RGB) and its outputs, flat."""
    import mediapipe as mp
    from google.protobuf import text_format
    from mediapipe.framework import calculator_pb2
    config = text_format.Parse(graph_config(model_path, len(names), size), calculator_pb2.CalculatorGraphConfig())
    graph = mp.CalculatorGraph(graph_config=config)
    results = {}
    streams = ["input"] + [f"floats{i}" for i in range(len(names))]
    for stream in streams:
        graph.observe_output_stream(stream, lambda _, packet, stream=stream: results.__setitem__(
            stream, np.array(mp.packet_getter.get_float_list(packet), dtype=np.float32)))
    graph.start_run()
    frame = mp.packet_creator.create_image_frame(image_format=mp.ImageFormat.SRGB, data=image)
    graph.add_packet_to_input_stream("image", frame.at(0))
    graph.close()
    return results["input"], [results[f"floats{i}"] for i in range(len(names))]


def option_map(**entries) -> bytes:
    """A FlexBuffers map as MediaPipe's converter writes these options: lists as typed int vectors
    (its kernels read them with AsTypedVector), Python floats as float32."""
    from flatbuffers import flexbuffers
    builder = flexbuffers.Builder()
    with builder.Map():
        for key, value in entries.items():
            builder.Key(key)
            if isinstance(value, list):
                builder.TypedVectorFromElements(value, element_type=flexbuffers.Type.INT)
            elif isinstance(value, float):
                builder.Float(value, 4)
            else:
                builder.Int(value)
    return bytes(builder.Finish())
