// SPDX-License-Identifier: Apache-2.0
#include <stdio.h>
#include <string.h>

#include "stas/error.h"

int stas_error_set(struct stas_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	e->status = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void stas_error_prefix(struct stas_error *e, const char *fmt, ...)
{
	char prefix[STAS_ERROR_MSG_MAX];
	char old[STAS_ERROR_MSG_MAX];
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	size_t n;

	memcpy(old, e->msg, sizeof(old));
	n = strnlen(prefix, sizeof(e->msg) - 1);
	memcpy(e->msg, prefix, n);
	/* The message is truncated at the end if prefix + old no longer fit. */
	strncpy(e->msg + n, old, sizeof(e->msg) - n - 1);
	e->msg[sizeof(e->msg) - 1] = '\0';
}

void stas_error_clear(struct stas_error *e)
{
	if (!e)
		return;
	e->code = 0;
	e->status = 0;
	e->msg[0] = '\0';
}
