// LibRaw (Debian libraw-dev, 0.20.x), the thread-safe build: camera RAW files. Only EFMedia imports this.
#include <libraw/libraw.h>
