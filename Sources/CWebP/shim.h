// libwebp decoder and demuxer (Debian libwebp-dev, 1.2.x). Only EFMedia imports this.
#include <webp/decode.h>
#include <webp/demux.h>
