// libjpeg's own decoder for the JPEGs TurboJPEG's API refuses: 4-component (CMYK/YCCK) files
// whose sampling factors TurboJPEG cannot classify (Pillow writes such files with
// subsampling=1 or 2). libjpeg reports errors by longjmp, which Swift cannot catch, so the
// decode runs here in C and returns a status with the message. Warnings count as errors, as
// with TurboJPEG's TJFLAG_STOPONWARNING.
#ifndef EF_JPEG_FALLBACK_H
#define EF_JPEG_FALLBACK_H

#include <stddef.h>

/// Reads the header: stored size, components, and the output size at scale 1/denominator
/// (denominator 1, 2, 4 or 8). Returns 0, or -1 with `message` filled.
int ef_jpeg_header(const unsigned char *data, size_t size, int denominator, int *width, int *height,
                   int *components, int *output_width, int *output_height, char *message, size_t message_size);

/// Decodes a 4-component JPEG to CMYK samples as libjpeg gives them (Adobe files stay inverted)
/// at scale 1/denominator into `output` (output_width × output_height × 4 bytes, checked).
/// Returns 0, or -1 with `message` filled.
int ef_jpeg_decode_cmyk(const unsigned char *data, size_t size, int denominator, unsigned char *output,
                        size_t output_size, char *message, size_t message_size);

#endif
