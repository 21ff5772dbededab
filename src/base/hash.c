/* SPDX-License-Identifier: MIT */
/* hash.c - SHA-256 via OpenSSL EVP, random ids via getrandom. */
#include "lh_common.h"
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <openssl/evp.h>

static void to_hex(const unsigned char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void lh_sha256_init(struct lh_sha256 *h)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c)
        abort();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    h->ctx = c;
}

void lh_sha256_update(struct lh_sha256 *h, const void *p, size_t n)
{
    EVP_DigestUpdate(h->ctx, p, n);
}

void lh_sha256_final_hex(struct lh_sha256 *h, char hex[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(h->ctx, md, &len);
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
    to_hex(md, 32, hex);
}

void lh_sha256_hex(const void *p, size_t n, char hex[65])
{
    struct lh_sha256 h;
    lh_sha256_init(&h);
    lh_sha256_update(&h, p, n);
    lh_sha256_final_hex(&h, hex);
}

int lh_sha256_file(const char *path, char hex[65], struct lh_error *err)
{
    unsigned char buf[1 << 16];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lh_error_set(err, errno == ENOENT ? LH_ENOTFOUND : LH_EIO, "cannot open %s: %s",
                            path, strerror(errno));
    struct lh_sha256 h;
    lh_sha256_init(&h);
    for (;;) {
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            lh_sha256_final_hex(&h, hex);
            close(fd);
            return lh_error_set(err, LH_EIO, "read %s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        lh_sha256_update(&h, buf, (size_t)r);
    }
    close(fd);
    lh_sha256_final_hex(&h, hex);
    return 0;
}

static void fill_random(unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            abort();
        }
        p += r;
        n -= (size_t)r;
    }
}

void lh_random_hex(char *out, size_t nbytes)
{
    unsigned char b[64];
    if (nbytes > sizeof(b))
        nbytes = sizeof(b);
    fill_random(b, nbytes);
    to_hex(b, nbytes, out);
}

void lh_uuid4(char out[37])
{
    unsigned char b[16];
    char hex[33];
    fill_random(b, 16);
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    to_hex(b, 16, hex);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}
