/* copy.h - copies a whole Bangban database from one store into another (a SQLite installation
 * into an empty PostgreSQL database: `bangban migrate-to-pg`) and proves the copy.
 *
 * The tables, their columns and their foreign keys are read from the source (SQLite) schema;
 * tables are copied parents first, sites ordered by path so a parent row always precedes its
 * children, in ONE write transaction on the target: all or nothing. Values are copied exactly
 * (integers as integers, reals as reals, text as text, NULL as NULL), ids included; the
 * target's id sequences are moved past the copied ids (PostgreSQL); the audit chain is copied
 * verbatim (the caller re-verifies it). Each table's checksum is computed the same way on both
 * sides: BLAKE2b over the sorted BLAKE2b digests of its rows, each row rendered as typed,
 * length-prefixed values (NULL distinct from ''), so the row order a backend returns (text
 * collations differ) does not matter. */
#ifndef BB_COPY_H
#define BB_COPY_H
#include <stdbool.h>
#include <stdint.h>
#include "store.h"

#define COPY_MAX_TABLES 96
#define COPY_SUM_HEX 33 /* 16-byte BLAKE2b digest in hex + NUL */

struct copy_table {
    char name[64];
    int64_t rows;              /* rows in the source */
    char sum[COPY_SUM_HEX];    /* the source's checksum */
    int64_t dst_rows;          /* what the target holds (after copy_verify) */
    char dst_sum[COPY_SUM_HEX];
    bool ok;                   /* dst_rows == rows and dst_sum == sum */
};

struct copy_result {
    int ntables;
    struct copy_table t[COPY_MAX_TABLES];
    int64_t rows;              /* all copied rows */
    char err[400];             /* one line saying why, when a call fails */
};

/* Copies every table of src (a SQLite store, already migrated) into dst (already migrated to
 * the same schema, every table empty) in one write transaction on dst, read from one snapshot
 * of src. Before committing it checks the copy (counts, checksums) and then runs check (when
 * not NULL) in the same transaction; any difference or a failing check rolls everything back
 * (main.c verifies the audit chain there, so the store layer need not know the audit module).
 * BB_OK when committed, r filled with the source's counts and checksums; otherwise nothing was
 * written and r->err says why (BB_CONFLICT: the target is not empty; BB_INVALID: the source
 * cannot be copied or the copy differs; store errors as they come). */
enum bb_err copy_store(struct store *src, struct store *dst, store_fn check, void *arg,
                       struct copy_result *r);

/* After copy_store: reads dst again in a fresh transaction (the tables as listed by src) and
 * fills dst_rows, dst_sum and ok per table. BB_OK when every table matches, BB_INVALID (r->err)
 * when not. */
enum bb_err copy_verify(struct store *src, struct store *dst, struct copy_result *r);

#endif
