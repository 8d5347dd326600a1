/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scope-bound cleanup for locals, so error paths are a plain `return r;`.
 */
#ifndef STAS_CLEANUP_H
#define STAS_CLEANUP_H

#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>

#define _cleanup_(fn) __attribute__((cleanup(fn)))

/* Define `name##p(type *p)` calling free_fn(*p) when *p is set. */
#define DEFINE_CLEANUP_FUNC(type, free_fn)                                                         \
	static inline void free_fn##p(type *p)                                                     \
	{                                                                                          \
		if (*p)                                                                            \
			free_fn(*p);                                                               \
	}

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_	 _cleanup_(freep)
#define _cleanup_close_	 _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand a cleanup-owned value to someone else: returns it and clears the variable. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _taken = (p);                                                        \
		(p) = NULL;                                                                        \
		_taken;                                                                            \
	})

#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _taken = (fd);                                                                 \
		(fd) = -1;                                                                         \
		_taken;                                                                            \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
