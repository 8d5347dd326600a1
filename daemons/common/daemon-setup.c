// SPDX-License-Identifier: Apache-2.0
/*
 * Configuration policy shared by stafd and stacd (see daemon-setup.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/daemon-setup.h"
#include "common/log.h"
#include "common/notify.h"
#include "stas/host-id.h"

int daemon_sys_conf_load(struct sys_conf **ret)
{
	const char *path = getenv("STAS_SYS_CONF") ?: SYS_CONF_FILE;
	struct sys_conf *sys = NULL;
	struct stas_host h;
	char id[STAS_UUID_STR_LEN];
	int r;

	r = sys_conf_load_file(path, NULL, &sys);
	if (r < 0)
		return log_error_errno(r, "cannot read %s: %m", path);
	conf_diags_log(&sys->diags);
	if (sys->key[0])
		log_notice("%s: a host key is set, but the userspace NVMe/TCP host does not "
			   "authenticate in-band (DH-HMAC-CHAP); it is not used",
			   path);
	*ret = sys;
	if (sys_conf_check(sys) == 0)
		return 0;
	r = stas_host_generate(&h);
	if (r < 0) {
		*ret = sys_conf_free(sys);
		return log_error_errno(r, "no host identity and cannot make one: %m");
	}
	if (!sys->nqn[0])
		snprintf(sys->nqn, sizeof(sys->nqn), "%s", h.nqn);
	if (!sys->id[0]) {
		memcpy(sys->id_bytes, h.id, sizeof(h.id));
		stas_uuid_format(h.id, id);
		snprintf(sys->id, sizeof(sys->id), "%s", id);
	}
	log_warning(
		"no host NQN/ID in %s or /etc/nvme: using %s (host ID %s) for this run; "
		"'stasadm hostnqn -f /etc/nvme/hostnqn' and 'stasadm hostid -f /etc/nvme/hostid' "
		"make it stable",
		path, sys->nqn, sys->id);
	return 0;
}

bool daemon_start(const struct daemon_info *info, enum stas_daemon daemon, int argc, char **argv,
		  struct daemon_args *a, struct stas_conf **conf, struct sys_conf **sys,
		  struct event_base **base, int *exit_code)
{
	int r;

	r = daemon_args_parse(info, argc, argv, stdout, stderr, a);
	if (r != 0) {
		*exit_code = r > 0 ? EXIT_SUCCESS : 2;
		return false;
	}
	*exit_code = EXIT_FAILURE;
	log_open(info->prog, a->syslog ? LOG_TARGET_JOURNAL : LOG_TARGET_AUTO);
	r = conf_load_file(daemon, a->conf_file, conf);
	if (r < 0) {
		log_error_errno(r, "cannot read %s: %m", a->conf_file);
		return false;
	}
	conf_diags_log(&(*conf)->diags);
	log_set_level(daemon_args_log_level(a, (*conf)->tron));
	if (daemon_sys_conf_load(sys) < 0) {
		*conf = conf_free(*conf);
		return false;
	}
	*base = event_base_new();
	if (!*base) {
		log_error("cannot create the event loop");
		*conf = conf_free(*conf);
		*sys = sys_conf_free(*sys);
		return false;
	}
	*exit_code = EXIT_SUCCESS;
	return true;
}

int daemon_finish(int r, struct bus_object *obj, struct bus_event *bus, struct event_base *base,
		  struct stas_conf *conf, struct sys_conf *sys, char *state_dir)
{
	bus_object_unpublish(obj);
	bus_close_system(bus);
	event_base_free(base);
	conf_free(conf);
	sys_conf_free(sys);
	free(state_dir);
	log_info("stopped");
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int daemon_conf_reload(enum stas_daemon daemon, const char *path, struct stas_conf **ret)
{
	struct stas_conf *next = NULL;
	int r;

	notify_reloading();
	r = conf_load_file(daemon, path, &next);
	if (r < 0) {
		notify_ready();
		return log_error_errno(r,
				       "reload: cannot read %s: %m; keeping the running "
				       "configuration",
				       path);
	}
	conf_diags_log(&next->diags);
	if (next->diags.n_errors) {
		log_error("reload: %s has %u error(s) (above); keeping the running configuration",
			  path, next->diags.n_errors);
		conf_free(next);
		notify_ready();
		return -EINVAL;
	}
	*ret = next;
	return 0;
}

void daemon_conf_commit(struct stas_conf **conf, struct stas_conf *next, struct conf_view *view,
			struct resolver *res, struct bus_object *obj)
{
	bool tron_changed = (*conf)->tron != next->tron;

	conf_view_clear(view);
	conf_free(*conf);
	*conf = next;
	/*
	 * Only an edited tron= changes the level: --tron, --log-level and a
	 * "stafctl tron" are the user's until the file says otherwise.
	 */
	if (tron_changed) {
		log_set_level(next->tron ? LOG_DEBUG : LOG_INFO);
		bus_object_tron_changed(obj);
	}
	resolver_refresh(res);
}

void daemon_reload_done(const char *path)
{
	notify_ready();
	log_info("reloaded %s", path);
}

bool daemon_tid_acceptable(const struct stas_conf *c, const struct tid *t, const char *what)
{
	char buf[TID_STR_MAX];

	if (conf_excluded(c, t)) {
		log_debug("%s %s: excluded", what, tid_to_string(t, buf, sizeof(buf)));
		return false;
	}
	if (strcmp(t->transport, "tcp")) {
		log_warning("%s %s: transport %s is not supported (the userspace host speaks tcp)",
			    what, tid_to_string(t, buf, sizeof(buf)), t->transport);
		return false;
	}
	switch (tid_family_check(t, c->ip_family)) {
	case TID_FAMILY_OK:
		return true;
	case TID_FAMILY_DISABLED:
		log_info("%s %s: excluded by the ip-family setting", what,
			 tid_to_string(t, buf, sizeof(buf)));
		return false;
	case TID_FAMILY_HOSTNAME:
		/* configured names were resolved already: this came off the wire */
		log_warning("%s %s: traddr is not an IP address", what,
			    tid_to_string(t, buf, sizeof(buf)));
		return false;
	}
	return false;
}

int daemon_ctrl_tid(struct resolver *res, const struct stas_conf *c, const struct conf_ctrl *e,
		    const char *host_nqn, struct tid *ret)
{
	char addr[sizeof(ret->traddr)];
	int r;

	conf_ctrl_tid(c, e, host_nqn, ret);
	if (tid_family_check(ret, TID_IPV4 | TID_IPV6) != TID_FAMILY_HOSTNAME)
		return 0;
	r = resolver_get(res, ret->traddr, c->ip_family, addr, sizeof(addr));
	if (r < 0)
		return r;
	tid_set(ret, TID_TRADDR, addr);
	return 0;
}

bool daemon_ctrl_wanted(struct resolver *res, const struct stas_conf *c, const struct conf_ctrl *e,
			const char *host_nqn, struct tid *ret, bool *unresolved)
{
	char buf[TID_STR_MAX];
	struct tid named;
	int r;

	/* as nvme-stas: an exclusion by host name applies before the name is resolved */
	conf_ctrl_tid(c, e, host_nqn, &named);
	if (tid_family_check(&named, TID_IPV4 | TID_IPV6) == TID_FAMILY_HOSTNAME &&
	    conf_excluded(c, &named)) {
		log_debug("configured controller %s: excluded",
			  tid_to_string(&named, buf, sizeof(buf)));
		return false;
	}
	r = daemon_ctrl_tid(res, c, e, host_nqn, ret);
	switch (r) {
	case 0:
		return daemon_tid_acceptable(c, ret, "configured controller");
	case -EAGAIN:
		*unresolved = true;
		return false;
	case -EADDRNOTAVAIL:
		log_info("configured controller %s: its host name has no address of an enabled "
			 "ip-family",
			 tid_to_string(ret, buf, sizeof(buf)));
		return false;
	case -EHOSTUNREACH:
		return false; /* the resolver said why, once */
	default:
		log_warning_errno(r, "configured controller %s: cannot resolve its host name: %m",
				  tid_to_string(ret, buf, sizeof(buf)));
		return false;
	}
}

void daemon_warn_unused_secrets(const struct conf_ctrl *e, const char *desc)
{
	if (e && (e->dhchap_secret[0] || e->dhchap_ctrl_secret[0]))
		log_warning("%s: dhchap-secret is set, but the userspace NVMe/TCP host does not "
			    "authenticate in-band (DH-HMAC-CHAP); connecting without it",
			    desc);
}
