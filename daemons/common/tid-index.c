// SPDX-License-Identifier: Apache-2.0
#include "common/tid-index.h"

#include <errno.h>
#include <stdlib.h>

void tid_index_init(struct tid_index *x, tid_index_key_fn key, const void *ctx)
{
	*x = (struct tid_index){ .key = key, .ctx = ctx };
}

void tid_index_init_strided(struct tid_index *x, const void *const *base, size_t stride,
			    size_t offset)
{
	*x = (struct tid_index){ .ctx = base, .stride = stride, .offset = offset };
}

static const struct tid *key_at(const struct tid_index *x, size_t pos)
{
	if (!x->stride)
		return x->key(x->ctx, pos);
	return (const void *)((const char *)*(const void *const *)x->ctx + pos * x->stride +
			      x->offset);
}

void tid_index_clear(struct tid_index *x)
{
	struct tid_index keep = *x;

	free(x->hashes);
	free(x->slots);
	*x = (struct tid_index){
		.key = keep.key, .ctx = keep.ctx, .stride = keep.stride, .offset = keep.offset
	};
}

/* Linear probing from the hash's home slot; the table is never more than half full. */
static void put(uint64_t *hashes, uint32_t *slots, size_t cap, uint64_t h, uint32_t v)
{
	size_t i = (size_t)h & (cap - 1);

	while (slots[i])
		i = (i + 1) & (cap - 1);
	hashes[i] = h;
	slots[i] = v;
}

static int grow(struct tid_index *x)
{
	size_t cap = x->cap ? 2 * x->cap : 64;
	uint64_t *hashes = calloc(cap, sizeof(*hashes));
	uint32_t *slots = calloc(cap, sizeof(*slots));

	if (!hashes || !slots) {
		free(hashes);
		free(slots);
		return -ENOMEM;
	}
	for (size_t i = 0; i < x->cap; i++)
		if (x->slots[i])
			put(hashes, slots, cap, x->hashes[i], x->slots[i]);
	free(x->hashes);
	free(x->slots);
	x->hashes = hashes;
	x->slots = slots;
	x->cap = cap;
	return 0;
}

int tid_index_add(struct tid_index *x, const struct tid *t, size_t pos)
{
	int r;

	if (pos >= UINT32_MAX)
		return -ERANGE;
	if (2 * (x->n + 1) > x->cap) {
		r = grow(x);
		if (r < 0)
			return r;
	}
	put(x->hashes, x->slots, x->cap, tid_hash(t), (uint32_t)pos + 1);
	x->n++;
	return 0;
}

long tid_index_find(const struct tid_index *x, const struct tid *t)
{
	uint64_t h;
	size_t i;

	if (!x->n)
		return -1;
	h = tid_hash(t);
	for (i = (size_t)h & (x->cap - 1); x->slots[i]; i = (i + 1) & (x->cap - 1))
		if (x->hashes[i] == h && tid_equal(key_at(x, x->slots[i] - 1), t))
			return (long)x->slots[i] - 1;
	return -1;
}
