// libtiff 4 (Debian libtiff-dev): first page of TIFF files. Only EFMedia imports this.
#include <tiffio.h>
