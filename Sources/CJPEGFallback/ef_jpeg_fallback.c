// libjpeg's decoder for 4-component JPEGs TurboJPEG's API refuses; see ef_jpeg_fallback.h.
#include "ef_jpeg_fallback.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>

struct ef_error {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
    size_t message_size;
};

static void ef_fail(j_common_ptr info) {
    struct ef_error *error = (struct ef_error *)info->err;
    char text[JMSG_LENGTH_MAX];
    (*info->err->format_message)(info, text);
    snprintf(error->message, error->message_size, "%s", text);
    longjmp(error->jump, 1);
}

static void ef_message(j_common_ptr info, int level) {
    if (level < 0) ef_fail(info);  // a warning: damaged data, refused like TJFLAG_STOPONWARNING
}

static void ef_start(j_decompress_ptr info, struct ef_error *error, const unsigned char *data, size_t size,
                     char *message, size_t message_size) {
    info->err = jpeg_std_error(&error->base);
    error->base.error_exit = ef_fail;
    error->base.emit_message = ef_message;
    error->message = message;
    error->message_size = message_size;
    jpeg_create_decompress(info);
    jpeg_mem_src(info, data, (unsigned long)size);
}

int ef_jpeg_header(const unsigned char *data, size_t size, int denominator, int *width, int *height,
                   int *components, int *output_width, int *output_height, char *message, size_t message_size) {
    struct jpeg_decompress_struct info;
    struct ef_error error;
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&info);
        return -1;
    }
    ef_start(&info, &error, data, size, message, message_size);
    jpeg_read_header(&info, TRUE);
    info.scale_num = 1;
    info.scale_denom = (unsigned int)denominator;
    jpeg_calc_output_dimensions(&info);
    *width = (int)info.image_width;
    *height = (int)info.image_height;
    *components = info.num_components;
    *output_width = (int)info.output_width;
    *output_height = (int)info.output_height;
    jpeg_destroy_decompress(&info);
    return 0;
}

int ef_jpeg_decode_cmyk(const unsigned char *data, size_t size, int denominator, unsigned char *output,
                        size_t output_size, char *message, size_t message_size) {
    struct jpeg_decompress_struct info;
    struct ef_error error;
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&info);
        return -1;
    }
    ef_start(&info, &error, data, size, message, message_size);
    jpeg_read_header(&info, TRUE);
    if (info.num_components != 4 || (info.jpeg_color_space != JCS_CMYK && info.jpeg_color_space != JCS_YCCK)) {
        snprintf(message, message_size, "not a CMYK or YCCK JPEG");
        jpeg_destroy_decompress(&info);
        return -1;
    }
    info.out_color_space = JCS_CMYK;
    info.scale_num = 1;
    info.scale_denom = (unsigned int)denominator;
    jpeg_start_decompress(&info);
    size_t row = (size_t)info.output_width * 4;
    if (info.output_components != 4 || row * info.output_height != output_size) {
        snprintf(message, message_size, "unexpected output size");
        jpeg_destroy_decompress(&info);
        return -1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW line = output + row * info.output_scanline;
        jpeg_read_scanlines(&info, &line, 1);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    return 0;
}
