/* SPDX-License-Identifier: MIT */
/* vector_io.c - save/load of a vector index in the LHVX format (versioned, CRC32C per section).
 *
 * Layout (little-endian): a 512-byte header, then sections, each located by the header's
 * section table {id, crc32c, offset, length}. Sections holding rows (fp32 vectors, int8 and
 * 4-bit codes) start on a 4 KiB boundary so a loader can map them. The header carries its own
 * CRC32C. Version 2 added the 4-bit and sign-bit sections and the error bounds of the code
 * records; version 1 files load, their int8 bounds recomputed from the rows.
 * Nothing in a file is trusted: every size is checked against the file size and the counts,
 * every link and free-list entry against the number of rows, before anything is used.
 */
#include "lh_common.h"
#include "vector.h"
#include "vector_int.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define LHVX_MAGIC "LHVX"
#define LHVX_VERSION 2u
#define LHVX_VERSION_MIN 1u /* oldest version this build reads */
#define LHVX_HEADER_SIZE 512u
#define LHVX_ENDIAN 0x01020304u
#define LHVX_MAX_SECTIONS 12u
#define LHVX_ALIGN 4096u
#define LHVX_ROWS_ROTATED 1u /* rows went through the seeded rotation (vector_int.h) */

enum lhvx_section {
    SEC_LABELS = 1,  /* slots x u64 */
    SEC_STATE = 2,   /* slots x u8 */
    SEC_FREE = 3,    /* n_free x u32 */
    SEC_LEVELS = 4,  /* slots x u8 (graph) */
    SEC_LINKS0 = 5,  /* slots x (1 + m0) u32: count, ids (graph) */
    SEC_UPPER = 6,   /* rows with level > 0, in row order: level x (1 + m) u32 (graph) */
    SEC_VECTORS = 7, /* slots x dims f32, 4 KiB aligned */
    SEC_CODES = 8,   /* slots x dims i8, 4 KiB aligned (int8) */
    /* int8: slots x LH__VEC_REC f32 (scale, squared norm, residual, norm bound); version 1:
     * slots x 2 f32 (scale, squared norm) */
    SEC_QSCALE = 9,
    SEC_CODES4 = 10,  /* slots x u4_bytes, 4 KiB aligned (4-bit; version 2) */
    SEC_QSCALE4 = 11, /* slots x LH__VEC_REC f32 (4-bit; version 2) */
    SEC_BITS = 12,    /* slots x b1_bytes sign bits, 4 KiB aligned (1-bit; version 2) */
    SEC_MAX_ = 13,
};

static const char *const sec_names[SEC_MAX_] = {
    "?",       "labels",  "state",  "free list",   "levels",       "links",     "upper links",
    "vectors", "codes",   "scales", "4-bit codes", "4-bit scales", "sign bits",
};

struct lhvx_section_ent {
    uint32_t id;
    uint32_t crc;
    uint64_t offset;
    uint64_t length;
};

/* The header as it is on disk; 512 bytes with the trailing CRC. */
struct lhvx_header {
    char magic[4];
    uint32_t version;
    uint32_t header_size;
    uint32_t endian;
    uint32_t dims;
    uint32_t metric;
    uint32_t flags;
    uint32_t m;
    uint32_t ef_construction;
    uint32_t ef_search;
    uint64_t seed;
    uint64_t count;
    uint64_t slots;
    uint64_t capacity;
    uint64_t n_free;
    uint64_t entry;
    uint32_t n_sections;
    uint32_t row_flags; /* LHVX_ROWS_* */
    struct lhvx_section_ent sec[LHVX_MAX_SECTIONS];
    uint8_t pad[LHVX_HEADER_SIZE - 96 - LHVX_MAX_SECTIONS * 24 - 4];
    uint32_t crc;
};

_Static_assert(sizeof(struct lhvx_header) == LHVX_HEADER_SIZE, "LHVX header is 512 bytes");

/* ---- writer ---- */

struct writer {
    int fd;
    uint64_t off;
    const char *path;
    struct lh_error *err;
    const struct lh__vec_kernels *k;
    uint32_t crc; /* of the current section */
    char buf[1 << 16];
    size_t n;
};

static int w_flush(struct writer *w)
{
    size_t done = 0;
    while (done < w->n) {
        ssize_t r = write(w->fd, w->buf + done, w->n - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return lh_error_set(w->err, LH_EIO, "write %s: %s", w->path, strerror(errno));
        done += (size_t)r;
    }
    w->n = 0;
    return 0;
}

static int w_put(struct writer *w, const void *p, size_t len)
{
    const char *s = p;
    w->crc = w->k->crc32c(w->crc, p, len);
    w->off += len;
    while (len) {
        size_t take = sizeof(w->buf) - w->n;
        if (take > len)
            take = len;
        memcpy(w->buf + w->n, s, take);
        w->n += take;
        s += take;
        len -= take;
        if (w->n == sizeof(w->buf)) {
            int rc = w_flush(w);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int w_align(struct writer *w, uint64_t align)
{
    static const char zero[64];
    while (w->off % align) {
        size_t pad = (size_t)(align - w->off % align);
        int rc = w_put(w, zero, pad < sizeof(zero) ? pad : sizeof(zero));
        if (rc)
            return rc;
    }
    return 0;
}

static void sec_begin(struct writer *w, struct lhvx_header *h, uint32_t id)
{
    struct lhvx_section_ent *e = &h->sec[h->n_sections];
    e->id = id;
    e->offset = w->off;
    w->crc = 0;
}

static void sec_end(struct writer *w, struct lhvx_header *h)
{
    struct lhvx_section_ent *e = &h->sec[h->n_sections++];
    e->length = w->off - e->offset;
    e->crc = w->crc;
}

/* The code rows of one kind (4 KiB aligned) and their records. */
static int write_codes(struct lh_vec *v, struct writer *w, struct lhvx_header *h, uint32_t sec_rows,
                       uint32_t sec_recs)
{
    uint32_t slots = v->n_slots;
    struct lh__vec_seg *t = v->segs;
    bool four = sec_rows == SEC_CODES4;
    size_t row = four ? v->u4_bytes : v->dims;
    int rc = w_align(w, LHVX_ALIGN);
    sec_begin(w, h, sec_rows);
    for (uint32_t i = 0; i < slots && !rc; i += LH__VEC_SEG_ROWS) {
        uint32_t n = slots - i < LH__VEC_SEG_ROWS ? slots - i : LH__VEC_SEG_ROWS;
        const struct lh__vec_seg *s = &t[i >> LH__VEC_SEG_SHIFT];
        rc = w_put(w, four ? (const void *)s->codes4 : (const void *)s->codes, (size_t)n * row);
    }
    sec_end(w, h);
    sec_begin(w, h, sec_recs);
    for (uint32_t i = 0; i < slots && !rc; i += LH__VEC_SEG_ROWS) {
        uint32_t n = slots - i < LH__VEC_SEG_ROWS ? slots - i : LH__VEC_SEG_ROWS;
        const struct lh__vec_seg *s = &t[i >> LH__VEC_SEG_SHIFT];
        rc = w_put(w, four ? s->qs4 : s->qs, (size_t)n * LH__VEC_REC * sizeof(float));
    }
    sec_end(w, h);
    return rc;
}

/* Writes every section of v; fills h. */
static int write_body(struct lh_vec *v, struct writer *w, struct lhvx_header *h)
{
    uint32_t slots = v->n_slots;
    struct lh__vec_seg *t = v->segs;
    int rc = 0;

    sec_begin(w, h, SEC_LABELS);
    for (uint32_t i = 0; i < slots && !rc; i += LH__VEC_SEG_ROWS) {
        uint32_t n = slots - i < LH__VEC_SEG_ROWS ? slots - i : LH__VEC_SEG_ROWS;
        rc = w_put(w, t[i >> LH__VEC_SEG_SHIFT].labels, n * sizeof(uint64_t));
    }
    sec_end(w, h);
    sec_begin(w, h, SEC_STATE);
    for (uint32_t i = 0; i < slots && !rc; i += LH__VEC_SEG_ROWS) {
        uint32_t n = slots - i < LH__VEC_SEG_ROWS ? slots - i : LH__VEC_SEG_ROWS;
        rc = w_put(w, t[i >> LH__VEC_SEG_SHIFT].state, n);
    }
    sec_end(w, h);
    sec_begin(w, h, SEC_FREE);
    if (!rc && v->n_free)
        rc = w_put(w, v->free_list, v->n_free * sizeof(uint32_t));
    sec_end(w, h);
    if (v->graph && !rc) {
        sec_begin(w, h, SEC_LEVELS);
        for (uint32_t i = 0; i < slots && !rc; i += LH__VEC_SEG_ROWS) {
            uint32_t n = slots - i < LH__VEC_SEG_ROWS ? slots - i : LH__VEC_SEG_ROWS;
            rc = w_put(w, t[i >> LH__VEC_SEG_SHIFT].levels, n);
        }
        sec_end(w, h);
        sec_begin(w, h, SEC_LINKS0);
        for (uint32_t i = 0; i < slots && !rc; i++)
            rc = w_put(w, lh__vec_links0(v, t, i) + 1, (1 + (size_t)v->m0) * sizeof(uint32_t));
        sec_end(w, h);
        sec_begin(w, h, SEC_UPPER);
        for (uint32_t i = 0; i < slots && !rc; i++) {
            const struct lh__vec_seg *s = &t[i >> LH__VEC_SEG_SHIFT];
            uint32_t r = i & LH__VEC_SEG_MASK;
            if (s->levels[r])
                rc = w_put(w, s->upper[r] + 1,
                           (size_t)s->levels[r] * v->upper_words * sizeof(uint32_t));
        }
        sec_end(w, h);
    }
    if (!rc)
        rc = w_align(w, LHVX_ALIGN);
    sec_begin(w, h, SEC_VECTORS);
    for (uint32_t i = 0; i < slots && !rc; i += LH__VEC_SEG_ROWS) {
        uint32_t n = slots - i < LH__VEC_SEG_ROWS ? slots - i : LH__VEC_SEG_ROWS;
        rc = w_put(w, t[i >> LH__VEC_SEG_SHIFT].vecs, (size_t)n * v->dims * sizeof(float));
    }
    sec_end(w, h);
    if (v->int8 && !rc)
        rc = write_codes(v, w, h, SEC_CODES, SEC_QSCALE);
    if (v->int4 && !rc)
        rc = write_codes(v, w, h, SEC_CODES4, SEC_QSCALE4);
    if (v->bin1 && !rc) {
        rc = w_align(w, LHVX_ALIGN);
        sec_begin(w, h, SEC_BITS);
        for (uint32_t i = 0; i < slots && !rc; i += LH__VEC_SEG_ROWS) {
            uint32_t n = slots - i < LH__VEC_SEG_ROWS ? slots - i : LH__VEC_SEG_ROWS;
            rc = w_put(w, t[i >> LH__VEC_SEG_SHIFT].bits, (size_t)n * v->b1_bytes);
        }
        sec_end(w, h);
    }
    if (!rc)
        rc = w_flush(w);
    return rc;
}

static void fill_header(const struct lh_vec *v, struct lhvx_header *h)
{
    memcpy(h->magic, LHVX_MAGIC, 4);
    h->version = LHVX_VERSION;
    h->header_size = LHVX_HEADER_SIZE;
    h->endian = LHVX_ENDIAN;
    h->dims = v->dims;
    h->metric = (uint32_t)v->o.metric;
    h->flags = v->o.flags;
    h->m = v->o.m;
    h->ef_construction = v->o.ef_construction;
    h->ef_search = v->o.ef_search;
    h->seed = v->o.seed;
    h->count = lh_vec_count(v);
    h->slots = v->n_slots;
    h->capacity = (uint64_t)v->n_segs * LH__VEC_SEG_ROWS;
    h->n_free = v->n_free;
    h->entry = __atomic_load_n(&v->ep, __ATOMIC_ACQUIRE);
    h->row_flags = v->rotate ? LHVX_ROWS_ROTATED : 0;
}

int lh_vec_save(struct lh_vec *v, const char *path, struct lh_error *err)
{
    struct writer *w = NULL;
    struct lhvx_header *h = NULL;
    char *tmp = NULL, *dir = NULL;
    int rc = 0, fd = -1;
    bool locked = false;

    if (!path || !*path)
        return lh_error_set(err, LH_EINVAL, "vector index save: empty path");
    w = calloc(1, sizeof(*w));
    h = calloc(1, sizeof(*h));
    tmp = malloc(strlen(path) + 16);
    dir = strdup(path);
    if (!w || !h || !tmp || !dir) {
        rc = lh_error_set(err, LH_ENOMEM, "out of memory saving a vector index");
        goto out;
    }
    sprintf(tmp, "%s.tmp.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = lh_error_set(err, LH_EIO, "create %s: %s", tmp, strerror(errno));
        tmp[0] = '\0';
        goto out;
    }
    w->fd = fd;
    w->path = tmp;
    w->err = err;
    w->k = v->k;
    pthread_rwlock_wrlock(&v->mut_lock); /* no add/delete runs while we write */
    locked = true;
    fill_header(v, h);
    /* The header goes last, at offset 0: reserve its room now. */
    rc = w_put(w, h, sizeof(*h));
    if (!rc)
        rc = write_body(v, w, h);
    pthread_rwlock_unlock(&v->mut_lock);
    locked = false;
    if (rc)
        goto out;
    h->crc = v->k->crc32c(0, h, offsetof(struct lhvx_header, crc));
    if (pwrite(fd, h, sizeof(*h), 0) != (ssize_t)sizeof(*h)) {
        rc = lh_error_set(err, LH_EIO, "write %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (fsync(fd) != 0) {
        rc = lh_error_set(err, LH_EIO, "fsync %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = lh_error_set(err, LH_EIO, "close %s: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        rc = lh_error_set(err, LH_EIO, "rename %s to %s: %s", tmp, path, strerror(errno));
        goto out;
    }
    tmp[0] = '\0';
    {
        int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
out:
    if (locked)
        pthread_rwlock_unlock(&v->mut_lock);
    if (fd >= 0)
        close(fd);
    if (tmp && tmp[0])
        unlink(tmp);
    free(tmp);
    free(dir);
    free(h);
    free(w);
    return rc;
}

/* ---- loader ---- */

struct loader {
    const char *path;
    struct lh_error *err;
    const unsigned char *base;
    uint64_t size;
    const struct lhvx_header *h;
    const struct lhvx_section_ent *sec[SEC_MAX_];
};

static int bad(struct loader *ld, const char *what)
{
    return lh_error_set(ld->err, LH_EINVAL, "vector index file %s: %s", ld->path, what);
}

static int check_header(struct loader *ld, const struct lhvx_header *h)
{
    char msg[160];
    if (memcmp(h->magic, LHVX_MAGIC, 4) != 0)
        return bad(ld, "not a vector index (bad magic)");
    if (h->version < LHVX_VERSION_MIN || h->version > LHVX_VERSION) {
        snprintf(msg, sizeof(msg), "unsupported format version %u (this build reads %u to %u)",
                 h->version, LHVX_VERSION_MIN, LHVX_VERSION);
        return bad(ld, msg);
    }
    if (h->header_size != LHVX_HEADER_SIZE || h->endian != LHVX_ENDIAN)
        return bad(ld, "unsupported header size or byte order");
    if (lh__vec_kernels_best()->crc32c(0, h, offsetof(struct lhvx_header, crc)) != h->crc)
        return bad(ld, "header checksum mismatch (corrupt file)");
    uint32_t flags =
        LH_VEC_HNSW | LH_VEC_INT8 | (h->version >= 2 ? LH_VEC_INT4 | LH_VEC_BIN1 : 0);
    if (h->dims < 1 || h->dims > LH_VEC_MAX_DIMS || h->metric > LH_VEC_L2 ||
        (h->flags & ~flags))
        return bad(ld, "bad dims, metric or flags");
    if ((h->flags & LH_VEC_HNSW) && (h->m < 2 || h->m > LH_VEC_MAX_M))
        return bad(ld, "bad HNSW m");
    if ((h->flags & LH_VEC_BIN1) && h->metric != LH_VEC_COSINE)
        return bad(ld, "1-bit codes on a non-cosine index");
    if (h->slots > LH__VEC_MAX_ROWS || h->count > h->slots || h->n_free > h->slots ||
        h->n_sections > LHVX_MAX_SECTIONS)
        return bad(ld, "inconsistent counts");
    return 0;
}

/* Checks the section table against the file size and the sizes the header implies. */
static int check_sections(struct loader *ld)
{
    const struct lhvx_header *h = ld->h;
    bool graph = h->flags & LH_VEC_HNSW, int8 = h->flags & LH_VEC_INT8;
    bool int4 = h->flags & LH_VEC_INT4, bin1 = h->flags & LH_VEC_BIN1;
    uint64_t rec = h->version >= 2 ? LH__VEC_REC : 2;
    uint64_t m0 = 2 * (uint64_t)h->m;
    uint64_t want[SEC_MAX_] = {0};
    want[SEC_LABELS] = h->slots * 8;
    want[SEC_STATE] = h->slots;
    want[SEC_FREE] = h->n_free * 4;
    want[SEC_LEVELS] = h->slots;
    want[SEC_LINKS0] = h->slots * (1 + m0) * 4;
    want[SEC_UPPER] = UINT64_MAX; /* checked against the levels later */
    want[SEC_VECTORS] = h->slots * h->dims * 4;
    want[SEC_CODES] = h->slots * h->dims;
    want[SEC_QSCALE] = h->slots * rec * 4;
    want[SEC_CODES4] = h->slots * lh__vec_u4_bytes(h->dims);
    want[SEC_QSCALE4] = h->slots * LH__VEC_REC * 4;
    want[SEC_BITS] = h->slots * lh__vec_b1_bytes(h->dims);
    for (uint32_t i = 0; i < h->n_sections; i++) {
        const struct lhvx_section_ent *e = &h->sec[i];
        if (e->id == 0 || e->id >= SEC_MAX_ || ld->sec[e->id])
            return bad(ld, "unknown or repeated section");
        if (e->offset < LHVX_HEADER_SIZE || e->offset > ld->size ||
            e->length > ld->size - e->offset)
            return bad(ld, "truncated (a section ends past the end of the file)");
        if (want[e->id] != UINT64_MAX && e->length != want[e->id]) {
            char msg[128];
            snprintf(msg, sizeof(msg), "section '%s' has the wrong size", sec_names[e->id]);
            return bad(ld, msg);
        }
        ld->sec[e->id] = e;
    }
    bool need[SEC_MAX_] = {false, true, true, true, graph, graph, graph,
                           true,  int8, int8, int4, int4,  bin1};
    for (int s = 1; s < SEC_MAX_; s++) {
        if (need[s] != (ld->sec[s] != NULL)) {
            char msg[128];
            snprintf(msg, sizeof(msg), "section '%s' %s", sec_names[s],
                     need[s] ? "is missing" : "is not expected");
            return bad(ld, msg);
        }
    }
    if ((ld->sec[SEC_VECTORS]->offset % LHVX_ALIGN) ||
        (int8 && ld->sec[SEC_CODES]->offset % LHVX_ALIGN) ||
        (int4 && ld->sec[SEC_CODES4]->offset % LHVX_ALIGN) ||
        (bin1 && ld->sec[SEC_BITS]->offset % LHVX_ALIGN))
        return bad(ld, "row section not aligned");
    for (int s = 1; s < SEC_MAX_; s++) {
        const struct lhvx_section_ent *e = ld->sec[s];
        if (e && lh__vec_kernels_best()->crc32c(0, ld->base + e->offset, e->length) != e->crc) {
            char msg[128];
            snprintf(msg, sizeof(msg), "checksum mismatch in section '%s' (corrupt file)",
                     sec_names[s]);
            return bad(ld, msg);
        }
    }
    return 0;
}

static const void *sec_ptr(const struct loader *ld, int s)
{
    return ld->base + ld->sec[s]->offset;
}

/* Copies everything but the rows into v and validates it. */
static int load_rows(struct loader *ld, struct lh_vec *v)
{
    const struct lhvx_header *h = ld->h;
    uint32_t slots = (uint32_t)h->slots;
    const uint64_t *labels = sec_ptr(ld, SEC_LABELS);
    const uint8_t *state = sec_ptr(ld, SEC_STATE);
    const uint32_t *fl = sec_ptr(ld, SEC_FREE);
    const uint8_t *levels = v->graph ? sec_ptr(ld, SEC_LEVELS) : NULL;
    const uint32_t *links0 = v->graph ? sec_ptr(ld, SEC_LINKS0) : NULL;
    const uint32_t *upper = v->graph ? sec_ptr(ld, SEC_UPPER) : NULL;
    uint64_t upper_words = v->graph ? ld->sec[SEC_UPPER]->length / 4 : 0, up_off = 0;
    size_t live = 0;
    int rc;

    if (v->graph && ld->sec[SEC_UPPER]->length % 4)
        return bad(ld, "section 'upper links' has the wrong size");
    if (slots && (rc = lh__vec_ensure_seg(v, (slots - 1) >> LH__VEC_SEG_SHIFT, true)) != 0)
        return lh_error_set(ld->err, LH_ENOMEM, "out of memory loading %s", ld->path);
    struct lh__vec_seg *t = v->segs;
    for (uint32_t i = 0; i < slots; i++) {
        struct lh__vec_seg *s = &t[i >> LH__VEC_SEG_SHIFT];
        uint32_t r = i & LH__VEC_SEG_MASK;
        if (state[i] > LH__VEC_S_DELETED)
            return bad(ld, "bad row state");
        s->state[r] = state[i];
        memcpy(&s->labels[r], &labels[i], sizeof(uint64_t));
        if (state[i] == LH__VEC_S_LIVE) {
            live++;
            rc = lh__vec_map_put(v, s->labels[r], i);
            if (rc == -LH_EEXIST)
                return bad(ld, "a label appears twice");
            if (rc)
                return lh_error_set(ld->err, LH_ENOMEM, "out of memory loading %s", ld->path);
        }
        if (!v->graph)
            continue;
        if (levels[i] > LH__VEC_MAX_LEVEL)
            return bad(ld, "bad node level");
        s->levels[r] = levels[i];
        const uint32_t *l0 = links0 + (size_t)i * (1 + v->m0);
        if (l0[0] > v->m0)
            return bad(ld, "bad link count");
        for (uint32_t j = 0; j < l0[0]; j++)
            if (l0[1 + j] >= slots)
                return bad(ld, "link to a row out of range");
        memcpy(lh__vec_links0(v, t, i) + 1, l0, (1 + (size_t)v->m0) * sizeof(uint32_t));
        if (levels[i]) {
            size_t words = (size_t)levels[i] * v->upper_words;
            if (words > upper_words - up_off)
                return bad(ld, "section 'upper links' is too short");
            const uint32_t *src = upper + up_off;
            for (uint32_t l = 0; l < levels[i]; l++) {
                const uint32_t *list = src + (size_t)l * v->upper_words;
                if (list[0] > v->m)
                    return bad(ld, "bad link count");
                for (uint32_t j = 0; j < list[0]; j++)
                    if (list[1 + j] >= slots)
                        return bad(ld, "link to a row out of range");
            }
            uint32_t *blk = malloc((1 + words) * sizeof(uint32_t));
            if (!blk)
                return lh_error_set(ld->err, LH_ENOMEM, "out of memory loading %s", ld->path);
            blk[0] = levels[i];
            memcpy(blk + 1, src, words * sizeof(uint32_t));
            s->upper[r] = blk;
            up_off += words;
        }
    }
    if (up_off != upper_words)
        return bad(ld, "section 'upper links' has the wrong size");
    if (live != h->count)
        return bad(ld, "live count does not match the rows");
    if (h->n_free) {
        v->free_list = malloc(h->n_free * sizeof(uint32_t));
        if (!v->free_list)
            return lh_error_set(ld->err, LH_ENOMEM, "out of memory loading %s", ld->path);
        v->free_cap = h->n_free;
        for (uint64_t i = 0; i < h->n_free; i++) {
            uint32_t id = fl[i];
            if (id >= slots || state[id] != LH__VEC_S_DELETED)
                return bad(ld, "bad free-list entry");
            v->free_list[v->n_free++] = id;
        }
        /* A row twice on the free list would be handed out twice. */
        for (uint64_t i = 0; i < h->n_free; i++) {
            struct lh__vec_seg *s = &t[fl[i] >> LH__VEC_SEG_SHIFT];
            if (s->state[fl[i] & LH__VEC_SEG_MASK] != LH__VEC_S_DELETED)
                return bad(ld, "a row is twice on the free list");
            s->state[fl[i] & LH__VEC_SEG_MASK] = LH__VEC_S_FREE; /* marker, restored below */
        }
        for (uint64_t i = 0; i < h->n_free; i++)
            t[fl[i] >> LH__VEC_SEG_SHIFT].state[fl[i] & LH__VEC_SEG_MASK] = LH__VEC_S_DELETED;
    }
    if (v->graph && h->entry != LH__VEC_EP_EMPTY) {
        uint32_t id = (uint32_t)h->entry;
        if (id >= slots || (h->entry >> 32) != levels[id])
            return bad(ld, "bad entry point");
    } else if (!v->graph && h->entry != LH__VEC_EP_EMPTY) {
        return bad(ld, "bad entry point");
    }
    v->ep = h->entry;
    v->live = live;
    v->n_slots = slots;
    return 0;
}

/* Rows [first, first + n) of a row section of row_bytes per row: pointed into the mapping for
 * a full segment (unless copy), else copied into fresh segment memory. */
static int place_rows(struct loader *ld, int sec, size_t row_bytes, size_t first, size_t n,
                      bool copy, void **dst, bool *mapped)
{
    const unsigned char *src = ld->base + ld->sec[sec]->offset + first * row_bytes;
    if (n == LH__VEC_SEG_ROWS && !copy) {
        *dst = (void *)(uintptr_t)src;
        *mapped = true;
        return 0;
    }
    *dst = lh__vec_alloc_rows(LH__VEC_SEG_ROWS * row_bytes);
    if (!*dst)
        return lh_error_set(ld->err, LH_ENOMEM, "out of memory loading %s", ld->path);
    memcpy(*dst, src, n * row_bytes);
    return 0;
}

/* Code records of segment s. A version 1 file holds only scale and squared norm per row: the
 * residual and norm bounds are recomputed from the rows and codes. */
static void load_records(struct loader *ld, struct lh_vec *v, struct lh__vec_seg *s,
                         size_t first, size_t n)
{
    if (v->int4)
        memcpy(s->qs4, (const float *)sec_ptr(ld, SEC_QSCALE4) + first * LH__VEC_REC,
               n * LH__VEC_REC * sizeof(float));
    if (!v->int8)
        return;
    const float *qs = sec_ptr(ld, SEC_QSCALE);
    if (ld->h->version >= 2) {
        memcpy(s->qs, qs + first * LH__VEC_REC, n * LH__VEC_REC * sizeof(float));
        return;
    }
    for (size_t r = 0; r < n; r++)
        lh__vec_code_record(v, s->vecs + r * v->dims, qs[2 * (first + r)], s->codes + r * v->dims,
                            NULL, s->qs + r * LH__VEC_REC);
}

/* Points full segments into the mapping (or copies them); copies a partial last segment. */
static int map_rows(struct loader *ld, struct lh_vec *v, bool copy)
{
    uint32_t slots = (uint32_t)ld->h->slots;
    for (uint32_t si = 0; si < v->n_segs; si++) {
        struct lh__vec_seg *s = &v->segs[si];
        size_t first = (size_t)si * LH__VEC_SEG_ROWS;
        size_t n = slots - first < LH__VEC_SEG_ROWS ? slots - first : LH__VEC_SEG_ROWS;
        void *p = NULL;
        int rc = place_rows(ld, SEC_VECTORS, (size_t)v->dims * sizeof(float), first, n, copy, &p,
                            &s->vecs_mapped);
        s->vecs = p;
        if (!rc && v->int8) {
            rc = place_rows(ld, SEC_CODES, v->dims, first, n, copy, &p, &s->codes_mapped);
            s->codes = p;
        }
        if (!rc && v->int4) {
            rc = place_rows(ld, SEC_CODES4, v->u4_bytes, first, n, copy, &p, &s->codes4_mapped);
            s->codes4 = p;
        }
        if (!rc && v->bin1) {
            rc = place_rows(ld, SEC_BITS, v->b1_bytes, first, n, copy, &p, &s->bits_mapped);
            s->bits = p;
        }
        if (rc)
            return rc;
        load_records(ld, v, s, first, n);
    }
    return 0;
}

int lh_vec_load(const char *path, int n_threads, struct lh_vec **out, struct lh_error *err)
{
    return lh_vec_load_ex(path, n_threads, 0, out, err);
}

int lh_vec_load_ex(const char *path, int n_threads, unsigned flags, struct lh_vec **out,
                   struct lh_error *err)
{
    struct loader ld;
    struct lhvx_header h;
    struct lh_vec *v = NULL;
    void *base = MAP_FAILED;
    size_t map_len = 0;
    int rc = 0, fd = -1;
    struct stat st;

    *out = NULL;
    memset(&ld, 0, sizeof(ld));
    ld.path = path;
    ld.err = err;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = lh_error_set(err, errno == ENOENT ? LH_ENOTFOUND : LH_EIO, "open %s: %s", path,
                          strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0) {
        rc = lh_error_set(err, LH_EIO, "stat %s: %s", path, strerror(errno));
        goto out;
    }
    ld.size = (uint64_t)st.st_size;
    if (ld.size < LHVX_HEADER_SIZE) {
        rc = bad(&ld, "truncated (shorter than the header)");
        goto out;
    }
    if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
        rc = lh_error_set(err, LH_EIO, "read %s: %s", path, strerror(errno));
        goto out;
    }
    ld.h = &h;
    rc = check_header(&ld, &h);
    if (rc)
        goto out;
    map_len = (size_t)ld.size;
    base = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (base == MAP_FAILED) {
        rc = lh_error_set(err, LH_EIO, "mmap %s: %s", path, strerror(errno));
        goto out;
    }
    ld.base = base;
    rc = check_sections(&ld);
    if (rc)
        goto out;
    {
        struct lh_vec_opts o;
        lh_vec_opts_init(&o, h.dims);
        o.metric = (enum lh_vec_metric)h.metric;
        o.flags = h.flags;
        o.m = h.m ? h.m : 16;
        o.ef_construction = h.ef_construction ? h.ef_construction : 100;
        o.ef_search = h.ef_search;
        o.seed = h.seed;
        o.n_threads = n_threads > 0 ? n_threads : 2;
        rc = lh__vec_create(&o, &v, err);
        if (rc)
            goto out;
    }
    if (h.row_flags != (v->rotate ? LHVX_ROWS_ROTATED : 0)) {
        rc = bad(&ld, "rows were stored with another rotation than this build uses");
        goto out;
    }
    rc = load_rows(&ld, v);
    if (!rc)
        rc = map_rows(&ld, v, (flags & LH_VEC_LOAD_COPY) != 0);
    if (rc)
        goto out;
    v->file_map = base;
    v->file_map_len = map_len;
    base = MAP_FAILED;
    /* The copied sections are not needed in memory any more. */
    if (flags & LH_VEC_LOAD_COPY) {
        munmap(v->file_map, v->file_map_len);
        v->file_map = NULL;
    } else {
        long pg = sysconf(_SC_PAGESIZE);
        uint64_t end = ld.sec[SEC_VECTORS]->offset / (uint64_t)pg * (uint64_t)pg;
        if (end > 0)
            madvise(v->file_map, (size_t)end, MADV_DONTNEED);
    }
out:
    if (rc) {
        lh_vec_free(v);
        v = NULL;
    }
    if (base != MAP_FAILED)
        munmap(base, map_len);
    if (fd >= 0)
        close(fd);
    *out = v;
    return rc;
}
