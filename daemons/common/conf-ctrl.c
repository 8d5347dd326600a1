// SPDX-License-Identifier: Apache-2.0
/*
 * controller= and exclude= values: "key=value;key=value;...". Items are split
 * on ';' (whitespace around items ignored) and each item on its FIRST '=', so
 * a base64 DH-HMAC-CHAP secret ending in "=" or "==" keeps them. nvme-stas
 * drops items it cannot split silently; here every item that is not used says
 * so with its line. Secret values never appear in a message.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/conf-private.h"
#include "common/conf-value.h"
#include "stas/host-id.h"

struct entry {
	struct conf_parse *p;
	struct conf_ctrl c;
	bool exclude;
	bool drop; /* the entry must not be used */
	const char *what;
};

typedef void (*take_fn)(struct entry *e, const char *key, int index, const char *val);

static void take_tid(struct entry *e, const char *key, int index, const char *val);
static void take_secret(struct entry *e, const char *key, int index, const char *val);
static void take_tunable(struct entry *e, const char *key, int index, const char *val);

/* "subsysnqn" is nvme-stas's internal name for nqn; it is accepted there too. */
static const struct {
	const char *name;
	take_fn take;
	int index;
} item_keys[] = {
	{ "transport", take_tid, TID_TRANSPORT },   { "traddr", take_tid, TID_TRADDR },
	{ "trsvcid", take_tid, TID_TRSVCID },	    { "nqn", take_tid, TID_SUBSYSNQN },
	{ "subsysnqn", take_tid, TID_SUBSYSNQN },   { "host-traddr", take_tid, TID_HOST_TRADDR },
	{ "host-iface", take_tid, TID_HOST_IFACE }, { "host-nqn", take_tid, TID_HOST_NQN },
	{ "dhchap-secret", take_secret, 0 },	    { "dhchap-ctrl-secret", take_secret, 1 },
};

#define diag(e, level, fmt, ...)                                                                   \
	conf_diag((e)->p, level, (e)->p->pending_line, "[Controllers] %s: " fmt, (e)->what,        \
		  ##__VA_ARGS__)

static void take_tid(struct entry *e, const char *key, int index, const char *val)
{
	enum tid_field f = (enum tid_field)index;

	if (e->exclude && f == TID_HOST_TRADDR) {
		diag(e, LOG_WARNING,
		     "host-traddr is not matched by exclude= (as in nvme-stas); ignored");
		return;
	}
	if (e->c.fields & TID_BIT(f))
		diag(e, LOG_WARNING, "%s given twice; the last one is used", key);
	if (tid_set(&e->c.tid, f, val) < 0) {
		diag(e, LOG_ERR,
		     "the %s value is %zu bytes long, at most %zu accepted; "
		     "entry ignored",
		     key, strlen(val), tid_field_size(f) - 1);
		e->drop = true;
		return;
	}
	e->c.fields |= TID_BIT(f);
}

static void take_secret(struct entry *e, const char *key, int index, const char *val)
{
	char *dst = index ? e->c.dhchap_ctrl_secret : e->c.dhchap_secret;

	if (e->exclude) {
		diag(e, LOG_ERR, "%s is not part of a controller's identity; entry ignored", key);
		e->drop = true;
		return;
	}
	if (strncmp(val, "DHHC-1:", 7)) {
		diag(e, LOG_ERR, "%s does not start with 'DHHC-1:'; the secret is ignored", key);
		return;
	}
	if (strlen(val) >= CONF_SECRET_MAX) {
		diag(e, LOG_ERR, "%s is longer than %d bytes; the secret is ignored", key,
		     CONF_SECRET_MAX - 1);
		return;
	}
	strcpy(dst, val);
}

static void take_tunable(struct entry *e, const char *key, int index, const char *val)
{
	const struct conf_tunable_desc *d = &conf_tunable_descs[index];
	char why[CONF_WHY_MAX];

	if (e->exclude) {
		diag(e, LOG_ERR, "%s is not part of a controller's identity; entry ignored", key);
		e->drop = true;
		return;
	}
	if (e->p->schema->daemon == STAS_STAFD && !d->stafd_uses) {
		diag(e, LOG_WARNING, "%s is not used by stafd; ignored", key);
		return;
	}
	if (conf_parse_tunable((enum conf_tunable)index, val, &e->c.tun.v[index], why,
			       sizeof(why)) < 0)
		diag(e, LOG_ERR, "%s=%.40s: %s; ignored (the [Global] value applies)", key, val,
		     why);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static void take_item(struct entry *e, char *item)
{
	char *eq = strchr(item, '='), *key, *val;

	if (!eq) {
		/* An exclude= item without '=' could only have made nvme-stas match more. */
		diag(e, LOG_ERR, "'%.40s' is not key=value; %s", item,
		     e->exclude ? "entry ignored" : "ignored");
		e->drop |= e->exclude;
		return;
	}
	*eq = '\0';
	key = trim(item);
	val = trim(eq + 1);
	for (size_t i = 0; i < ARRAY_SIZE(item_keys); i++)
		if (!strcasecmp(key, item_keys[i].name)) {
			if (!*val)
				diag(e, LOG_WARNING, "%s has an empty value; ignored", key);
			else
				item_keys[i].take(e, item_keys[i].name, item_keys[i].index, val);
			return;
		}
	for (int t = 0; t < CONF_N_TUNABLES; t++)
		if (!strcasecmp(key, conf_tunable_descs[t].name)) {
			if (!*val)
				diag(e, LOG_WARNING, "%s has an empty value; ignored", key);
			else
				take_tunable(e, conf_tunable_descs[t].name, t, val);
			return;
		}
	if (e->exclude) {
		diag(e, LOG_ERR, "unknown key '%.40s'; entry ignored", key);
		e->drop = true;
	} else {
		diag(e, LOG_WARNING, "unknown key '%.40s'; ignored", key);
	}
}

static const enum tid_field nqn_fields[] = { TID_SUBSYSNQN, TID_HOST_NQN };

static bool valid_port(const char *s)
{
	int v;

	return conf_parse_int(s, 1, 65535, &v) == 0 && isdigit((unsigned char)*s);
}

/*
 * The NQNs go into the Connect command as they are, so they need what the wire
 * needs. The "nqn." prefix is only a convention: nvme-stas and the kernel pass
 * any text, nvmet subsystems are often called "testnqn", and stafd connects
 * such a subsystem when a discovery log page names it.
 */
static bool check_nqns(struct entry *e)
{
	struct stas_error err;

	for (size_t i = 0; i < ARRAY_SIZE(nqn_fields); i++) {
		enum tid_field f = nqn_fields[i];
		const char *nqn = tid_get(&e->c.tid, f);

		if (!*nqn)
			continue;
		if (stas_nqn_wire_check(nqn, tid_field_name(f), &err) < 0) {
			diag(e, LOG_ERR, "%s; entry ignored", err.msg);
			return false;
		}
		if (strncmp(nqn, "nqn.", 4))
			diag(e, LOG_WARNING, "%s '%s' does not start with 'nqn.'; used as written",
			     tid_field_name(f), nqn);
	}
	return true;
}

/* What a usable controller= entry needs; false (reported) when it is not usable. */
static bool check_controller(struct entry *e)
{
	struct tid *t = &e->c.tid;

	if (!(e->c.fields & TID_BIT(TID_TRANSPORT))) {
		diag(e, LOG_ERR, "no transport=; entry ignored");
		return false;
	}
	if (!conf_transport_valid(t->transport)) {
		diag(e, LOG_ERR, "transport '%s' is not tcp, rdma, fc or loop; entry ignored",
		     t->transport);
		return false;
	}
	if (!(e->c.fields & TID_BIT(TID_TRADDR))) {
		diag(e, LOG_ERR, "no traddr=; entry ignored");
		return false;
	}
	if (e->p->schema->daemon == STAS_STACD && !(e->c.fields & TID_BIT(TID_SUBSYSNQN))) {
		diag(e, LOG_ERR, "stacd needs nqn= in every controller= entry; entry ignored");
		return false;
	}
	if (t->trsvcid[0] && (!strcmp(t->transport, "fc") || !strcmp(t->transport, "loop"))) {
		diag(e, LOG_WARNING, "trsvcid is not used with %s; ignored", t->transport);
		t->trsvcid[0] = '\0';
		e->c.fields &= ~TID_BIT(TID_TRSVCID);
	}
	if (t->trsvcid[0] && !valid_port(t->trsvcid)) {
		diag(e, LOG_ERR, "trsvcid '%s' is not a port number (1..65535); entry ignored",
		     t->trsvcid);
		return false;
	}
	return check_nqns(e);
}

static int list_add(struct entry *e, struct conf_ctrl_list *list)
{
	struct conf_ctrl *v;

	if (list->n >= CONF_CTRL_MAX) {
		diag(e, LOG_ERR, "more than %d entries; ignored", CONF_CTRL_MAX);
		return 0;
	}
	v = reallocarray(list->v, list->n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	list->v = v;
	list->v[list->n++] = e->c;
	return 0;
}

/* nvme-stas keys its controllers by TID, so a repeated controller replaces the earlier one. */
static void drop_earlier_same(struct entry *e, struct conf_ctrl_list *list)
{
	struct tid_defaults d = { .discovery = e->p->schema->daemon == STAS_STAFD };
	struct tid mine = e->c.tid, other;

	tid_apply_defaults(&mine, &d);
	for (size_t i = 0; i < list->n; i++) {
		/* traddr has no default: a cheap first filter before copying */
		if (strcmp(list->v[i].tid.traddr, mine.traddr))
			continue;
		other = list->v[i].tid;
		tid_apply_defaults(&other, &d);
		if (!tid_equal(&mine, &other))
			continue;
		diag(e, LOG_WARNING, "same controller as line %u; this entry replaces it",
		     list->v[i].line);
		explicit_bzero(&list->v[i], sizeof(list->v[i]));
		memmove(&list->v[i], &list->v[i + 1], (list->n - i - 1) * sizeof(*list->v));
		list->n--;
		return;
	}
}

int conf_ctrl_parse(struct conf_parse *p, const char *text, bool exclude,
		    struct conf_ctrl_list *list)
{
	struct entry e = {
		.p = p,
		.c.line = p->pending_line,
		.exclude = exclude,
		.what = exclude ? "exclude" : "controller",
	};
	char *copy = strdup(text), *save = NULL;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
		item = trim(item);
		if (*item)
			take_item(&e, item);
	}
	explicit_bzero(copy, strlen(text));
	free(copy);
	if (exclude && !e.drop && !e.c.fields) {
		diag(&e, LOG_ERR, "names no field, so it would exclude every controller; ignored");
		e.drop = true;
	}
	if (!exclude && !e.drop)
		e.drop = !check_controller(&e);
	if (!exclude && !e.drop)
		drop_earlier_same(&e, list);
	if (!e.drop)
		r = list_add(&e, list);
	explicit_bzero(&e.c, sizeof(e.c));
	return r;
}

void conf_ctrl_list_clear(struct conf_ctrl_list *list)
{
	if (list->v)
		explicit_bzero(list->v, list->n * sizeof(*list->v));
	free(list->v);
	*list = (struct conf_ctrl_list){ 0 };
}
