/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time spans as nvme-stas writes them (its vendored pytimeparse grammar):
 *
 *   3600   1.5   -1                 plain seconds (a fraction is truncated)
 *   72hours   3 days 5 hours        units in the order days, hours, minutes,
 *   1h30m   1 minute, 24 secs       seconds, each at most once, "," or "/"
 *                                   between them allowed; case-insensitive
 *   1:30   1:02:03   2:01:02:03     MM:SS, H:MM:SS, D:HH:MM:SS
 *   :45   1 day 2:03:04             SS with a colon, days then H:MM:SS
 *
 * Unit spellings: d dy dys day days | h hr hrs hour hours |
 * m min mins minute minutes | s sec secs second seconds. Numbers in the unit
 * form may have a fraction ("1.5 hours"). A leading + or - applies to the
 * whole span. Deliberately stricter than pytimeparse: in the clock forms the
 * fields after the first must be below 60, a separator must sit between two
 * parts, and nothing may follow.
 */
#ifndef STAS_DAEMON_TIMESPAN_H
#define STAS_DAEMON_TIMESPAN_H

#include <stdint.h>

#define TIMESPAN_MAX_SEC INT32_MAX /* about 68 years */

/**
 * timespan_parse() - text to whole seconds.
 *
 * Return: 0 with *@ret_sec set; -EINVAL for text that is not a time span;
 * -ERANGE when the magnitude exceeds TIMESPAN_MAX_SEC.
 */
int timespan_parse(const char *s, int64_t *ret_sec);

#endif
