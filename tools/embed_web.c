/* SPDX-License-Identifier: MIT */
/* embed_web.c - build-time generator: turns the files of web/ into a C source holding
 * each file's name, content type, bytes and a strong ETag (src/http/web_assets.h).
 *
 *   build/tools/embed_web OUT.c web/index.html web/app.js ...
 *
 * Files are embedded under their base name (web/ is flat), sorted by name so the
 * output is deterministic. An unknown file extension is an error, so every asset
 * is served with a deliberate Content-Type. The output is written to OUT.c.tmp and
 * renamed, so an interrupted build never leaves a half-written source behind.
 * Built and run by the Makefile before the server; nothing it writes is committed. */
#define _GNU_SOURCE
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 256
#define MAX_BYTES (16 * 1024 * 1024) /* one asset; the UI is far smaller */

struct asset {
    const char *path; /* as given */
    const char *name; /* base name */
    const char *type;
    unsigned char *data;
    size_t len;
    char etag[33]; /* hex, without the quotes */
};

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
};

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

/* Only names a URL path segment carries unchanged: [A-Za-z0-9._-], no leading dot. */
static int name_ok(const char *s)
{
    if (!*s || *s == '.')
        return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int read_file(struct asset *a)
{
    FILE *f = fopen(a->path, "rb");
    if (!f) {
        fprintf(stderr, "embed_web: %s: %s\n", a->path, strerror(errno));
        return -1;
    }
    size_t cap = 64 * 1024, n = 0;
    unsigned char *p = malloc(cap);
    while (p) {
        size_t r = fread(p + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
        if (n == cap) {
            if (cap >= MAX_BYTES) {
                fprintf(stderr, "embed_web: %s is larger than %d bytes\n", a->path, MAX_BYTES);
                free(p);
                fclose(f);
                return -1;
            }
            unsigned char *q = realloc(p, cap * 2);
            if (!q) {
                free(p);
                p = NULL;
                break;
            }
            p = q;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!p || bad) {
        fprintf(stderr, "embed_web: cannot read %s\n", a->path);
        free(p);
        return -1;
    }
    a->data = p;
    a->len = n;
    /* Strong ETag: the first 128 bits of the content's SHA-256. */
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) || mdlen < 16) {
        fprintf(stderr, "embed_web: sha256 failed\n");
        return -1;
    }
    for (int i = 0; i < 16; i++)
        snprintf(a->etag + 2 * i, 3, "%02x", md[i]);
    return 0;
}

static int by_name(const void *x, const void *y)
{
    return strcmp(((const struct asset *)x)->name, ((const struct asset *)y)->name);
}

int main(int argc, char **argv)
{
    static struct asset as[MAX_FILES];
    int n = 0, rc = 1;
    if (argc < 3) {
        fprintf(stderr, "usage: embed_web OUT.c FILE...\n");
        return 2;
    }
    if (argc - 2 > MAX_FILES) {
        fprintf(stderr, "embed_web: more than %d files\n", MAX_FILES);
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        struct asset *a = &as[n++];
        const char *slash = strrchr(argv[i], '/');
        a->path = argv[i];
        a->name = slash ? slash + 1 : argv[i];
        if (!name_ok(a->name)) {
            fprintf(stderr, "embed_web: %s: file names must be [A-Za-z0-9._-]\n", a->path);
            return 1;
        }
        if (!(a->type = type_of(a->name))) {
            fprintf(stderr, "embed_web: %s: unknown extension (add it to tools/embed_web.c)\n",
                    a->path);
            return 1;
        }
        if (read_file(a) != 0)
            return 1;
    }
    qsort(as, (size_t)n, sizeof(as[0]), by_name);
    for (int i = 1; i < n; i++)
        if (strcmp(as[i - 1].name, as[i].name) == 0) {
            fprintf(stderr, "embed_web: %s given twice\n", as[i].name);
            return 1;
        }

    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
    FILE *o = fopen(tmp, "w");
    if (!o) {
        fprintf(stderr, "embed_web: %s: %s\n", tmp, strerror(errno));
        return 1;
    }
    fprintf(o, "/* Generated by tools/embed_web.c from web/ - do not edit, not committed. */\n"
               "#include \"web_assets.h\"\n\n");
    for (int i = 0; i < n; i++) {
        fprintf(o, "/* %s */\nstatic const unsigned char asset_%d[%zu] = {", as[i].name, i,
                as[i].len ? as[i].len : 1);
        for (size_t k = 0; k < as[i].len; k++)
            fprintf(o, "%s%u,", k % 24 ? "" : "\n", as[i].data[k]);
        if (!as[i].len)
            fputs("0", o);
        fputs("\n};\n", o);
    }
    fputs("\nconst struct lh_web_asset lh_web_assets[] = {\n", o);
    for (int i = 0; i < n; i++)
        fprintf(o, "    {\"%s\", \"%s\", asset_%d, %zu, \"\\\"%s\\\"\"},\n", as[i].name,
                as[i].type, i, as[i].len, as[i].etag);
    fprintf(o, "};\nconst size_t lh_web_n_assets = %d;\n", n);
    if (fclose(o) != 0 || rename(tmp, argv[1]) != 0) {
        fprintf(stderr, "embed_web: cannot write %s: %s\n", argv[1], strerror(errno));
        remove(tmp);
        goto out;
    }
    rc = 0;
out:
    for (int i = 0; i < n; i++)
        free(as[i].data);
    return rc;
}
