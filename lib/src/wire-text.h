/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: fixed-width ASCII fields from the wire to C strings. */
#ifndef STAS_WIRE_TEXT_H
#define STAS_WIRE_TEXT_H

#include <stddef.h>

#include "stas/error.h"

/*
 * Copy a space- or NUL-padded ASCII field of @width bytes into @dst (which
 * holds @dstsize bytes including the NUL). The text ends at the first NUL;
 * trailing spaces are dropped. Fails with -EBADMSG naming @what when a byte
 * is not printable ASCII or the text does not fit @dst.
 */
int wire_text(char *dst, size_t dstsize, const char *src, size_t width, const char *what,
	      struct stas_error *e);

#endif
