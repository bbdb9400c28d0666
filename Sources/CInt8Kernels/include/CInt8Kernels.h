// The umbrella header of CInt8Kernels: the exact int8 GEMM micro-kernel, depthwise conv, im2col
// and the Winograd 3×3 conv.
#include "ef_qu8_gemm.h"
#include "ef_qu8_depthwise.h"
#include "ef_qu8_unfold.h"
#include "ef_qu8_winograd.h"
