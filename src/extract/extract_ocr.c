/* SPDX-License-Identifier: MIT */
/* extract_ocr.c - OCR of rendered pages with the Tesseract C API (the only tesseract user). */
#include "lh_common.h"
#include "extract_int.h"
#include "buf.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <tesseract/capi.h>

struct lh__extract_ocr {
    TessBaseAPI *api;
};

static pthread_once_t ocr_once = PTHREAD_ONCE_INIT;
static void (*omp_set_max_active_levels_fn)(int);

/* Process-wide set-up, once.
 * OpenMP: libtesseract runs parts of recognition in OpenMP parallel regions, and libgomp
 * spin-waits; several OCR jobs (or one, next to the server's other threads) then
 * oversubscribe the cores: one 300 dpi page took 18 s instead of 3 s on 2 cores. The usual
 * cure, OMP_THREAD_LIMIT=1, only works in the environment the process starts with (libgomp
 * reads it in its load-time constructor), so setenv() here would change nothing. Instead,
 * unless the user exported OMP_THREAD_LIMIT, every OCR call sets the calling thread's
 * max-active-levels to 0, which runs Tesseract's parallel regions on that thread alone.
 * libgomp is loaded as libtesseract's dependency; dlsym finds it without linking -lgomp.
 * Tesseract's tprintf output (warnings, "Estimating resolution...") goes to the global
 * `debug_file` parameter: /dev/null. Setting a global parameter is not thread-safe,
 * hence here. */
static void ocr_global_init(void)
{
    if (!getenv("OMP_THREAD_LIMIT")) {
        void *sym = dlsym(RTLD_DEFAULT, "omp_set_max_active_levels");
        memcpy(&omp_set_max_active_levels_fn, &sym, sizeof(sym));
    }
    TessBaseAPI *api = TessBaseAPICreate();
    if (api) {
        TessBaseAPISetVariable(api, "debug_file", "/dev/null");
        TessBaseAPIDelete(api);
    }
}

int lh__extract_ocr_new(const char *tessdata, struct lh__extract_ocr **out, struct lh_error *err)
{
    pthread_once(&ocr_once, ocr_global_init);
    TessBaseAPI *api = TessBaseAPICreate();
    if (!api)
        return lh_error_set(err, LH_ENOMEM, "cannot create a Tesseract OCR handle");
    if (TessBaseAPIInit3(api, tessdata, "eng") != 0) {
        TessBaseAPIDelete(api);
        return lh_error_set(err, LH_EINTERNAL,
                            "OCR is unavailable: Tesseract cannot load the English language "
                            "data (eng.traineddata) from %s",
                            tessdata ? tessdata : "its default tessdata directory");
    }
    /* whole-page layout analysis (the API's default is a single text block) */
    TessBaseAPISetPageSegMode(api, PSM_AUTO);
    struct lh__extract_ocr *o = lh_xcalloc(1, sizeof(*o));
    o->api = api;
    *out = o;
    return 0;
}

int lh__extract_ocr_image(struct lh__extract_ocr *o, const unsigned char *px, int w, int h,
                          int bpp, int stride, int dpi, struct lh_buf *out, struct lh_error *err)
{
    if (omp_set_max_active_levels_fn)
        omp_set_max_active_levels_fn(0);
    TessBaseAPISetImage(o->api, px, w, h, bpp, stride);
    TessBaseAPISetSourceResolution(o->api, dpi);
    char *text = TessBaseAPIGetUTF8Text(o->api);
    int rc = 0;
    if (!text)
        rc = lh_error_set(err, LH_EINTERNAL, "Tesseract OCR failed on a %dx%d image", w, h);
    else
        lh_buf_puts(out, text);
    TessDeleteText(text);
    TessBaseAPIClear(o->api);
    return rc;
}

void lh__extract_ocr_free(struct lh__extract_ocr *o)
{
    if (!o)
        return;
    TessBaseAPIEnd(o->api);
    TessBaseAPIDelete(o->api);
    free(o);
}
