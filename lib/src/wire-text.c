// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <string.h>

#include "stas/nvme-decode.h"
#include "wire-text.h"

int nvme_text_check(const char *s, size_t len, size_t size, const char *what, struct stas_error *e)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e)
			return stas_error_set(
				e, -EBADMSG, "%s: byte 0x%02x at offset %zu is not printable ASCII",
				what, c, i);
	}
	if (len >= size)
		return stas_error_set(e, -EBADMSG, "%s: %zu bytes long, at most %zu allowed", what,
				      len, size ? size - 1 : 0);
	return 0;
}

int wire_text(char *dst, size_t dstsize, const char *src, size_t width, const char *what,
	      struct stas_error *e)
{
	size_t n = strnlen(src, width);
	int r;

	while (n && src[n - 1] == ' ')
		n--;
	r = nvme_text_check(src, n, dstsize, what, e);
	if (r < 0)
		return r;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}
