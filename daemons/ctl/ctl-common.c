// SPDX-License-Identifier: Apache-2.0
/*
 * The machinery of stafctl and stacctl: command dispatch, options, the bus
 * with bounded waits, calls, and the two printers. Python pprint's layout
 * rules (Lib/pprint.py, width 120, sorted keys, non-compact) are reproduced
 * for the values a daemon can send: dicts, lists, str, and JSON scalars.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/pyrepr.h"
#include "ctl-common.h"
#include "ctl-opt.h"
#include "stas/cleanup.h"

struct ctl {
	const struct ctl_service *svc;
	const struct ctl_cmd *cmd;
	sd_bus *bus;
	sd_bus_error error; /* the bus failure to report */
	bool json;	    /* --json */
	bool usage;	    /* a usage error was printed: exit 2 */
	bool reported;	    /* another failure was printed: exit 1 */
};

static inline void json_object_putp(struct json_object **o)
{
	json_object_put(*o);
}

/* ------------------------------------------------------------------ */
/* A growing string; an allocation failure is remembered, not fatal.   */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_spaces(struct sbuf *b, int n)
{
	for (; n > 0; n--)
		sb_put(b, " ", 1);
}

/* The result, or NULL (and the buffer freed) after an allocation failure. */
static char *sb_take(struct sbuf *b)
{
	if (!b->oom && !b->p)
		sb_put(b, "", 0);
	if (b->oom) {
		free(b->p);
		b->p = NULL;
	}
	return TAKE_PTR(b->p);
}

/* ------------------------------------------------------------------ */
/* Code points as Python sees them.                                    */

/* Length in code points of text we produced (always valid UTF-8). */
static int cp_len(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* str.isspace(), which is also what \s matches in a str pattern. */
static bool py_space(uint32_t cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 ||
	       cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/* The line boundaries of str.splitlines(). */
static bool py_linebreak(uint32_t cp)
{
	return (cp >= 0x0a && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1e) || cp == 0x85 ||
	       cp == 0x2028 || cp == 0x2029;
}

/* repr() of the str s[0..n), appended to @b. */
static void sb_repr_str(struct sbuf *b, const char *s, size_t n)
{
	_cleanup_free_ char *rep = py_repr_str(s, n);

	if (!rep)
		b->oom = true;
	else
		sb_puts(b, rep);
}

char *ctl_pyrepr(struct json_object *v)
{
	return py_repr(v, true);
}

/* ------------------------------------------------------------------ */
/* pprint.pformat()                                                    */

struct pp {
	struct sbuf out;
	int width;
};

static void pp_format(struct pp *p, struct json_object *v, int indent, int allowance, int level);

/* _format_dict_items(), with the braces of _pprint_dict() around it. */
static void pp_dict(struct pp *p, struct json_object *v, int indent, int allowance, int level)
{
	_cleanup_free_ const char **keys = NULL;
	size_t n = 0;

	keys = py_sorted_keys(v, &n);
	if (!keys) {
		p->out.oom = true;
		return;
	}
	allowance += 1; /* the closing brace */
	indent += 1;
	sb_puts(&p->out, "{");
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *k = py_repr_str(keys[i], strlen(keys[i]));
		bool last = i + 1 == n;

		if (!k) {
			p->out.oom = true;
			return;
		}
		sb_puts(&p->out, k);
		sb_puts(&p->out, ": ");
		pp_format(p, json_object_object_get(v, keys[i]), indent + cp_len(k) + 2,
			  last ? allowance : 1, level);
		if (!last) {
			sb_puts(&p->out, ",\n");
			sb_spaces(&p->out, indent);
		}
	}
	sb_puts(&p->out, "}");
}

/* _format_items() (compact=False), with the brackets of _pprint_list(). */
static void pp_list(struct pp *p, struct json_object *v, int indent, int allowance, int level)
{
	size_t n = json_object_array_length(v);

	allowance += 1;
	indent += 1;
	sb_puts(&p->out, "[");
	for (size_t i = 0; i < n; i++) {
		if (i) {
			sb_puts(&p->out, ",\n");
			sb_spaces(&p->out, indent);
		}
		pp_format(p, json_object_array_get_idx(v, i), indent, i + 1 == n ? allowance : 1,
			  level);
	}
	sb_puts(&p->out, "]");
}

/* One chunk of a split string: the repr of s[lo..hi), and its width. */
struct chunk {
	char *rep;
	int width;
};

static int chunk_make(const char *s, size_t lo, size_t hi, struct chunk *ret)
{
	ret->rep = py_repr_str(s + lo, hi - lo);
	if (!ret->rep)
		return -ENOMEM;
	ret->width = cp_len(ret->rep);
	return 0;
}

/* The end of the part starting at @i: re.findall(r'\S*\s*', line) pieces. */
static size_t next_part(const unsigned char *s, size_t i, size_t end)
{
	uint32_t cp;
	size_t len;

	while (i < end && (len = py_utf8_next(s + i, end - i, &cp)) && !py_space(cp))
		i += len;
	while (i < end && (len = py_utf8_next(s + i, end - i, &cp)) && py_space(cp))
		i += len;
	return i;
}

/* The end of the line starting at @i, its line break included (splitlines(True)). */
static size_t next_line(const unsigned char *s, size_t i, size_t n)
{
	uint32_t cp;
	size_t len;

	while (i < n) {
		len = py_utf8_next(s + i, n - i, &cp);
		i += len;
		if (cp == '\r' && i < n && s[i] == '\n')
			return i + 1;
		if (py_linebreak(cp))
			return i;
	}
	return i;
}

struct chunks {
	struct chunk *v;
	size_t n, cap;
};

static int chunks_push(struct chunks *c, const char *s, size_t lo, size_t hi)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 8;
		struct chunk *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	return chunk_make(s, lo, hi, &c->v[c->n++]) < 0 ? (c->n--, -ENOMEM) : 0;
}

static void chunks_free(struct chunks *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].rep);
	free(c->v);
}

/* The words of one line too long for its room, greedily packed (_pprint_str()). */
static int pp_split_line(struct chunks *c, const char *s, size_t lo, size_t hi, int max_width,
			 int allowance, bool last_line)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t cur = lo, end = lo; /* the current chunk is s[cur..end) */

	while (end < hi) {
		size_t part_end = next_part(u, end, hi);
		struct chunk cand;
		int r;

		if (part_end == hi && last_line)
			max_width -= allowance;
		r = chunk_make(s, cur, part_end, &cand);
		if (r < 0)
			return r;
		free(cand.rep);
		if (cand.width > max_width) {
			if (end > cur && chunks_push(c, s, cur, end) < 0)
				return -ENOMEM;
			cur = end;
		}
		end = part_end;
	}
	return end > cur ? chunks_push(c, s, cur, end) : 0;
}

static void pp_str(struct pp *p, struct json_object *v, int indent, int allowance, int level)
{
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);
	struct chunks c = { 0 };
	int max_width, max_width1;

	if (level == 1) {
		indent += 1;
		allowance += 1;
	}
	max_width = max_width1 = p->width - indent;
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		struct chunk line;
		bool last;

		hi = next_line((const unsigned char *)s, lo, n);
		last = hi == n;
		if (last)
			max_width1 -= allowance;
		if (chunk_make(s, lo, hi, &line) < 0)
			goto oom;
		if (line.width <= max_width1) {
			free(line.rep);
			if (chunks_push(&c, s, lo, hi) < 0)
				goto oom;
			continue;
		}
		free(line.rep);
		if (pp_split_line(&c, s, lo, hi, max_width, allowance, last) < 0)
			goto oom;
	}
	if (c.n <= 1) {
		sb_repr_str(&p->out, s, n);
	} else {
		sb_puts(&p->out, level == 1 ? "(" : "");
		for (size_t i = 0; i < c.n; i++) {
			if (i) {
				sb_puts(&p->out, "\n");
				sb_spaces(&p->out, indent);
			}
			sb_puts(&p->out, c.v[i].rep);
		}
		sb_puts(&p->out, level == 1 ? ")" : "");
	}
	chunks_free(&c);
	return;
oom:
	chunks_free(&c);
	p->out.oom = true;
}

/* _format(): the one-line repr when it fits in the room left, else the type's layout. */
static void pp_format(struct pp *p, struct json_object *v, int indent, int allowance, int level)
{
	_cleanup_free_ char *rep = ctl_pyrepr(v);

	if (!rep) {
		p->out.oom = true;
		return;
	}
	if (cp_len(rep) > p->width - indent - allowance) {
		switch (json_object_get_type(v)) {
		case json_type_object:
			pp_dict(p, v, indent, allowance, level + 1);
			return;
		case json_type_array:
			pp_list(p, v, indent, allowance, level + 1);
			return;
		case json_type_string:
			pp_str(p, v, indent, allowance, level + 1);
			return;
		default:
			break;
		}
	}
	sb_puts(&p->out, rep);
}

char *ctl_pformat(struct json_object *v, int width)
{
	struct pp p = { .width = width };

	pp_format(&p, v, 0, 0, 0);
	return sb_take(&p.out);
}

/*
 * JSON indented by two blanks per level, like json.dumps(v, indent=2,
 * ensure_ascii=False): empty containers stay "[]" and "{}", members keep the
 * daemon's order. Scalars are json-c's own text.
 */
static void json_value(struct sbuf *b, struct json_object *v, int level)
{
	const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
	bool obj = json_object_is_type(v, json_type_object);
	size_t i = 0, n;

	if (!obj && !json_object_is_type(v, json_type_array)) {
		sb_puts(b, json_object_to_json_string_ext(v, flags));
		return;
	}
	n = obj ? (size_t)json_object_object_length(v) : json_object_array_length(v);
	sb_puts(b, obj ? "{" : "[");
	if (obj) {
		json_object_object_foreach(v, k, m)
		{
			struct json_object *key = json_object_new_string(k);

			sb_puts(b, i++ ? ",\n" : "\n");
			sb_spaces(b, 2 * (level + 1));
			if (!key) {
				b->oom = true;
				return;
			}
			sb_puts(b, json_object_to_json_string_ext(key, flags));
			json_object_put(key);
			sb_puts(b, ": ");
			json_value(b, m, level + 1);
		}
	}
	for (; !obj && i < n; i++) {
		sb_puts(b, i ? ",\n" : "\n");
		sb_spaces(b, 2 * (level + 1));
		json_value(b, json_object_array_get_idx(v, i), level + 1);
	}
	if (n) {
		sb_puts(b, "\n");
		sb_spaces(b, 2 * level);
	}
	sb_puts(b, obj ? "}" : "]");
}

char *ctl_json_format(struct json_object *v)
{
	struct sbuf b = { 0 };

	json_value(&b, v, 0);
	return sb_take(&b);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

int ctl_output_as(struct ctl *c, struct json_object *v, ctl_text_fn fn)
{
	_cleanup_free_ char *text = c->json ? ctl_json_format(v)
				    : fn    ? fn(v)
					    : ctl_pformat(v, CTL_PPRINT_WIDTH);

	if (!text) {
		fprintf(stderr, "%s: out of memory\n", c->svc->prog);
		c->reported = true;
		return -ENOMEM;
	}
	if (puts(text) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "%s: cannot write the output: %m\n", c->svc->prog);
		c->reported = true;
		return -EIO;
	}
	return 0;
}

int ctl_output(struct ctl *c, struct json_object *v)
{
	return ctl_output_as(c, v, NULL);
}

/* ------------------------------------------------------------------ */
/* The bus                                                             */

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int ctl_errno(struct ctl *c, int r, const char *what)
{
	if (!sd_bus_error_is_set(&c->error))
		sd_bus_error_set_errnof(&c->error, r, "%s: %s", what, strerror(-r));
	return r;
}

/*
 * The system bus ($DBUS_SYSTEM_BUS_ADDRESS when set), fully connected. sd-bus
 * would wait for the authentication and Hello() longer than we want to, so
 * the handshake is driven here against the same deadline as every call.
 */
static int ctl_bus(struct ctl *c, sd_bus **ret)
{
	_cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
	uint64_t deadline = now_usec() + CTL_TIMEOUT_USEC;
	int r;

	if (c->bus) {
		*ret = c->bus;
		return 0;
	}
	r = sd_bus_open_system(&bus);
	if (r < 0)
		return ctl_errno(c, r, "Cannot connect to the system bus");
	r = sd_bus_set_method_call_timeout(bus, CTL_TIMEOUT_USEC);
	if (r < 0)
		return ctl_errno(c, r, "Cannot set the call timeout");
	while ((r = sd_bus_is_ready(bus)) == 0) {
		uint64_t now;

		r = sd_bus_process(bus, NULL);
		if (r > 0)
			continue;
		if (r < 0)
			break;
		now = now_usec();
		if (now >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		r = sd_bus_wait(bus, deadline - now);
		if (r < 0)
			break;
	}
	if (r < 0)
		return ctl_errno(c, r, "Cannot connect to the system bus");
	*ret = c->bus = TAKE_PTR(bus);
	return 0;
}

static int ctl_callv(struct ctl *c, const char *iface, const char *member,
		     sd_bus_message **ret_reply, const char *types, va_list ap)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	sd_bus *bus;
	int r;

	r = ctl_bus(c, &bus);
	if (r < 0)
		return r;
	r = sd_bus_message_new_method_call(bus, &m, c->svc->bus_name, c->svc->path, iface, member);
	if (r >= 0 && types && *types)
		r = sd_bus_message_appendv(m, types, ap);
	/* D-Bus strings are UTF-8: an argument that is not is the user's to fix */
	if (r == -EINVAL)
		return ctl_usage_error(c, "an argument is not valid UTF-8 text");
	if (r < 0)
		return ctl_errno(c, r, "Cannot build the call");
	r = sd_bus_call(bus, m, CTL_TIMEOUT_USEC, &c->error, ret_reply);
	return r < 0 ? ctl_errno(c, r, member) : 0;
}

int ctl_call(struct ctl *c, const char *iface, const char *member, sd_bus_message **ret_reply,
	     const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = ctl_callv(c, iface, member, ret_reply, types, ap);
	va_end(ap);
	return r;
}

int ctl_bad_reply(struct ctl *c, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	sd_bus_error_free(&c->error);
	sd_bus_error_set(&c->error, SD_BUS_ERROR_INCONSISTENT_MESSAGE,
			 r < 0 ? "unusable reply" : msg);
	return -EBADMSG;
}

static int bad_signature(struct ctl *c, sd_bus_message *m, const char *member, const char *want)
{
	return ctl_bad_reply(c, "%s() returned '%s', expected '%s'", member,
			     sd_bus_message_get_signature(m, true) ?: "", want);
}

int ctl_set_tron(struct ctl *c, bool on)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

	return ctl_call(c, "org.freedesktop.DBus.Properties", "Set", &reply, "ssv",
			c->svc->debug_iface, "tron", "b", (int)on);
}

int ctl_get_tron(struct ctl *c, bool *ret)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r, b;

	r = ctl_call(c, "org.freedesktop.DBus.Properties", "Get", &reply, "ss", c->svc->debug_iface,
		     "tron");
	if (r < 0)
		return r;
	r = sd_bus_message_read(reply, "v", "b", &b);
	if (r <= 0)
		return ctl_bad_reply(c, "Get(tron) returned '%s', expected a boolean variant",
				     sd_bus_message_get_signature(reply, true) ?: "");
	*ret = b;
	return 0;
}

int ctl_read_dict(sd_bus_message *m, struct json_object *o)
{
	const char *k, *v;
	int r;

	while ((r = sd_bus_message_read(m, "{ss}", &k, &v)) > 0) {
		struct json_object *s = json_object_new_string(v);

		if (!s || json_object_object_add(o, k, s) < 0) {
			json_object_put(s);
			return -ENOMEM;
		}
	}
	return r;
}

int ctl_read_dicts(struct ctl *c, sd_bus_message *m, const char *what, struct json_object **ret)
{
	_cleanup_(json_object_putp) struct json_object *a = json_object_new_array();
	int r;

	if (!a)
		return -ENOMEM;
	if (!sd_bus_message_has_signature(m, "aa{ss}"))
		return bad_signature(c, m, what, "aa{ss}");
	r = sd_bus_message_enter_container(m, 'a', "a{ss}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'a', "{ss}")) > 0) {
		struct json_object *o = json_object_new_object();

		if (!o || json_object_array_add(a, o) < 0) {
			json_object_put(o);
			return -ENOMEM;
		}
		r = ctl_read_dict(m, o);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return ctl_bad_reply(c, "%s(): cannot read the reply: %s", what, strerror(-r));
	*ret = TAKE_PTR(a);
	return 0;
}

int ctl_call_dicts(struct ctl *c, const char *iface, const char *member, struct json_object **ret,
		   const char *types, ...)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	va_list ap;
	int r;

	va_start(ap, types);
	r = ctl_callv(c, iface, member, &reply, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	return ctl_read_dicts(c, reply, member, ret);
}

/* The whole of @s as JSON (as json.loads() takes it: blanks around are fine). */
static int parse_json(struct ctl *c, const char *member, const char *s, enum json_type want,
		      struct json_object **ret)
{
	/* json.loads() nests far deeper than json-c's default of 32 */
	struct json_tokener *tok = json_tokener_new_ex(CTL_JSON_DEPTH);
	struct json_object *o;
	size_t len = strlen(s), end;
	enum json_tokener_error err;

	if (!tok)
		return -ENOMEM;
	/* and refuses what json-c forgives by default: trailing commas, 'quotes', 01 */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, s, (int)len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (err != json_tokener_success) {
		json_object_put(o);
		return ctl_bad_reply(c, "%s() returned malformed JSON: %s", member,
				     err == json_tokener_continue ? "cut short"
								  : json_tokener_error_desc(err));
	}
	end += strspn(s + end, " \t\r\n");
	if (end != len || !json_object_is_type(o, want)) {
		json_object_put(o);
		return ctl_bad_reply(c, "%s() returned %s, expected a JSON %s", member,
				     end != len ? "text after the JSON value" : "another JSON type",
				     want == json_type_object ? "object" : "array");
	}
	*ret = o;
	return 0;
}

int ctl_call_json(struct ctl *c, const char *iface, const char *member, enum json_type want_type,
		  struct json_object **ret, const char *types, ...)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	const char *s;
	va_list ap;
	int r;

	va_start(ap, types);
	r = ctl_callv(c, iface, member, &reply, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	if (!sd_bus_message_has_signature(reply, "s"))
		return bad_signature(c, reply, member, "s");
	r = sd_bus_message_read(reply, "s", &s);
	if (r <= 0)
		return ctl_bad_reply(c, "%s(): cannot read the reply", member);
	return parse_json(c, member, s, want_type, ret);
}

void ctl_tid_args(struct json_object *ctrl, const char *ret[7])
{
	static const char *const keys[7] = { "transport",   "traddr",	  "trsvcid", "subsysnqn",
					     "host-traddr", "host-iface", "host-nqn" };

	for (int i = 0; i < 7; i++) {
		struct json_object *v = json_object_object_get(ctrl, keys[i]);

		ret[i] = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
	}
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

const struct ctl_service *ctl_service(const struct ctl *c)
{
	return c->svc;
}

enum { OPT_JSON = 256 };

static const struct ctl_opt help_opt = { "help", 'h', NULL, "show this help and exit" };
static const struct ctl_opt json_opt = { "json", OPT_JSON, NULL,
					 "print JSON instead of the text form" };

/* "  -a, --traddr TRADDR   help", the help moved to its own line when the left side is long. */
static void opt_help_line(const struct ctl_opt *o)
{
	char left[80];
	int n;

	if (o->val < 256)
		n = snprintf(left, sizeof(left), "-%c, --%s%s%s", o->val, o->name,
			     o->arg ? " " : "", o->arg ?: "");
	else
		n = snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
			     o->arg ?: "");
	if (n <= 26)
		printf("  %-26s  %s\n", left, o->help);
	else
		printf("  %s\n%30s%s\n", left, "", o->help);
}

static void cmd_help(const struct ctl *c, const struct ctl_opt *opts, size_t n)
{
	printf("usage: %s %s [-h]%s%s%s\n\n%s\n\noptions:\n", c->svc->prog, c->cmd->name,
	       c->cmd->json ? " [--json]" : "", *c->cmd->synopsis ? " " : "", c->cmd->synopsis,
	       c->cmd->summary);
	opt_help_line(&help_opt);
	if (c->cmd->json)
		opt_help_line(&json_opt);
	for (size_t i = 0; i < n; i++)
		opt_help_line(&opts[i]);
}

int ctl_usage_error(struct ctl *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s%s%s: ", c->svc->prog, c->cmd ? " " : "", c->cmd ? c->cmd->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s%s%s -h' for more information.\n", c->svc->prog,
		c->cmd ? " " : "", c->cmd ? c->cmd->name : "");
	c->usage = true;
	return -EINVAL;
}

static const char *bad_option(char **argv, char buf[3])
{
	return ctl_bad_option(argv, optind, optopt, buf);
}

static int add_opt(const struct ctl_opt *o, struct option *lo, char *so)
{
	*lo = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL, o->val };
	if (o->val >= 256)
		return 0;
	so[0] = (char)o->val;
	so[1] = o->arg ? ':' : '\0';
	return o->arg ? 2 : 1;
}

int ctl_parse_opts(struct ctl *c, int argc, char **argv, const struct ctl_opt *opts, size_t n,
		   ctl_opt_fn fn, void *userdata)
{
	_cleanup_free_ struct option *lo = calloc(n + 3, sizeof(*lo));
	_cleanup_free_ char *so = calloc(2 * n + 4, 1);
	size_t nl = 0, ns = 1;
	char buf[3];
	int v;

	if (!lo || !so)
		return -ENOMEM;
	so[0] = ':'; /* tell a missing argument from an unknown option */
	ns += add_opt(&help_opt, &lo[nl++], so + ns);
	if (c->cmd->json)
		ns += add_opt(&json_opt, &lo[nl++], so + ns);
	for (size_t i = 0; i < n; i++)
		ns += add_opt(&opts[i], &lo[nl++], so + ns);
	so[ns] = '\0';

	optind = 0;
	opterr = 0;
	while ((v = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		int r = 0;

		if (v == 'h') {
			cmd_help(c, opts, n);
			return 1;
		} else if (v == OPT_JSON) {
			c->json = true;
		} else if (v == ':') {
			return ctl_usage_error(c, "option '%s' needs an argument",
					       bad_option(argv, buf));
		} else if (v == '?') {
			return ctl_usage_error(c, "unknown option '%s'", bad_option(argv, buf));
		} else {
			r = fn ? fn(c, v, ctl_opt_value(argv, optind, optarg), userdata) : -EINVAL;
		}
		if (r < 0)
			return r;
	}
	if (optind < argc)
		return ctl_usage_error(c, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Commands both CLIs have                                             */

int ctl_flag_opt(struct ctl *c, int val, const char *arg, void *userdata)
{
	*(bool *)userdata = true;
	return 0;
}

static const struct ctl_opt detailed_opts[] = {
	{ "detailed", 'd', NULL, "show every detail the daemon has" },
};

int ctl_cmd_ls(struct ctl *c, int argc, char **argv)
{
	_cleanup_(json_object_putp) struct json_object *list = NULL;
	bool detailed = false;
	int r;

	r = ctl_parse_opts(c, argc, argv, detailed_opts, ARRAY_SIZE(detailed_opts), ctl_flag_opt,
			   &detailed);
	if (r != 0)
		return r < 0 ? r : 0;
	r = ctl_call_dicts(c, c->svc->iface, "list_controllers", &list, "b", (int)detailed);
	if (r < 0)
		return r;
	return ctl_output(c, list);
}

static int cmd_trace(struct ctl *c, int argc, char **argv, bool on)
{
	bool now;
	int r;

	r = ctl_parse_opts(c, argc, argv, NULL, 0, NULL, NULL);
	if (r != 0)
		return r < 0 ? r : 0;
	r = ctl_set_tron(c, on);
	if (r < 0)
		return r;
	r = ctl_get_tron(c, &now);
	if (r < 0)
		return r;
	if (printf("tron = %s\n", now ? "True" : "False") < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "%s: cannot write the output: %m\n", c->svc->prog);
		c->reported = true;
		return -EIO;
	}
	return 0;
}

int ctl_cmd_tron(struct ctl *c, int argc, char **argv)
{
	return cmd_trace(c, argc, argv, true);
}

int ctl_cmd_troff(struct ctl *c, int argc, char **argv)
{
	return cmd_trace(c, argc, argv, false);
}

/* dict.update(): @from's members replace or join @to's. */
static int merge_into(struct json_object *to, struct json_object *from)
{
	json_object_object_foreach(from, k, v)
	{
		if (json_object_object_add(to, k, json_object_get(v)) < 0) {
			json_object_put(v);
			return -ENOMEM;
		}
	}
	return 0;
}

static int status_controller(struct ctl *c, struct json_object *ctrl, ctl_status_fn each)
{
	_cleanup_(json_object_putp) struct json_object *info = NULL;
	const char *t[7];
	int r;

	if (!json_object_is_type(ctrl, json_type_object))
		return 0;
	ctl_tid_args(ctrl, t);
	if (each) {
		r = each(c, ctrl, t);
		if (r < 0)
			return r;
		ctl_tid_args(ctrl, t); /* @each may have replaced members */
	}
	r = ctl_call_json(c, c->svc->debug_iface, "controller_info", json_type_object, &info,
			  "sssssss", t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
	if (r < 0)
		return r;
	return merge_into(ctrl, info);
}

int ctl_status(struct ctl *c, int argc, char **argv, ctl_status_fn each)
{
	_cleanup_(json_object_putp) struct json_object *info = NULL, *ctrls = NULL;
	int r;

	r = ctl_parse_opts(c, argc, argv, NULL, 0, NULL, NULL);
	if (r != 0)
		return r < 0 ? r : 0;
	r = ctl_call_json(c, c->svc->debug_iface, "process_info", json_type_object, &info, NULL);
	if (r < 0)
		return r;
	r = ctl_call_dicts(c, c->svc->iface, "list_controllers", &ctrls, "b", 1);
	if (r < 0)
		return r;
	for (size_t i = 0; i < json_object_array_length(ctrls); i++) {
		r = status_controller(c, json_object_array_get_idx(ctrls, i), each);
		if (r < 0)
			return r;
	}
	if (json_object_object_add(info, "controllers", TAKE_PTR(ctrls)) < 0)
		return -ENOMEM;
	return ctl_output(c, info);
}

/* ------------------------------------------------------------------ */
/* main                                                                */

static void usage_line(const struct ctl_service *svc, FILE *f)
{
	fprintf(f, "usage: %s [-h] [-v] {", svc->prog);
	for (size_t i = 0; i < svc->n_cmds; i++)
		fprintf(f, "%s%s", i ? "," : "", svc->cmds[i].name);
	fprintf(f, "} ...\n");
}

static void main_help(const struct ctl_service *svc)
{
	usage_line(svc, stdout);
	printf("\nAsk %s, over D-Bus (%s on the system bus), what it knows.\n\n"
	       "options:\n"
	       "  -h, --help     show this help and exit\n"
	       "  -v, --version  print the version and exit\n\n"
	       "commands:\n",
	       svc->daemon, svc->bus_name);
	for (size_t i = 0; i < svc->n_cmds; i++)
		printf("  %-8s %s\n", svc->cmds[i].name, svc->cmds[i].summary);
	printf("\n'%s COMMAND -h' describes the options of a command.\n", svc->prog);
}

static const struct ctl_cmd *find_cmd(const struct ctl_service *svc, const char *name)
{
	for (size_t i = 0; i < svc->n_cmds; i++)
		if (!strcmp(svc->cmds[i].name, name))
			return &svc->cmds[i];
	return NULL;
}

/* -1: go on to the command; otherwise the exit status. */
static int main_opts(struct ctl *c, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ 0 },
	};
	char buf[3];
	int v;

	opterr = 0;
	while ((v = getopt_long(argc, argv, "+:hv", lo, NULL)) != -1) {
		if (v == 'h') {
			main_help(c->svc);
			return CTL_EXIT_OK;
		} else if (v == 'v') {
			printf("stas %s\n", STAS_VERSION);
			return CTL_EXIT_OK;
		}
		ctl_usage_error(c, "unknown option '%s'", bad_option(argv, buf));
		return CTL_EXIT_USAGE;
	}
	if (optind >= argc) {
		usage_line(c->svc, stdout); /* argparse's print_usage(), then exit 1 */
		return CTL_EXIT_FAILURE;
	}
	c->cmd = find_cmd(c->svc, argv[optind]);
	if (!c->cmd) {
		ctl_usage_error(c, "unknown command '%s'", argv[optind]);
		return CTL_EXIT_USAGE;
	}
	return -1;
}

static int report(struct ctl *c, int r)
{
	if (r >= 0)
		return CTL_EXIT_OK;
	if (c->usage)
		return CTL_EXIT_USAGE;
	if (sd_bus_error_is_set(&c->error)) {
		fprintf(stderr, "Unable to communicate with %s over D-Bus. Is %s running?\n",
			c->svc->daemon, c->svc->daemon);
		fprintf(stderr, "%s: %s\n", c->error.name, c->error.message ?: "(no message)");
	} else if (!c->reported) {
		fprintf(stderr, "%s: %s\n", c->svc->prog, strerror(-r));
	}
	return CTL_EXIT_FAILURE;
}

int ctl_main(const struct ctl_service *svc, int argc, char **argv)
{
	struct ctl c = { .svc = svc, .error = SD_BUS_ERROR_NULL };
	int r;

	r = main_opts(&c, argc, argv);
	if (r < 0) {
		r = c.cmd->run(&c, argc - optind, argv + optind);
		r = report(&c, r);
	}
	sd_bus_error_free(&c.error);
	sd_bus_close_unref(c.bus); /* every call was answered: nothing to flush */
	return r;
}
