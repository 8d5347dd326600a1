// SPDX-License-Identifier: Apache-2.0
#include "common/conf-view.h"

#include <errno.h>
#include <stdlib.h>

#include "common/daemon-setup.h"

static const struct tid *view_key(const void *ctx, size_t pos)
{
	return &((const struct conf_view *)ctx)->tids[pos];
}

void conf_view_clear(struct conf_view *v)
{
	free(v->tids);
	tid_index_clear(&v->idx);
	*v = (struct conf_view){ 0 };
}

int conf_view_build(struct conf_view *v, struct resolver *res, const struct stas_conf *c,
		    const char *host_nqn)
{
	size_t n = c->controllers.n;

	conf_view_clear(v);
	tid_index_init(&v->idx, view_key, v);
	v->tids = calloc(n ? n : 1, sizeof(*v->tids));
	if (!v->tids)
		return -ENOMEM;
	/* From the end: when entries share an identity, the index finds the last one. */
	for (size_t i = n; i-- > 0;) {
		if (daemon_ctrl_tid(res, c, &c->controllers.v[i], host_nqn, &v->tids[i]) < 0)
			continue;
		if (tid_index_find(&v->idx, &v->tids[i]) >= 0)
			continue;
		if (tid_index_add(&v->idx, &v->tids[i], i) < 0) {
			conf_view_clear(v);
			return -ENOMEM;
		}
	}
	v->conf = c;
	v->resolver_gen = resolver_generation(res);
	v->valid = true;
	return 0;
}

bool conf_view_current(const struct conf_view *v, const struct resolver *res)
{
	return v->valid && v->resolver_gen == resolver_generation(res);
}

const struct conf_view *conf_view_get(struct conf_view *v, struct resolver *res,
				      const struct stas_conf *c, const char *host_nqn)
{
	if (!conf_view_current(v, res) || v->conf != c)
		conf_view_build(v, res, c, host_nqn);
	return v;
}

const struct conf_ctrl *conf_view_entry(const struct conf_view *v, const struct stas_conf *c,
					const struct tid *t)
{
	long pos = v->valid && v->conf == c ? tid_index_find(&v->idx, t) : -1;

	return pos < 0 ? NULL : &c->controllers.v[pos];
}

void conf_view_tunables(const struct conf_view *v, const struct stas_conf *c, const struct tid *t,
			struct conf_tunables *ret)
{
	const struct conf_ctrl *e = conf_view_entry(v, c, t);

	*ret = c->global;
	if (e)
		conf_tunables_merge(&c->global, &e->tun, ret);
}
