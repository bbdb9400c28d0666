// The umbrella header of CInt8Kernels: the exact int8 GEMM micro-kernel, depthwise conv and im2col.
#include "ef_qu8_gemm.h"
#include "ef_qu8_depthwise.h"
#include "ef_qu8_unfold.h"
