// libheif (Debian libheif-dev, 1.15.x; HEVC through libde265). Only EFMedia imports this.
#include <libheif/heif.h>
