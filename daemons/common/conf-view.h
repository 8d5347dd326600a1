/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The controller= entries of one configuration as a daemon sees them now:
 * each entry's identity with its host name resolved, indexed, so that the
 * tunables of a controller cost one lookup instead of a walk over every
 * entry (with 1,000 entries and 1,000 controllers, stafd's reload spent
 * most of its 140 ms in those walks).
 */
#ifndef STAS_DAEMON_CONF_VIEW_H
#define STAS_DAEMON_CONF_VIEW_H

#include <stdbool.h>

#include "common/conf.h"
#include "common/resolver.h"
#include "common/tid-index.h"

struct conf_view {
	const struct stas_conf *conf;
	struct tid *tids; /* per controller= entry, where it has an address */
	struct tid_index idx;
	unsigned resolver_gen; /* the resolver's answers it was built from */
	bool valid;
};

/**
 * conf_view_build() - (re)build @v for @c, identities as daemon_ctrl_tid()
 * gives them now. On failure @v is left invalid.
 *
 * Return: 0 or -ENOMEM.
 */
int conf_view_build(struct conf_view *v, struct resolver *res, const struct stas_conf *c,
		    const char *host_nqn);

/* conf_view_clear() - free and invalidate (a new configuration, say). */
void conf_view_clear(struct conf_view *v);

/*
 * conf_view_current() - whether @v still shows @res's answers (the caller
 * clears it when the configuration changes).
 */
bool conf_view_current(const struct conf_view *v, const struct resolver *res);

/*
 * conf_view_get() - @v, rebuilt first when it is not a current view of @c
 * (a daemon's view of its running configuration, kept between calls).
 */
const struct conf_view *conf_view_get(struct conf_view *v, struct resolver *res,
				      const struct stas_conf *c, const char *host_nqn);

/*
 * conf_view_entry() - the controller= entry of @c that is @t (the last one,
 * when several resolve to @t), or NULL (not configured, or @v is not a
 * valid view of @c).
 */
const struct conf_ctrl *conf_view_entry(const struct conf_view *v, const struct stas_conf *c,
					const struct tid *t);

/**
 * conf_view_tunables() - the tunables of the controller @t in @c: its
 * controller= entry's (the last one, when several resolve to @t), else
 * [Global]'s. A view that is invalid or not of @c gives [Global]'s.
 */
void conf_view_tunables(const struct conf_view *v, const struct stas_conf *c, const struct tid *t,
			struct conf_tunables *ret);

#endif
