// TurboJPEG (Debian libturbojpeg0-dev, 2.1.x). Only Sources/EFMedia imports this module.
#include <turbojpeg.h>
