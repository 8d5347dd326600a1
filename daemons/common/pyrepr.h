/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Python's repr() of the values json.loads() makes: nvme-stas shows some
 * values as Python text (pprint in the CLIs, str() of a dict in stacd's
 * 'dlpe'), and stas has to give the same characters.
 */
#ifndef STAS_DAEMON_PYREPR_H
#define STAS_DAEMON_PYREPR_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/**
 * py_utf8_next() - decode one UTF-8 sequence of @s[0..@n) (@n > 0) into *@ret.
 * A byte that starts no valid sequence becomes U+DC80..U+DCFF, as Python's
 * surrogateescape makes it. Return: the bytes used (at least 1).
 */
size_t py_utf8_next(const unsigned char *s, size_t n, uint32_t *ret);

/** py_printable() - whether Python's str.isprintable() holds for the code point @cp. */
bool py_printable(uint32_t cp);

/**
 * py_put_char() - the code point @cp (its @len UTF-8 bytes at @s) as repr()
 * shows it: as it is when printable, else as \xNN, \uNNNN or \UNNNNNNNN.
 */
void py_put_char(FILE *f, const char *s, size_t len, uint32_t cp);

/** py_repr_str() - repr() of the str @s[0..@n), quotes included. NULL on ENOMEM. */
char *py_repr_str(const char *s, size_t n);

/**
 * py_repr() - repr() of what json.loads() makes of @v, on one line: str()
 * of a dict keeps the members in @v's order; @sorted sorts them instead, as
 * pprint does. Return: a new string, or NULL when out of memory.
 */
char *py_repr(struct json_object *v, bool sorted);

/**
 * py_sorted_keys() - the member names of the object @o in Python's sorted()
 * order (code point order: byte order for UTF-8), borrowed from @o, in an
 * array to free(). Return: NULL when out of memory.
 */
const char **py_sorted_keys(struct json_object *o, size_t *ret_n);

#endif
