// The names a model script knows: Edgeflow's commands, their sections and features with their
// keys, and the Dataflow Compiler names Edgeflow recognizes but does not support yet (refused
// with a message saying so rather than "unknown").

/// Command, section, feature and key names of the model-script language.
public enum ScriptCommandTable {
    /// Every command Edgeflow reads.
    public static let commands = [
        "normalization", "input_conversion", "resize", "preprocessing", "model_optimization_config",
        "model_optimization_flavor", "quantization_param", "pre_quantization_optimization",
        "post_quantization_optimization",
    ]

    /// Commands that create layers and so may be written `name = command(...)`.
    static let layerCreating: Set<String> = ["normalization", "input_conversion", "resize"]

    /// Keys of each command (for commands with a section or feature: of each section or feature).
    static let keys: [String: [String]] = [
        "normalization": [],
        "input_conversion": ["emulator_support"],
        "resize": ["resize_shapes", "resize_method"],
        "preprocessing": ["recipe", "size"],
        "model_optimization_config(calibration)": ["batch_size", "calibset_size", "range", "percentile"],
        "model_optimization_flavor": ["optimization_level", "batch_size"],
        "quantization_param": ["precision_mode"],
        "pre_quantization_optimization(equalization)": ["policy"],
        "pre_quantization_optimization(smooth_quant)": ["policy", "alpha"],
        "pre_quantization_optimization(activation_clipping)": ["layers", "mode", "clipping_values"],
        "post_quantization_optimization(bias_correction)": ["policy"],
    ]

    /// The sections or features each command with one takes as its first argument.
    static let features: [String: [String]] = [
        "model_optimization_config": ["calibration"],
        "pre_quantization_optimization": ["equalization", "smooth_quant", "activation_clipping"],
        "post_quantization_optimization": ["bias_correction"],
    ]

    /// Dataflow Compiler commands that Edgeflow does not support (yet).
    static let hailoCommands: Set<String> = [
        "transpose", "nms_postprocess", "change_output_activation", "logits_layer", "set_seed",
        "format_conversion", "performance_param", "context_switch_param", "allocator_param",
        "resources_param", "place", "shortcut", "portal", "l4_portal", "ddr", "concat", "defuse", "merge",
        "compilation_param", "hef_param", "output_mux", "buffers", "feature_splitter", "shape_splitter",
        "platform_param", "remove_node", "network_group", "from_tf",
    ]

    /// Dataflow Compiler sections and features that Edgeflow does not support (yet), per command.
    static let hailoFeatures: [String: Set<String>] = [
        "model_optimization_config": ["compression_params", "negative_exponent", "globals", "checker_cfg"],
        "pre_quantization_optimization": [
            "dead_channels_removal", "zero_static_channels", "se_optimization", "dead_layers_removal",
            "weights_clipping", "ew_add_fusing", "layer_decomposition", "smart_softmax_stats", "defuse",
            "resolution_reduction", "global_avgpool_reduction", "add_shortcut_layer", "layer_norm_decomposition",
            "matmul_correction", "matmul_equalization", "matmul_decomposition", "switch_concat_with_add",
            "split_ew_mult_by_bit_significance", "use_prequantized_weights", "conv_decomposition",
            "split_fused_activation", "quarot", "conv_a16_w4",
        ],
        "post_quantization_optimization": ["finetune", "train_encoding", "adaround", "mix_precision_search"],
    ]

    /// Dataflow Compiler precision modes that Edgeflow has no kernels for (yet).
    static let hailoPrecisionModes: Set<String> = [
        "a8_w4", "a16_w16", "a16_w4", "a8_w4_exp", "a16_w16_non_zero", "native",
    ]

    /// Dataflow Compiler keys of supported commands that Edgeflow does not support (yet).
    static let hailoKeys: [String: Set<String>] = [
        "resize": ["pixels_mode", "engine"],
        "model_optimization_flavor": ["compression_level"],
        "quantization_param": [
            "bias_mode", "quantization_groups", "force_range_out", "max_elementwise_feed_repeat",
            "max_bias_feed_repeat", "null_channels_cutoff_factor", "output_encoding_vector", "gpu_policy",
        ],
        "pre_quantization_optimization(activation_clipping)": ["recollect_stats"],
        "post_quantization_optimization(bias_correction)": ["cache_compression", "layers"],
    ]
}
