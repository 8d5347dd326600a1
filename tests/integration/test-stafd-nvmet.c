// SPDX-License-Identifier: Apache-2.0
/*
 * stafd for real against the kernel's nvmet in the test bed: a private
 * dbus-daemon with the project's policy, stafd as a process, D-Bus calls
 * and signals as a client sees them. Every test puts the target back.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../unit/check-main.h"
#include "testbed-run.h"
#include "daemon-run.h"
#include "test-util.h"
#include "stas/cleanup.h"
#include "stas/host-id.h"
#include "stas/nvme-sync.h"

#define DISC	   "nqn.2014-08.org.nvmexpress.discovery"
#define TGT(n)	   "nqn.2014-08.org.example:tgt" #n
#define HOSTNQN	   "nqn.2014-08.org.nvmexpress:uuid:5a5a0000-0000-4000-8000-0000000a11ce"

#define STAF_NAME  "org.nvmexpress.staf"
#define STAF_PATH  "/org/nvmexpress/staf"
#define STAF_IFACE "org.nvmexpress.staf"
#define STAF_DEBUG "org.nvmexpress.staf.debug"

static struct daemon_run d;

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}

static void start(const char *conf)
{
	int r = daemon_run_start(&d, "stafd", test_env("STAS_STAFD"), test_env("STAS_STAF_POLICY"),
				 conf);

	ck_assert_msg(r == 0, "stafd did not become ready (%d); log:\n%s", r, daemon_run_log(&d));
}

static void teardown(void)
{
	daemon_run_cleanup(&d);
}

/* ---- D-Bus as a client --------------------------------------------------------------------- */

static json_object *all_log_pages(void)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	const char *json;
	json_object *o;
	int r;

	r = sd_bus_call_method(d.client, STAF_NAME, STAF_PATH, STAF_IFACE, "get_all_log_pages",
			       &err, &reply, "b", 1);
	ck_assert_msg(r >= 0, "get_all_log_pages: %s", err.message);
	sd_bus_error_free(&err);
	ck_assert_int_ge(sd_bus_message_read(reply, "s", &json), 0);
	o = json_tokener_parse(json);
	ck_assert_msg(o && json_object_is_type(o, json_type_array), "not a JSON list: %s", json);
	return o;
}

static const char *sget(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

/* The DC with this address in a get_all_log_pages answer, or NULL. */
static json_object *find_dc(json_object *all, const char *traddr, const char *trsvcid)
{
	for (size_t i = 0; i < json_object_array_length(all); i++) {
		json_object *e = json_object_array_get_idx(all, i), *dc;

		json_object_object_get_ex(e, "discovery-controller", &dc);
		if (!strcmp(sget(dc, "traddr"), traddr) && !strcmp(sget(dc, "trsvcid"), trsvcid))
			return e;
	}
	return NULL;
}

static json_object *pages_of(json_object *e)
{
	json_object *p = NULL;

	json_object_object_get_ex(e, "log-pages", &p);
	return p;
}

static bool pages_have(json_object *pages, const char *subnqn)
{
	for (size_t i = 0; pages && i < json_object_array_length(pages); i++)
		if (!strcmp(sget(json_object_array_get_idx(pages, i), "subnqn"), subnqn))
			return true;
	return false;
}

static const struct {
	const char *traddr, *trsvcid;
} all_dcs[] = {
	{ "198.51.100.2", "8009" }, { "198.51.100.2", "4420" }, { "198.51.100.3", "4421" },
	{ "2001:db8::2", "4420" },  { "198.51.100.2", "8010" },
};

/* Wait until every DC of the test bed is held and has a fetched log (stafd follows referrals). */
static json_object *wait_all_dcs(int timeout_ms)
{
	json_object *all = NULL;

	for (int waited = 0; waited <= timeout_ms; waited += 200) {
		size_t ok = 0;

		if (all)
			json_object_put(all);
		all = all_log_pages();
		for (size_t i = 0; i < sizeof(all_dcs) / sizeof(all_dcs[0]); i++) {
			json_object *e = find_dc(all, all_dcs[i].traddr, all_dcs[i].trsvcid);
			json_object *dc = NULL;

			if (e)
				json_object_object_get_ex(e, "discovery-controller", &dc);
			if (e && !strcmp(sget(dc, "connected"), "True") &&
			    json_object_array_length(pages_of(e)) > 0)
				ok++;
		}
		if (ok == sizeof(all_dcs) / sizeof(all_dcs[0]))
			return all;
		usleep(200000);
	}
	ck_abort_msg("not every DC came up:\n%s\nlog:\n%s",
		     json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY),
		     daemon_run_log(&d));
	return NULL;
}

#define ONE_DC "[Controllers]\ncontroller = transport=tcp;traddr=198.51.100.2;trsvcid=8009\n"

/* ---- tests ----------------------------------------------------------------------------------- */

/* The member names of @o, in order, blank-separated (a static buffer). */
static const char *entry_keys(json_object *o)
{
	static char buf[512];
	size_t len = 0;

	buf[0] = '\0';
	json_object_object_foreach(o, k, unused)
	{
		(void)unused;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? " " : "", k);
		ck_assert_uint_lt(len, sizeof(buf));
	}
	return buf;
}

/* Referrals lead to every port (IPv4 and IPv6); each cached log equals what the core reads. */
START_TEST(test_referrals_and_logs)
{
	_cleanup_(json_putp) json_object *all = NULL;
	struct stas_host host;

	start(ONE_DC);
	all = wait_all_dcs(20000);
	ck_assert_int_eq(stas_host_generate(&host), 0);
	for (size_t i = 0; i < sizeof(all_dcs) / sizeof(all_dcs[0]); i++) {
		json_object *pages = pages_of(find_dc(all, all_dcs[i].traddr, all_dcs[i].trsvcid));
		struct nvme_ctrl_config c = { .traddr = all_dcs[i].traddr,
					      .trsvcid = all_dcs[i].trsvcid,
					      .hostnqn = host.nqn };
		_cleanup_free_ struct nvmf_disc_log *log = NULL;
		struct stas_error e = { 0 };
		struct nvme_sync *s;

		ck_assert_msg(nvme_sync_connect(&c, &s, &e) == 0, "%s", e.msg);
		ck_assert_msg(nvme_sync_get_discovery_log(s, &log, &e) == 0, "%s", e.msg);
		nvme_sync_disconnect(s);
		ck_assert_uint_eq(json_object_array_length(pages), log->nr);
		for (size_t k = 0; k < log->nr; k++) {
			json_object *p = json_object_array_get_idx(pages, k);
			char portid[8];

			snprintf(portid, sizeof(portid), "%u", log->entries[k].portid);
			ck_assert_str_eq(sget(p, "traddr"), log->entries[k].traddr);
			ck_assert_str_eq(sget(p, "trsvcid"), log->entries[k].trsvcid);
			ck_assert_str_eq(sget(p, "subnqn"), log->entries[k].subnqn);
			ck_assert_str_eq(sget(p, "portid"), portid);
			ck_assert_str_eq(sget(p, "trtype"), "tcp");
			/* libnvme's order: stacd shows an entry as str() of the dict */
			ck_assert_str_eq(entry_keys(p),
					 "trtype adrfam traddr trsvcid subnqn subtype "
					 "treq tsas portid cntlid asqsz eflags");
		}
	}
	ck_assert_str_eq(
		sget(json_object_array_get_idx(pages_of(find_dc(all, "2001:db8::2", "4420")), 0),
		     "adrfam"),
		"ipv6");
	ck_assert_int_eq(daemon_run_stop(&d), 0);
	ck_assert(daemon_run_wait_notify(&d, "STOPPING=1", 1000));
}
END_TEST

struct sigwait {
	int changed;
	char traddr[64], trsvcid[16], device[32];
};

static int on_log_pages_changed(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct sigwait *w = ud;
	const char *v[8];

	if (sd_bus_message_read(m, "ssssssss", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
				&v[7]) < 0)
		return 0;
	if (strcmp(v[1], "198.51.100.2") || strcmp(v[2], "8009"))
		return 0;
	w->changed++;
	snprintf(w->device, sizeof(w->device), "%s", v[7]);
	return 0;
}

/* Unlinking a subsystem: the AEN, a re-read, the signal and the new cache within a second. */
START_TEST(test_unlink_signal)
{
	_cleanup_(json_putp) json_object *all = NULL, *after = NULL, *back = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	struct sigwait w = { 0 };
	int waited = 0;

	start(ONE_DC);
	all = wait_all_dcs(20000);
	ck_assert(pages_have(pages_of(find_dc(all, "198.51.100.2", "8009")), TGT(2)));
	ck_assert_int_ge(sd_bus_match_signal(d.client, &slot, STAF_NAME, STAF_PATH, STAF_IFACE,
					     "log_pages_changed", on_log_pages_changed, &w),
			 0);
	daemon_run_pump(&d, 100);
	testbed_change("ctl", "tgt unlink 1 " TGT(2), "ctl", "tgt link 1 " TGT(2));
	while (!w.changed && waited < 3000) {
		daemon_run_pump(&d, 50);
		waited += 50;
	}
	ck_assert_msg(w.changed, "no log_pages_changed within 3 s; log:\n%s", daemon_run_log(&d));
	printf("log_pages_changed arrived %d ms after the unlink (control channel included)\n",
	       waited);
	after = all_log_pages();
	testbed_restore();
	ck_assert(!pages_have(pages_of(find_dc(after, "198.51.100.2", "8009")), TGT(2)));
	ck_assert(pages_have(pages_of(find_dc(after, "198.51.100.2", "8009")), TGT(1)));
	w.changed = 0;
	for (waited = 0; !w.changed && waited < 3000; waited += 50)
		daemon_run_pump(&d, 50);
	ck_assert(w.changed);
	back = all_log_pages();
	ck_assert(pages_have(pages_of(find_dc(back, "198.51.100.2", "8009")), TGT(2)));
}
END_TEST

static json_object *controller(const char *traddr, const char *trsvcid)
{
	json_object *all = all_log_pages(), *e = find_dc(all, traddr, trsvcid), *dc = NULL;

	if (e && json_object_object_get_ex(e, "discovery-controller", &dc))
		json_object_get(dc);
	json_object_put(all);
	return dc;
}

/* A port that goes away is retried with growing, jittered delays and recovered when back. */
START_TEST(test_port_down_and_back)
{
	_cleanup_(json_putp) json_object *all = NULL;
	json_object *dc = NULL;
	int attempts = 0;

	start(ONE_DC);
	all = wait_all_dcs(20000);
	/* port 5 listens only while tgt3 is linked to it */
	testbed_change("ctl", "tgt unlink 5 " TGT(3), "ctl", "tgt link 5 " TGT(3));
	for (int i = 0; i < 100 && attempts < 2; i++) {
		usleep(200000);
		if (dc)
			json_object_put(dc);
		dc = controller("198.51.100.2", "8010");
		ck_assert_ptr_nonnull(dc);
		attempts = atoi(sget(dc, "connect attempts"));
	}
	ck_assert_msg(attempts >= 2, "no retries seen:\n%s", daemon_run_log(&d));
	ck_assert_str_eq(sget(dc, "connected"), "False");
	/* a referral is never purged: nvme-stas shows the unresponsive keys for mDNS DCs only */
	ck_assert_str_eq(sget(dc, "origin"), "referral");
	ck_assert(!json_object_object_get_ex(dc, "unresponsive timer", NULL));
	ck_assert_str_eq(sget(dc, "dctype"), "");
	/* the cache is kept while the DC is down */
	ck_assert_str_ne(sget(dc, "log pages"), "0");
	json_object_put(dc);
	dc = NULL;
	testbed_restore();
	for (int i = 0; i < 150; i++) {
		usleep(200000);
		if (dc)
			json_object_put(dc);
		dc = controller("198.51.100.2", "8010");
		if (!strcmp(sget(dc, "connected"), "True"))
			break;
	}
	ck_assert_msg(!strcmp(sget(dc, "connected"), "True"), "not recovered:\n%s",
		      daemon_run_log(&d));
	ck_assert_str_eq(sget(dc, "connect attempts"), "0");
	ck_assert_msg(strstr(daemon_run_log(&d), "198.51.100.2, 8010") &&
			      strstr(daemon_run_log(&d), "retrying in"),
		      "%s", daemon_run_log(&d));
	json_object_put(dc);
}
END_TEST

#define TWO_DCS                                                                                    \
	"[Global]\nkato = 10\n[Controllers]\n"                                                     \
	"controller = transport=tcp;traddr=198.51.100.3;trsvcid=4421\n"                            \
	"controller = transport=tcp;traddr=198.51.100.2;trsvcid=8010\n"

#define TWO_DCS_CHANGED                                                                            \
	"[Global]\nkato = 10\n[Controllers]\n"                                                     \
	"controller = transport=tcp;traddr=198.51.100.3;trsvcid=4421\n"                            \
	"controller = transport=tcp;traddr=2001:db8::2;trsvcid=4420\n"

#define TWO_DCS_NEW_KATO                                                                           \
	"[Global]\nkato = 10\n[Controllers]\n"                                                     \
	"controller = transport=tcp;traddr=198.51.100.3;trsvcid=4421;kato=12\n"                    \
	"controller = transport=tcp;traddr=2001:db8::2;trsvcid=4420\n"

static json_object *wait_connected(const char *traddr, const char *trsvcid, int ms);

static int on_dc_removed(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	(*(int *)ud)++;
	return 0;
}

/* SIGHUP adds and removes DCs without touching the ones that stay; a broken file is refused. */
START_TEST(test_reload)
{
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	json_object *kept, *kept2, *added = NULL;
	int removed = 0;

	start(TWO_DCS);
	for (int i = 0; i < 50; i++) {
		kept = controller("198.51.100.3", "4421");
		if (kept && !strcmp(sget(kept, "connected"), "True"))
			break;
		json_object_put(kept);
		kept = NULL;
		usleep(200000);
	}
	ck_assert_ptr_nonnull(kept);
	ck_assert_int_ge(sd_bus_match_signal(d.client, &slot, STAF_NAME, STAF_PATH, STAF_IFACE,
					     "dc_removed", on_dc_removed, &removed),
			 0);
	daemon_run_pump(&d, 100);
	ck_assert_int_eq(daemon_run_write_conf(&d, TWO_DCS_CHANGED), 0);
	d.notified[0] = '\0';
	daemon_run_signal(&d, SIGHUP);
	ck_assert(daemon_run_wait_notify(&d, "RELOADING=1", 5000));
	ck_assert(daemon_run_wait_notify(&d, "READY=1", 5000));
	for (int i = 0; i < 75 && (!added || strcmp(sget(added, "connected"), "True")); i++) {
		daemon_run_pump(&d, 200);
		if (added)
			json_object_put(added);
		added = controller("2001:db8::2", "4420");
	}
	ck_assert_msg(added && !strcmp(sget(added, "connected"), "True"), "%s", daemon_run_log(&d));
	ck_assert_ptr_null(controller("198.51.100.2", "8010"));
	ck_assert_int_ge(removed, 1);
	kept2 = controller("198.51.100.3", "4421");
	/* the same object, never disconnected: same device name, no new attempts */
	ck_assert_str_eq(sget(kept2, "device"), sget(kept, "device"));
	ck_assert_str_eq(sget(kept2, "connected"), "True");
	json_object_put(kept2);

	/*
	 * New settings for a DC that stays: it reconnects with them, but it is the
	 * same DC, its log stays available all along and nothing is "removed".
	 */
	removed = 0;
	ck_assert_int_eq(daemon_run_write_conf(&d, TWO_DCS_NEW_KATO), 0);
	d.notified[0] = '\0';
	daemon_run_signal(&d, SIGHUP);
	ck_assert(daemon_run_wait_notify(&d, "READY=1", 5000));
	for (int i = 0; i < 20; i++) {
		_cleanup_(json_putp) json_object *all = all_log_pages();
		json_object *e = find_dc(all, "198.51.100.3", "4421");

		ck_assert_msg(e && json_object_array_length(pages_of(e)) > 0,
			      "the log went away during the reconnect");
		daemon_run_pump(&d, 100);
	}
	ck_assert_msg(strstr(daemon_run_log(&d), "new settings; connecting again"), "%s",
		      daemon_run_log(&d));
	kept2 = wait_connected("198.51.100.3", "4421", 10000);
	ck_assert_ptr_nonnull(kept2);
	ck_assert_str_eq(sget(kept2, "device"), sget(kept, "device"));
	ck_assert_int_eq(removed, 0);
	/* a broken line: stafd names it and keeps running on the old configuration */
	ck_assert_int_eq(daemon_run_write_conf(&d, "[Global]\nkato = ten\n[Controllers]\n"), 0);
	daemon_run_signal(&d, SIGHUP);
	daemon_run_pump(&d, 1500);
	ck_assert(daemon_run_alive(&d));
	ck_assert_msg(strstr(daemon_run_log(&d), "stafd.conf:2") &&
			      strstr(daemon_run_log(&d), "keeping the running configuration"),
		      "%s", daemon_run_log(&d));
	json_object_put(kept2);
	kept2 = controller("198.51.100.3", "4421");
	ck_assert_ptr_nonnull(kept2);
	json_object_put(kept);
	json_object_put(kept2);
	json_object_put(added);
}
END_TEST

/* Wait until the DC at @traddr:@trsvcid is connected; NULL if it is not within @ms. */
static json_object *wait_connected(const char *traddr, const char *trsvcid, int ms)
{
	json_object *dc = NULL;

	for (int waited = 0; waited <= ms; waited += 200) {
		dc = controller(traddr, trsvcid);
		if (dc && !strcmp(sget(dc, "connected"), "True"))
			return dc;
		if (dc)
			json_object_put(dc);
		dc = NULL;
		daemon_run_pump(&d, 200);
	}
	return NULL;
}

/* The number of DCs of the test bed that stafd holds connected (an all_log_pages answer). */
static size_t dcs_connected(json_object *all)
{
	size_t k = 0;

	for (size_t i = 0; i < json_object_array_length(all); i++) {
		json_object *dc = NULL;

		json_object_object_get_ex(json_object_array_get_idx(all, i), "discovery-controller",
					  &dc);
		k += !strcmp(sget(dc, "connected"), "True");
	}
	return k;
}

/*
 * A cut cable: no DC answers or closes. Keep-alive finds out within KATO and
 * a half; every cached log page is kept while the DCs are unreachable, and
 * all of them are held again once the link is back.
 */
START_TEST(test_link_cut)
{
	_cleanup_(json_putp) json_object *all = NULL;
	size_t ndc = sizeof(all_dcs) / sizeof(all_dcs[0]);
	int waited = 0;

	start("[Global]\nkato = 4\n" ONE_DC);
	json_object_put(wait_all_dcs(20000));
	testbed_change("link", "down", "link", "up");
	do {
		daemon_run_pump(&d, 200);
		waited += 200;
		json_putp(&all);
		all = all_log_pages();
	} while (dcs_connected(all) && waited < 12000);
	ck_assert_msg(!dcs_connected(all), "still connected after 12 s:\n%s\nlog:\n%s",
		      json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY),
		      daemon_run_log(&d));
	printf("link cut: all %zu DCs lost after about %d ms (kato 4 s)\n", ndc, waited);
	for (size_t i = 0; i < ndc; i++) {
		json_object *e = find_dc(all, all_dcs[i].traddr, all_dcs[i].trsvcid);

		ck_assert_msg(e && json_object_array_length(pages_of(e)) > 0,
			      "%s:%s lost its cache", all_dcs[i].traddr, all_dcs[i].trsvcid);
	}
	ck_assert_msg(strstr(daemon_run_log(&d), "Keep Alive"), "%s", daemon_run_log(&d));
	testbed_restore();
	json_object_put(wait_all_dcs(40000));
}
END_TEST

/* Whether a line of @log says the DC at "@traddr, @trsvcid" connected. */
static bool says_connected(const char *log, const char *traddr, const char *trsvcid)
{
	char where[96];

	snprintf(where, sizeof(where), "%s, %s,", traddr, trsvcid);
	for (const char *p = log; (p = strstr(p, where)); p += strlen(where)) {
		const char *eol = strchr(p, '\n'), *c = strstr(p, ": connected (cntlid ");

		if (c && (!eol || c < eol))
			return true;
	}
	return false;
}

/*
 * The target loses power and boots again, stafd on its defaults (KATO 30 s): every DC,
 * referrals included, is connected anew (keep-alive meets the new target's reset) and its log
 * read again, with no help.
 */
START_TEST(test_target_reboot)
{
	size_t ndc = sizeof(all_dcs) / sizeof(all_dcs[0]), done = 0, before;
	long long waited = 0;
	pid_t reboot;
	int st;

	start(ONE_DC);
	json_object_put(wait_all_dcs(20000));
	before = strlen(daemon_run_log(&d));
	reboot = testbed_start("reboot", "");
	while (!testbed_done(reboot, &st))
		daemon_run_pump(&d, 200);
	ck_assert_int_eq(st, 0);
	for (; done < ndc && waited < 100000; waited += 500) {
		daemon_run_pump(&d, 500);
		done = 0;
		for (size_t i = 0; i < ndc; i++)
			done += says_connected(daemon_run_log(&d) + before, all_dcs[i].traddr,
					       all_dcs[i].trsvcid);
	}
	ck_assert_msg(done == ndc, "%zu of %zu DCs connected again:\n%s", done, ndc,
		      daemon_run_log(&d) + before);
	printf("target rebooted: all %zu DCs connected again within %lld ms\n", ndc, waited);
	json_object_put(wait_all_dcs(20000));
}
END_TEST

#define NAMED_DCS(family, port)                                                                    \
	"[Global]\nip-family = " family "\n[Controllers]\n"                                        \
	"controller = transport=tcp;traddr=target.stas.test;trsvcid=" port                         \
	";dhchap-secret=DHHC-1:00:c3Rhcy10ZXN0LXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm:\n"                 \
	"controller = transport=tcp;traddr=nosuch.stas.test;trsvcid=8009\n"

/*
 * Host names in traddr (the test bed's /etc/netns hosts file names the
 * target): the address of an enabled family is used, IPv4 first; a name
 * that does not resolve is logged and skipped.
 */
START_TEST(test_host_names)
{
	_cleanup_(json_putp) json_object *all = NULL;
	json_object *dc;

	start(NAMED_DCS("ipv6", "4420"));
	dc = wait_connected("2001:db8::2", "4420", 10000);
	ck_assert_msg(dc, "target.stas.test did not become [2001:db8::2]:4420:\n%s",
		      daemon_run_log(&d));
	json_object_put(dc);
	all = all_log_pages();
	/* only IPv6 is enabled: the referrals to IPv4 ports are not followed */
	ck_assert_msg(json_object_array_length(all) == 1, "%s",
		      json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY));
	ck_assert_msg(strstr(daemon_run_log(&d), "cannot resolve host name nosuch.stas.test"), "%s",
		      daemon_run_log(&d));
	/* the secret goes unused, and the user is told; nvmet here does not ask for it */
	ck_assert_msg(strstr(daemon_run_log(&d), "does not authenticate in-band"), "%s",
		      daemon_run_log(&d));
	ck_assert_msg(!strstr(daemon_run_log(&d), "c3Rhcy10"), "the secret is in the log");

	/* both families: the same name now means its IPv4 address; its referrals lead on */
	ck_assert_int_eq(daemon_run_write_conf(&d, NAMED_DCS("ipv4+ipv6", "8009")), 0);
	daemon_run_signal(&d, SIGHUP);
	dc = wait_connected("198.51.100.2", "8009", 10000);
	ck_assert_msg(dc, "target.stas.test did not become 198.51.100.2:8009:\n%s",
		      daemon_run_log(&d));
	json_object_put(dc);
	json_object_put(all);
	all = wait_all_dcs(20000);
	ck_assert_ptr_null(find_dc(all, "target.stas.test", "8009"));
	ck_assert_ptr_null(find_dc(all, "nosuch.stas.test", "8009"));
	ck_assert(daemon_run_alive(&d));
}
END_TEST

/* A broken line at start: file:line and key in the log, the daemon runs on the defaults. */
START_TEST(test_broken_config_at_start)
{
	json_object *dc = NULL;

	start("[Global]\nkato = -5\nbogus-key = 1\n[Controllers]\n"
	      "controller = transport=tcp;traddr=198.51.100.2;trsvcid=8010;frobnicate=yes\n"
	      "controller = traddr=198.51.100.9\n");
	ck_assert(daemon_run_alive(&d));
	ck_assert_msg(strstr(daemon_run_log(&d), "stafd.conf:2") &&
			      strstr(daemon_run_log(&d), "kato"),
		      "%s", daemon_run_log(&d));
	ck_assert(strstr(daemon_run_log(&d), "stafd.conf:3"));
	ck_assert(strstr(daemon_run_log(&d), "stafd.conf:6"));
	for (int i = 0; i < 50 && !dc; i++) {
		usleep(200000);
		dc = controller("198.51.100.2", "8010");
	}
	ck_assert_ptr_nonnull(dc);
	json_object_put(dc);
}
END_TEST

static int set_tron(sd_bus *bus, int on, sd_bus_error *err)
{
	return sd_bus_set_property(bus, STAF_NAME, STAF_PATH, STAF_DEBUG, "tron", err, "b", on);
}

/* process_info and log_level as nvme-stas types them: tron a boolean, Python's level name. */
static void check_debug_info(bool tron, const char *level)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(json_putp) json_object *o = NULL;
	_cleanup_free_ char *prop = NULL;
	json_object *v;
	const char *json;

	ck_assert_int_ge(sd_bus_get_property_string(d.client, STAF_NAME, STAF_PATH, STAF_DEBUG,
						    "log_level", NULL, &prop),
			 0);
	ck_assert_str_eq(prop, level);
	ck_assert_int_ge(sd_bus_call_method(d.client, STAF_NAME, STAF_PATH, STAF_DEBUG,
					    "process_info", NULL, &reply, ""),
			 0);
	ck_assert_int_ge(sd_bus_message_read(reply, "s", &json), 0);
	o = json_tokener_parse(json);
	ck_assert_msg(o && json_object_object_get_ex(o, "tron", &v) &&
			      json_object_is_type(v, json_type_boolean) &&
			      json_object_get_boolean(v) == tron,
		      "%s", json);
	ck_assert_msg(json_object_object_get_ex(o, "log-level", &v) &&
			      !strcmp(json_object_get_string(v), level),
		      "%s", json);
}

/* Anyone may read; only root may set tron. */
START_TEST(test_tron_root_only)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int tron = 0, status;
	pid_t pid;

	start("[Controllers]\n");
	check_debug_info(false, "INFO");
	ck_assert_msg(set_tron(d.client, 1, &err) >= 0, "%s", err.message);
	ck_assert_int_ge(sd_bus_get_property_trivial(d.client, STAF_NAME, STAF_PATH, STAF_DEBUG,
						     "tron", &err, 'b', &tron),
			 0);
	ck_assert(tron);
	check_debug_info(true, "DEBUG");
	/* the bus socket must be reachable for an unprivileged user */
	ck_assert_int_eq(chmod(d.bus.dir, 0755), 0);
	pid = fork();
	if (pid == 0) {
		sd_bus *bus = NULL;
		_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
		int r;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, d.bus.address) < 0 ||
		    sd_bus_set_bus_client(bus, 1) < 0 || sd_bus_start(bus) < 0)
			_exit(11);
		/* reading is open to everyone */
		r = sd_bus_call_method(bus, STAF_NAME, STAF_PATH, STAF_DEBUG, "process_info", NULL,
				       &reply, "");
		if (r < 0)
			_exit(12);
		r = set_tron(bus, 0, &err);
		_exit(r < 0 && sd_bus_error_has_name(&err, SD_BUS_ERROR_ACCESS_DENIED) ? 0 : 13);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	ck_assert_int_ge(sd_bus_get_property_trivial(d.client, STAF_NAME, STAF_PATH, STAF_DEBUG,
						     "tron", &err, 'b', &tron),
			 0);
	ck_assert(tron); /* unchanged */
	sd_bus_error_free(&err);
}
END_TEST

/* After a restart stafd serves the last-known logs, even of a DC it cannot reach now. */
START_TEST(test_state_survives_restart)
{
	json_object *dc = NULL, *all;
	json_object *e;

	start("[Controllers]\ncontroller = transport=tcp;traddr=198.51.100.2;trsvcid=8010\n");
	for (int i = 0; i < 50; i++) {
		usleep(200000);
		dc = controller("198.51.100.2", "8010");
		if (dc && strcmp(sget(dc, "log pages"), "0"))
			break;
		json_object_put(dc);
		dc = NULL;
	}
	ck_assert_ptr_nonnull(dc);
	json_object_put(dc);
	daemon_run_stop(&d);
	testbed_change("ctl", "tgt unlink 5 " TGT(3), "ctl", "tgt link 5 " TGT(3));
	ck_assert_int_eq(daemon_run_restart(&d), 0);
	all = all_log_pages();
	e = find_dc(all, "198.51.100.2", "8010");
	testbed_restore();
	ck_assert_ptr_nonnull(e);
	ck_assert(pages_have(pages_of(e), TGT(3)));
	json_object_put(all);
}
END_TEST

static Suite *stafd_suite(void)
{
	Suite *s = suite_create("stafd-nvmet");
	TCase *tc = tcase_create("stafd");

	tcase_add_checked_fixture(tc, testbed_put_back_leftovers, teardown);
	tcase_add_unchecked_fixture(tc, NULL, testbed_put_back_leftovers);
	tcase_set_timeout(tc, 240); /* a target reboot boots a guest under TCG */
	tcase_add_test(tc, test_referrals_and_logs);
	tcase_add_test(tc, test_unlink_signal);
	tcase_add_test(tc, test_port_down_and_back);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_host_names);
	tcase_add_test(tc, test_broken_config_at_start);
	tcase_add_test(tc, test_tron_root_only);
	tcase_add_test(tc, test_state_survives_restart);
	tcase_add_test(tc, test_link_cut);
	tcase_add_test(tc, test_target_reboot);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(stafd_suite)
