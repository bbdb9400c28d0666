// oneDNN's C API (Debian libdnnl-dev, 2.6.x). Only Sources/EFOneDNN imports this module.
#include <oneapi/dnnl/dnnl.h>
