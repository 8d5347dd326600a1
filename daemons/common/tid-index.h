/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A hash index from controller identities to positions in the caller's
 * array, so that a reconcile over N controllers costs N lookups instead of
 * N² comparisons. The index holds positions, not pointers: the caller's
 * array may grow (and move) while it is indexed; the key callback reads
 * the TID at a position when two hashes collide.
 */
#ifndef STAS_DAEMON_TID_INDEX_H
#define STAS_DAEMON_TID_INDEX_H

#include <stddef.h> /* offsetof */
#include <stdint.h>

#include "common/tid.h"

typedef const struct tid *(*tid_index_key_fn)(const void *ctx, size_t pos);

struct tid_index {
	tid_index_key_fn key;
	const void *ctx;
	size_t stride, offset; /* for tid_index_init_array() */
	uint64_t *hashes;
	uint32_t *slots; /* position + 1; 0 is an empty slot */
	size_t cap;	 /* a power of two, or 0 */
	size_t n;
};

/* tid_index_init() - an empty index whose positions @key reads in @ctx. */
void tid_index_init(struct tid_index *x, tid_index_key_fn key, const void *ctx);

/*
 * tid_index_init_array() - an empty index over the array *@base of
 * @stride-byte elements whose TID is at @offset; *@base may change (realloc)
 * while the index is in use.
 */
#define tid_index_init_array(x, base, type, member)                                                \
	tid_index_init_strided((x), (const void *const *)(base), sizeof(type),                     \
			       offsetof(type, member))
void tid_index_init_strided(struct tid_index *x, const void *const *base, size_t stride,
			    size_t offset);

/* tid_index_clear() - free the table; the index is empty and usable again. */
void tid_index_clear(struct tid_index *x);

/**
 * tid_index_add() - remember that @t is at @pos. Does not look for @t
 * first: a caller that may add a TID twice calls tid_index_find() before.
 *
 * Return: 0 or -ENOMEM (the index is unchanged).
 */
int tid_index_add(struct tid_index *x, const struct tid *t, size_t pos);

/* tid_index_find() - the position of @t (the first one added), or -1. */
long tid_index_find(const struct tid_index *x, const struct tid *t);

#endif
