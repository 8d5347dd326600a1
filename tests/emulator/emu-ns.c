// SPDX-License-Identifier: Apache-2.0
/*
 * Namespace storage: sparse RAM in 1 MiB pieces, allocated on first write
 * and counted against the emulator-wide cap, so a 64 GiB namespace costs
 * nothing until someone writes to it. Unwritten and deallocated blocks
 * read as zeroes (Identify DLFEAT says so). A null-data namespace never
 * touches memory: reads are zeroes, writes vanish.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-private.h"

#define CHUNK ((uint64_t)1 << EMU_CHUNK_SHIFT)

int emu_ns_new(struct emu_subsys *s, uint32_t nsid, uint64_t size, uint32_t lba_size,
	       uint32_t grpid, unsigned flags, struct emu_ns **ret)
{
	struct emu_ns *ns;

	if (!nsid || nsid > 1024 || (lba_size != 512 && lba_size != 4096))
		return -EINVAL;
	if (!size || size % lba_size || grpid < 1 || grpid > EMU_ANAGRPMAX)
		return -EINVAL;
	if (flags & ~EMU_NS_NULL_DATA)
		return -EINVAL;
	ns = calloc(1, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	ns->subsys = s;
	ns->nsid = nsid;
	ns->anagrpid = grpid;
	ns->lba_shift = lba_size == 512 ? 9 : 12;
	ns->nlb = size / lba_size;
	ns->null_data = flags & EMU_NS_NULL_DATA;
	if (!ns->null_data) {
		ns->nchunks = (size + CHUNK - 1) / CHUNK;
		ns->chunks = calloc(ns->nchunks, sizeof(*ns->chunks));
		if (!ns->chunks) {
			free(ns);
			return -ENOMEM;
		}
	}
	/* A stable NGUID: IEEE-less "locally assigned" bytes from the NQN and NSID. */
	for (size_t i = 0; s->nqn[i]; i++)
		ns->nguid[i % 12] = (uint8_t)(ns->nguid[i % 12] * 31 + (uint8_t)s->nqn[i]);
	ns->nguid[12] = (uint8_t)(nsid >> 24);
	ns->nguid[13] = (uint8_t)(nsid >> 16);
	ns->nguid[14] = (uint8_t)(nsid >> 8);
	ns->nguid[15] = (uint8_t)nsid;
	*ret = ns;
	return 0;
}

void emu_ns_free(struct emu_ns *ns)
{
	struct emu *emu = ns->subsys->emu;

	for (size_t i = 0; i < ns->nchunks; i++)
		if (ns->chunks[i]) {
			free(ns->chunks[i]);
			emu->mem_used -= CHUNK;
		}
	free(ns->chunks);
	free(ns);
}

/* Walk [off, off+len) one chunk piece at a time. */
#define FOR_PIECES(off, len, idx, coff, n)                                                         \
	for (uint64_t _o = (off), _end = (off) + (len);                                            \
	     _o < _end &&                                                                          \
	     ((idx) = _o >> EMU_CHUNK_SHIFT, (coff) = _o & (CHUNK - 1),                            \
	     (n) = (uint32_t)(CHUNK - (coff) < _end - _o ? CHUNK - (coff) : _end - _o), 1);        \
	     _o += (n))

void emu_ns_read(struct emu_ns *ns, uint64_t off, void *buf, uint32_t len)
{
	uint8_t *p = buf;
	uint64_t idx, coff;
	uint32_t n;

	if (ns->null_data) {
		if (buf) /* NULL: the reply references the emulator's zero block instead */
			memset(buf, 0, len);
		return;
	}
	FOR_PIECES(off, len, idx, coff, n)
	{
		if (ns->chunks[idx])
			memcpy(p, ns->chunks[idx] + coff, n);
		else
			memset(p, 0, n);
		p += n;
	}
}

int emu_ns_write(struct emu_ns *ns, uint64_t off, const void *buf, uint32_t len)
{
	struct emu *emu = ns->subsys->emu;
	const uint8_t *p = buf;
	uint64_t idx, coff;
	uint32_t n;

	if (ns->null_data)
		return 0;
	FOR_PIECES(off, len, idx, coff, n)
	{
		if (!ns->chunks[idx]) {
			if (emu->mem_used + CHUNK > emu->mem_cap)
				return -ENOSPC;
			ns->chunks[idx] = calloc(1, CHUNK);
			if (!ns->chunks[idx])
				return -ENOMEM;
			emu->mem_used += CHUNK;
		}
		memcpy(ns->chunks[idx] + coff, p, n);
		p += n;
	}
	return 0;
}

/* Zeroing a whole piece gives its memory back, as a deallocate should. */
void emu_ns_zero(struct emu_ns *ns, uint64_t off, uint64_t len)
{
	uint64_t idx, coff;
	uint32_t n;

	if (ns->null_data)
		return;
	FOR_PIECES(off, len, idx, coff, n)
	{
		if (!ns->chunks[idx])
			continue;
		if (n == CHUNK) {
			free(ns->chunks[idx]);
			ns->chunks[idx] = NULL;
			ns->subsys->emu->mem_used -= CHUNK;
		} else {
			memset(ns->chunks[idx] + coff, 0, n);
		}
	}
}

static bool all_zero(const uint8_t *p, uint32_t n)
{
	return !n || (p[0] == 0 && !memcmp(p, p + 1, n - 1));
}

bool emu_ns_compare(struct emu_ns *ns, uint64_t off, const void *buf, uint32_t len)
{
	const uint8_t *p = buf;
	uint64_t idx, coff;
	uint32_t n;

	if (ns->null_data)
		return all_zero(buf, len);
	FOR_PIECES(off, len, idx, coff, n)
	{
		if (ns->chunks[idx] ? memcmp(ns->chunks[idx] + coff, p, n) != 0 : !all_zero(p, n))
			return false;
		p += n;
	}
	return true;
}
