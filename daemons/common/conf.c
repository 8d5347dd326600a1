// SPDX-License-Identifier: Apache-2.0
/*
 * One parse run: inih drives, conf_reader() (conf-reader.c) feeds it vetted
 * lines, and the single inih handler below collects each key's value
 * (long-line pieces included; a user's indented line is a value of its own)
 * and, once the value is complete, calls the parser of the key's row in the
 * schema's table. Everything wrong becomes a diagnostic; nothing stops the parse.
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/conf-private.h"

void conf_diag(struct conf_parse *p, int level, unsigned line, const char *fmt, ...)
{
	struct conf_diags *d = p->diags;
	struct conf_diag *v;
	va_list ap;
	size_t pos;
	char *msg;
	int r;

	if (level == LOG_ERR)
		d->n_errors++;
	else if (level == LOG_WARNING)
		d->n_warnings++;
	if (d->n > CONF_DIAG_MAX)
		return;
	if (d->n == CONF_DIAG_MAX) {
		line = 0;
		fmt = "too many problems; the rest are not listed";
	}
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		p->error = -ENOMEM;
		return;
	}
	v = reallocarray(d->v, d->n + 1, sizeof(*v));
	if (!v) {
		free(msg);
		p->error = -ENOMEM;
		return;
	}
	d->v = v;
	/*
	 * Keep file order: a value is judged when it is complete, which can be
	 * after the reader reported something about a later line.
	 */
	pos = d->n;
	while (pos > 0 && d->v[pos - 1].line > line)
		pos--;
	memmove(&d->v[pos + 1], &d->v[pos], (d->n - pos) * sizeof(*v));
	d->v[pos] = (struct conf_diag){ .level = level, .line = line, .msg = msg };
	d->n++;
}

int conf_why(struct conf_parse *p, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	return r;
}

void conf_diags_clear(struct conf_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	free(d->path);
	*d = (struct conf_diags){ 0 };
}

void conf_diags_log(const struct conf_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct conf_diag *g = &d->v[i];

		if (g->line)
			log_full_errno(g->level, 0, "%s:%u: %s", d->path, g->line, g->msg);
		else
			log_full_errno(g->level, 0, "%s: %s", d->path, g->msg);
	}
}

const struct conf_diag *conf_diags_find(const struct conf_diags *d, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->v[i].msg, needle))
			return &d->v[i];
	return NULL;
}

static const struct conf_row *row_lookup(const struct conf_schema *s, const char *section,
					 const char *key)
{
	for (size_t i = 0; i < s->n_rows; i++)
		if (!strcmp(s->rows[i].section, section) && !strcasecmp(s->rows[i].key, key))
			return &s->rows[i];
	return NULL;
}

/* The section a key belongs to, when it was put in the wrong one. */
static const char *row_home(const struct conf_schema *s, const char *key)
{
	for (size_t i = 0; i < s->n_rows; i++)
		if (!strcasecmp(s->rows[i].key, key) && !(s->rows[i].flags & CONF_ROW_OTHER))
			return s->rows[i].section;
	return NULL;
}

static void apply_row(struct conf_parse *p, const struct conf_row *row, const char *section)
{
	void *field = (char *)p->target + row->offset;
	int r;

	p->why[0] = '\0';
	r = row->parse(p, row, p->value, field);
	if (r == -ENOMEM)
		p->error = r;
	if (r >= 0 || r == -ENOMEM || (row->flags & CONF_ROW_MULTI))
		return;
	memcpy(field, (const char *)p->schema->defaults + row->offset, row->size);
	if (row->flags & CONF_ROW_SECRET)
		conf_diag(p, LOG_ERR, p->pending_line, "[%s] %s: %s; using the default%s%s%s",
			  section, row->key, p->why, row->dflt ? " (" : "", row->dflt ?: "",
			  row->dflt ? ")" : "");
	else
		conf_diag(p, LOG_ERR, p->pending_line,
			  "[%s] %s = '%.80s': %s; using the default%s%s%s", section, row->key,
			  p->value, p->why, row->dflt ? " (" : "", row->dflt ?: "",
			  row->dflt ? ")" : "");
}

/* The pending key's value is complete: parse it with its row. */
static void flush(struct conf_parse *p)
{
	const struct conf_row *row = p->pending_row;
	const char *section, *home;

	if (!p->pending)
		return;
	p->pending = false;
	if (p->pending_broken || !p->pending_section || p->pending_section->note)
		return; /* reported where the line or the section header was */
	section = p->pending_section->name;
	if (!row) {
		home = row_home(p->schema, p->pending_key);
		if (home)
			conf_diag(p, LOG_WARNING, p->pending_line,
				  "[%s] %s: this key belongs in [%s]; ignored", section,
				  p->pending_key, home);
		else
			conf_diag(p, LOG_WARNING, p->pending_line, "[%s] unknown key '%s'; ignored",
				  section, p->pending_key);
		return;
	}
	if (row->flags & (CONF_ROW_OTHER | CONF_ROW_LEGACY))
		conf_diag(p, LOG_WARNING, p->pending_line, "[%s] %s: %s", section, row->key,
			  row->note);
	if (row->parse && !(row->flags & CONF_ROW_OTHER))
		apply_row(p, row, section);
}

static int append(struct conf_parse *p, const char *sep, const char *text)
{
	size_t ls = strlen(sep), lt = strlen(text), need = p->value_len + ls + lt + 1;
	char *n;

	if (p->pending_broken)
		return 0;
	if (need > CONF_VALUE_MAX) {
		conf_diag(p, LOG_ERR, p->pending_line,
			  "the value of '%s' is longer than %d bytes; "
			  "entry ignored",
			  p->pending_key, CONF_VALUE_MAX);
		p->pending_broken = true;
		return 0;
	}
	if (need > p->value_cap) {
		n = realloc(p->value, need);
		if (!n)
			return -ENOMEM;
		p->value = n;
		p->value_cap = need;
	}
	memcpy(p->value + p->value_len, sep, ls);
	memcpy(p->value + p->value_len + ls, text, lt + 1);
	p->value_len += ls + lt;
	return 0;
}

static int begin(struct conf_parse *p, const char *key, const char *value)
{
	p->pending = true;
	p->pending_broken = false;
	p->pending_line = p->lineno;
	p->pending_section = p->section;
	p->pending_row = p->section && !p->section->note
				 ? row_lookup(p->schema, p->section->name, key)
				 : NULL;
	snprintf(p->pending_key, sizeof(p->pending_key), "%s", key);
	p->value_len = 0;
	if (!p->seen_section)
		conf_diag(p, LOG_WARNING, p->lineno, "'%s' comes before any [section]; ignored",
			  key);
	return append(p, "", value);
}

/*
 * A user's indented line. configparser joins it to the value above with "\n"
 * and nvme-stas splits the value on "\n" again, so the line is a value of its
 * own: one more entry of a multi-valued key, another occurrence (the last
 * wins) of a single-valued one. "controller =" alone just opens the list.
 */
static int take_continuation(struct conf_parse *p, const char *text)
{
	const struct conf_row *row = p->pending_row;
	char key[CONF_KEY_MAX];

	if (!p->pending || !row || !row->parse || (row->flags & CONF_ROW_OTHER))
		return 0; /* the value is not used; flush() reports the key line */
	if (row->flags & CONF_ROW_MULTI) {
		if (!p->value_len)
			p->pending = false;
		flush(p);
		snprintf(key, sizeof(key), "%s", p->pending_key);
		return begin(p, key, text);
	}
	if (p->value_len)
		conf_diag(p, LOG_WARNING, p->lineno,
			  "[%s] %s: an indented line is another '%s =' (as in nvme-stas); "
			  "the value of line %u is not used",
			  p->pending_section->name, row->key, row->key, p->pending_line);
	p->pending_broken = false;
	p->pending_line = p->lineno;
	p->value_len = 0;
	return append(p, "", text);
}

/*
 * The one place that speaks inih's handler convention (non-zero = go on).
 * Problems are diagnostics, so the answer is always "go on" unless memory ran
 * out. The section inih passes is the reader's placeholder; p->section is the
 * real one.
 */
static int conf_ini_handler(void *user, const char *section, const char *name, const char *value)
{
	struct conf_parse *p = user;
	int r = 0;

	(void)section;
	if (p->error)
		return 0;
	switch (p->piece) {
	case CONF_PIECE_KEY:
		flush(p);
		r = begin(p, name, value);
		break;
	case CONF_PIECE_CONT:
		r = take_continuation(p, value);
		break;
	case CONF_PIECE_CHUNK:
		r = append(p, "", value);
		break;
	}
	if (r < 0)
		p->error = r;
	return !p->error;
}

int conf_run(const struct conf_schema *schema, void *target, struct conf_diags *diags, FILE *file,
	     const char *text)
{
	struct conf_parse p = {
		.schema = schema,
		.target = target,
		.diags = diags,
		.file = file,
		.text = text,
	};
	int r;

	r = ini_parse_stream(conf_reader, &p, conf_ini_handler, &p);
	if (!p.error)
		flush(&p);
	conf_reader_done(&p);
	if (p.value)
		explicit_bzero(p.value, p.value_cap);
	free(p.value);
	if (p.error)
		return p.error;
	if (r == -2)
		return -ENOMEM;
	if (r > 0) /* cannot happen with vetted lines; say so rather than hide it */
		conf_diag(&p, LOG_ERR, 0, "the INI parser refused its line %d (after vetting)", r);
	return 0;
}

static int conf_new_defaults(enum stas_daemon daemon, const char *name, struct stas_conf **ret)
{
	const struct conf_schema *s =
		daemon == STAS_STAFD ? &conf_schema_stafd : &conf_schema_stacd;
	struct stas_conf *c = malloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	memcpy(c, s->defaults, sizeof(*c));
	c->diags.path = strdup(name);
	if (!c->diags.path) {
		free(c);
		return -ENOMEM;
	}
	*ret = c;
	return 0;
}

static int conf_load(enum stas_daemon daemon, FILE *file, const char *text, const char *name,
		     struct stas_conf **ret)
{
	const struct conf_schema *s =
		daemon == STAS_STAFD ? &conf_schema_stafd : &conf_schema_stacd;
	_cleanup_(conf_freep) struct stas_conf *c = NULL;
	int r;

	r = conf_new_defaults(daemon, name, &c);
	if (r < 0)
		return r;
	r = conf_run(s, c, &c->diags, file, text);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(c);
	return 0;
}

int conf_load_string(enum stas_daemon daemon, const char *text, const char *name,
		     struct stas_conf **ret)
{
	return conf_load(daemon, NULL, text, name ?: "<string>", ret);
}

int conf_load_file(enum stas_daemon daemon, const char *path, struct stas_conf **ret)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct conf_parse p = { 0 };
	struct stas_conf *c;
	int r;

	if (!f && errno != ENOENT)
		return -errno;
	if (f)
		return conf_load(daemon, f, NULL, path, ret);
	r = conf_new_defaults(daemon, path, &c);
	if (r < 0)
		return r;
	p.diags = &c->diags;
	conf_diag(&p, LOG_NOTICE, 0, "no such file; using the defaults");
	if (p.error) {
		conf_free(c);
		return p.error;
	}
	*ret = c;
	return 0;
}

struct stas_conf *conf_free(struct stas_conf *c)
{
	if (!c)
		return NULL;
	conf_ctrl_list_clear(&c->controllers);
	conf_ctrl_list_clear(&c->excludes);
	conf_diags_clear(&c->diags);
	free(c);
	return NULL;
}

void conf_ctrl_tid(const struct stas_conf *c, const struct conf_ctrl *e, const char *host_nqn,
		   struct tid *ret)
{
	struct tid_defaults d = {
		.discovery = c->daemon == STAS_STAFD,
		.ignore_iface = c->ignore_iface,
		.host_nqn = host_nqn,
	};

	*ret = e->tid;
	tid_apply_defaults(ret, &d);
}

bool conf_excluded(const struct stas_conf *c, const struct tid *t)
{
	for (size_t i = 0; i < c->excludes.n; i++)
		if (tid_matches(&c->excludes.v[i].tid, c->excludes.v[i].fields, t))
			return true;
	return false;
}

static bool ctrl_settings_equal(const struct conf_ctrl *a, const struct conf_ctrl *b)
{
	return !memcmp(&a->tun, &b->tun, sizeof(a->tun)) &&
	       !strcmp(a->dhchap_secret, b->dhchap_secret) &&
	       !strcmp(a->dhchap_ctrl_secret, b->dhchap_ctrl_secret);
}

static const struct conf_ctrl *find_same(const struct stas_conf *c, const struct tid *t)
{
	struct tid u;

	for (size_t i = 0; c && i < c->controllers.n; i++) {
		conf_ctrl_tid(c, &c->controllers.v[i], NULL, &u);
		if (tid_equal(t, &u))
			return &c->controllers.v[i];
	}
	return NULL;
}

int conf_ctrls_diff(const struct stas_conf *old_conf, const struct stas_conf *new_conf,
		    conf_diff_fn fn, void *userdata)
{
	const struct conf_ctrl *o, *n;
	int changes = 0;
	struct tid t;

	for (size_t i = 0; i < new_conf->controllers.n; i++) {
		enum conf_change what;

		n = &new_conf->controllers.v[i];
		conf_ctrl_tid(new_conf, n, NULL, &t);
		o = find_same(old_conf, &t);
		what = !o			   ? CONF_CTRL_ADDED
		       : ctrl_settings_equal(o, n) ? CONF_CTRL_UNCHANGED
						   : CONF_CTRL_CHANGED;
		changes += what != CONF_CTRL_UNCHANGED;
		fn(what, o, n, userdata);
	}
	for (size_t i = 0; old_conf && i < old_conf->controllers.n; i++) {
		o = &old_conf->controllers.v[i];
		conf_ctrl_tid(old_conf, o, NULL, &t);
		if (!find_same(new_conf, &t)) {
			changes++;
			fn(CONF_CTRL_REMOVED, o, NULL, userdata);
		}
	}
	return changes;
}
