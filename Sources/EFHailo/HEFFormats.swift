// HailoRT's fixed tables: the edge-layer format code → device order and default host order
// (`HailoRTDefaults::get_device_format_order`, `DEFAULT_FORMAT_ORDER_MAP`), the order names
// parse-hef prints (`get_format_order_str`), and `ProtoHEFHwArch` → the architecture names
// HailoRT 4.23 and 5 print. These are not the `ProtoHEFFormatOrder` enum (that one is for pads).

enum HEFFormats {
    /// Format code → (device order, default host order), as parse-hef spells them.
    static let orders: [Int: (device: String, host: String)] = [
        0: ("NHWC", "NHWC"), 1: ("NHCW", "NHWC"), 2: ("NC", "NC"), 3: ("FCR", "FCR"),
        4: ("BAYER RGB", "BAYER RGB"), 5: ("NHW", "NHW"), 6: ("HAILO NMS ON CHIP", "HAILO NMS BY CLASS"),
        7: ("F8CR", "F8CR"), 8: ("RGB 888", "NHWC"), 11: ("YUY2", "YUY2"), 13: ("NHWC", "NHWC"),
        14: ("YYUV", "NV12"), 15: ("YYVU", "NV21"), 16: ("YYYYUV", "I420"),
    ]

    /// The format code of on-chip NMS outputs.
    static let nmsCode = 6

    /// `data_bytes` → the format type HailoRT reports (`get_format_type`).
    static func formatType(dataBytes: Int) -> String? {
        switch dataBytes {
        case 1: return "UINT8"
        case 2: return "UINT16"
        default: return nil
        }
    }

    /// `ProtoHEFHwArch` names, including the internal ones.
    static let archNames: [Int: String] = [
        0: "HAILO8", 1: "HAILO8P", 2: "HAILO8R", 3: "HAILO8L", 4: "HAILO15M", 5: "HAILO10H", 6: "HAILO15L",
        100: "SAGE_A0", 101: "SAGE_B0", 102: "PAPRIKA_B0", 103: "HAILO15H", 104: "GINGER", 105: "LAVENDER",
        106: "PLUTO", 108: "MARS",
    ]

    /// What HailoRT 4.23's parse-hef prints for a `hw_arch`.
    static func hailort4Arch(_ code: Int) -> String {
        switch code {
        case 0, 1, 2, 101, 102: return "HAILO8"
        case 3: return "HAILO8L"
        case 103, 104, 105: return "HAILO15H"
        case 4: return "HAILO15M"
        case 6, 106: return "HAILO15L"
        case 5: return "HAILO10H"
        case 100: return "HAILO8_A0"
        default: return "UNKNOWN(\(code))"
        }
    }

    /// The compatible-device list HailoRT 5 prints (`hef_arch_to_device_compatible_archs`).
    static func hailort5Arch(_ code: Int) -> String {
        switch code {
        case 3: return "HAILO8L, HAILO8"
        case 103: return "HAILO15H, HAILO10H"
        case 4: return "HAILO15M, HAILO15H, HAILO10H"
        case 108: return "HAILO12L"
        default: return hailort4Arch(code)
        }
    }

    static func architecture(_ code: Int) -> HEFArchitecture {
        HEFArchitecture(code: code, name: archNames[code] ?? "UNKNOWN(\(code))", hailort4: hailort4Arch(code),
                        hailort5: hailort5Arch(code))
    }

    /// The highest `ProtoHEFExtensionType` known (HailoRT 5.2: STRICT_RUNTIME_VERSIONING).
    static let lastKnownExtension = 35
    static let netFlowExtension = 13
    static let multiNetworkExtension = 8
    static let outputScalePerFeatureExtension = 25
    static let periphCalculationExtension = 26
    /// Bytes of one `hailo_bbox_float32_t` (y_min, x_min, y_max, x_max, score).
    static let nmsBboxBytes = 20
}
