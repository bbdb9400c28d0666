// The umbrella header of CInt8Kernels: the exact int8 GEMM micro-kernel and depthwise conv.
#include "ef_qu8_gemm.h"
#include "ef_qu8_depthwise.h"
