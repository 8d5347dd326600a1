// SPDX-License-Identifier: Apache-2.0
/*
 * The typed reply of org.nvmexpress.stac.state.controllers() as a json-c
 * value, and the table "stacctl state" prints of it. The table is for
 * people; its columns are as wide as their widest cell, so scripts should
 * use --json instead.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-common.h"
#include "common/pyrepr.h"
#include "ctl-state.h"
#include "stas/cleanup.h"

static inline void json_object_putp(struct json_object **o)
{
	json_object_put(*o);
}

/* json_object_object_add() that always takes @v, and treats NULL as out of memory. */
static int add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* a(uus): nsid, ANA group ID, ANA state name. */
static int read_namespaces(sd_bus_message *m, struct json_object *ctrl)
{
	struct json_object *list = json_object_new_array();
	const char *ana;
	uint32_t nsid, grp;
	int r;

	r = add(ctrl, "namespaces", list);
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "(uus)");
	while (r >= 0 && (r = sd_bus_message_read(m, "(uus)", &nsid, &grp, &ana)) > 0) {
		struct json_object *ns = json_object_new_object();

		if (!ns || json_object_array_add(list, ns) < 0) {
			json_object_put(ns);
			return -ENOMEM;
		}
		r = add(ns, "nsid", json_object_new_int64(nsid));
		if (r >= 0)
			r = add(ns, "anagrpid", json_object_new_int64(grp));
		if (r >= 0)
			r = add(ns, "ana_state", json_object_new_string(ana));
	}
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* The members of one (a{ss}bssuua(uus)), the structure already entered. */
static int read_controller(sd_bus_message *m, struct json_object *ctrl)
{
	struct json_object *tid = json_object_new_object();
	const char *state, *error;
	uint32_t reconnects, queues;
	int connected, r;

	r = add(ctrl, "tid", tid);
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "{ss}");
	if (r >= 0)
		r = ctl_read_dict(m, tid);
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r >= 0)
		r = sd_bus_message_read(m, "bssuu", &connected, &state, &error, &reconnects,
					&queues);
	if (r == 0)
		r = -EBADMSG;
	if (r < 0)
		return r;
	r = add(ctrl, "connected", json_object_new_boolean(connected));
	if (r >= 0)
		r = add(ctrl, "state", json_object_new_string(state));
	if (r >= 0)
		r = add(ctrl, "last_error", json_object_new_string(error));
	if (r >= 0)
		r = add(ctrl, "reconnects", json_object_new_int64(reconnects));
	if (r >= 0)
		r = add(ctrl, "io_queues", json_object_new_int64(queues));
	return r < 0 ? r : read_namespaces(m, ctrl);
}

int ctl_state_read(sd_bus_message *m, struct json_object **ret_ctrls)
{
	_cleanup_(json_object_putp) struct json_object *list = json_object_new_array();
	int r;

	if (!list)
		return -ENOMEM;
	if (!sd_bus_message_has_signature(m, CTL_STATE_SIGNATURE))
		return -EBADMSG;
	r = sd_bus_message_enter_container(m, 'a', "(a{ss}bssuua(uus))");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'r', "a{ss}bssuua(uus)")) > 0) {
		struct json_object *ctrl = json_object_new_object();

		if (!ctrl || json_object_array_add(list, ctrl) < 0) {
			json_object_put(ctrl);
			return -ENOMEM;
		}
		r = read_controller(m, ctrl);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0)
		return r == -ENOMEM ? r : -EBADMSG;
	*ret_ctrls = TAKE_PTR(list);
	return 0;
}

/* A string member of @o, "" when absent or not a string. */
static const char *member_str(struct json_object *o, const char *key)
{
	struct json_object *v = json_object_object_get(o, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

char *ctl_tid_text(struct json_object *tid)
{
	static const char *const keys[] = { "transport", "traddr",     "trsvcid",
					    "subsysnqn", "host-iface", "host-traddr" };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool first = true;

	if (!f)
		return NULL;
	fputc('(', f);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = member_str(tid, keys[i]);

		if (!*v)
			continue;
		fprintf(f, "%s%s", first ? "" : ", ", v);
		first = false;
	}
	fputc(')', f);
	if (ferror(f) | fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

enum {
	COL_CTRL,
	COL_CONNECTED,
	COL_STATE,
	COL_RECONNECTS,
	COL_QUEUES,
	COL_NAMESPACES,
	COL_ERROR,
	N_COLS
};

static const char *const headers[N_COLS] = {
	[COL_CTRL] = "CONTROLLER",  [COL_CONNECTED] = "CONNECTED",
	[COL_STATE] = "STATE",	    [COL_RECONNECTS] = "RECONNECTS",
	[COL_QUEUES] = "QUEUES",    [COL_NAMESPACES] = "NAMESPACES",
	[COL_ERROR] = "LAST ERROR",
};

struct row {
	char *cell[N_COLS];
};

/*
 * @s with what Python would not print as it is (controls, line and paragraph
 * separators, bidirectional overrides, ...) escaped as repr() escapes it, so
 * one controller stays on one line and a cell cannot reorder the row.
 */
static void put_text(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0, len; i < n; i += len) {
		uint32_t cp;

		len = py_utf8_next(u + i, n - i, &cp);
		py_put_char(f, s + i, len, cp);
	}
}

/* A cell from printf-style text that holds no daemon string (numbers, constants). */
static char *cell_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *cell_printf(const char *fmt, ...)
{
	char *s;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

/* A cell showing @s (a daemon string) escaped, or "-" when it is empty. */
static char *cell_text(const char *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!*s)
		return strdup("-");
	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	put_text(f, s);
	if (ferror(f) | fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* "1:optimized,2:non-optimized", or "-" without namespaces. */
static char *cell_namespaces(struct json_object *list)
{
	size_t n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
	size_t len = 0;
	char *text = NULL;
	FILE *f;

	if (n == 0)
		return strdup("-");
	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct json_object *ns = json_object_array_get_idx(list, i);

		fprintf(f, "%s%lld:", i ? "," : "",
			(long long)json_object_get_int64(json_object_object_get(ns, "nsid")));
		put_text(f, member_str(ns, "ana_state"));
	}
	if (ferror(f) | fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static long long member_int(struct json_object *o, const char *key)
{
	return (long long)json_object_get_int64(json_object_object_get(o, key));
}

static int row_fill(struct row *row, struct json_object *ctrl)
{
	_cleanup_free_ char *tid = ctl_tid_text(json_object_object_get(ctrl, "tid"));

	if (!tid)
		return -ENOMEM;
	row->cell[COL_CTRL] = cell_text(tid);
	row->cell[COL_CONNECTED] = strdup(
		json_object_get_boolean(json_object_object_get(ctrl, "connected")) ? "yes" : "no");
	row->cell[COL_STATE] = cell_text(member_str(ctrl, "state"));
	row->cell[COL_RECONNECTS] = cell_printf("%lld", member_int(ctrl, "reconnects"));
	row->cell[COL_QUEUES] = cell_printf("%lld", member_int(ctrl, "io_queues"));
	row->cell[COL_NAMESPACES] = cell_namespaces(json_object_object_get(ctrl, "namespaces"));
	row->cell[COL_ERROR] = cell_text(member_str(ctrl, "last_error"));
	for (int i = 0; i < N_COLS; i++)
		if (!row->cell[i])
			return -ENOMEM;
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return strcmp(x->cell[COL_CTRL], y->cell[COL_CTRL]);
}

/* Width on a terminal, taken as one column per code point. */
static size_t text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void put_line(FILE *f, const char *const cell[N_COLS], const size_t width[N_COLS])
{
	for (int i = 0; i < N_COLS; i++) {
		fputs(cell[i], f);
		if (i + 1 < N_COLS)
			fprintf(f, "%*s", (int)(width[i] - text_width(cell[i]) + 2), "");
	}
}

static char *table_text(struct row *rows, size_t n)
{
	size_t width[N_COLS], len = 0;
	char *text = NULL;
	FILE *f;

	for (int i = 0; i < N_COLS; i++) {
		width[i] = text_width(headers[i]);
		for (size_t k = 0; k < n; k++)
			if (text_width(rows[k].cell[i]) > width[i])
				width[i] = text_width(rows[k].cell[i]);
	}
	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	put_line(f, headers, width);
	for (size_t k = 0; k < n; k++) {
		fputc('\n', f);
		put_line(f, (const char *const *)rows[k].cell, width);
	}
	if (ferror(f) | fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

char *ctl_state_table(struct json_object *ctrls)
{
	size_t n =
		json_object_is_type(ctrls, json_type_array) ? json_object_array_length(ctrls) : 0;
	struct row *rows = calloc(n ? n : 1, sizeof(*rows));
	char *text = NULL;
	size_t k;

	if (!rows)
		return NULL;
	for (k = 0; k < n; k++)
		if (row_fill(&rows[k], json_object_array_get_idx(ctrls, k)) < 0)
			break;
	if (k == n) {
		qsort(rows, n, sizeof(*rows), row_cmp);
		text = table_text(rows, n);
	} else {
		n = k + 1; /* the row that failed is half filled */
	}
	for (k = 0; k < n; k++)
		for (int i = 0; i < N_COLS; i++)
			free(rows[k].cell[i]);
	free(rows);
	return text;
}
