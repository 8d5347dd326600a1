/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small error record that travels with a negative errno so the caller can
 * tell the user *what* was wrong (field and value, PDU type, NVMe status by
 * name), not only that something failed. Every API that can reject input
 * takes an optional `struct stas_error *` (NULL is fine).
 */
#ifndef STAS_ERROR_H
#define STAS_ERROR_H

#include <stdarg.h>
#include <stdint.h>

#define STAS_ERROR_MSG_MAX 256

struct stas_error {
	int code;	 /* negative errno, 0 when unset */
	uint16_t status; /* NVMe status when the controller refused (code -EREMOTEIO) */
	char msg[STAS_ERROR_MSG_MAX]; /* human readable, no trailing newline */
};

/**
 * stas_error_set() - record an error.
 * @e: error record or NULL
 * @code: negative errno
 * @fmt: printf-style message naming what was wrong
 *
 * Return: @code, so callers can write `return stas_error_set(e, -EPROTO, ...)`.
 */
int stas_error_set(struct stas_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * stas_error_prefix() - prepend context ("identify controller: ") to a message.
 * @e: error record or NULL
 * @fmt: printf-style prefix
 */
void stas_error_prefix(struct stas_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * stas_error_clear() - reset to "no error".
 */
void stas_error_clear(struct stas_error *e);

#endif
