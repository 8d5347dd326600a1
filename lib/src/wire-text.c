// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <string.h>

#include "wire-text.h"

int wire_text(char *dst, size_t dstsize, const char *src, size_t width, const char *what,
	      struct stas_error *e)
{
	size_t n = strnlen(src, width);

	while (n && src[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c > 0x7e)
			return stas_error_set(
				e, -EBADMSG, "%s: byte 0x%02x at offset %zu is not printable ASCII",
				what, c, i);
	}
	if (n >= dstsize)
		return stas_error_set(e, -EBADMSG, "%s: %zu bytes long, at most %zu allowed", what,
				      n, dstsize - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}
