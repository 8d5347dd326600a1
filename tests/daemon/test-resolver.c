// SPDX-License-Identifier: Apache-2.0
/*
 * Host names in traddr: looked up off the loop, cached, refreshed, kept
 * through a failed refresh, forgotten when the configuration no longer
 * names them; and a resolver freed while a lookup blocks loses nothing.
 * The lookups are real getaddrinfo() calls for "localhost", and a
 * scripted lookup, gated by the test, for everything a test must control.
 */
#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "check-main.h"
#include "common/conf-view.h"
#include "common/daemon-setup.h"
#include "common/log.h"
#include "common/resolver.h"
#include "common/tid.h"

/* ---- the scripted lookup ------------------------------------------------------------------ */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool gate_closed;
static unsigned lookups_done;
static struct resolver_answer script; /* what every name resolves to */

static void scripted_lookup(const char *name, struct resolver_answer *ret)
{
	(void)name;
	pthread_mutex_lock(&lock);
	while (gate_closed)
		pthread_cond_wait(&cond, &lock);
	*ret = script;
	lookups_done++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void set_script(const char *v4, const char *v6, const char *error)
{
	pthread_mutex_lock(&lock);
	memset(&script, 0, sizeof(script));
	snprintf(script.v4, sizeof(script.v4), "%s", v4);
	snprintf(script.v6, sizeof(script.v6), "%s", v6);
	snprintf(script.error, sizeof(script.error), "%s", error);
	pthread_mutex_unlock(&lock);
}

static void set_gate(bool closed)
{
	pthread_mutex_lock(&lock);
	gate_closed = closed;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

/* ---- a loop and a resolver ---------------------------------------------------------------- */

static struct event_base *base;
static struct resolver *res;
static unsigned changes;

static void on_changed(void *arg)
{
	(void)arg;
	changes++;
}

static void setup(void)
{
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	ck_assert_int_eq(resolver_new(base, on_changed, NULL, &res), 0);
	changes = 0;
	lookups_done = 0;
	set_gate(false);
	set_script("", "", "");
}

static void pump(int ms);

static void teardown(void)
{
	/* let lookups finish, so that none counts towards the next test (CK_FORK=no) */
	for (int waited = 0; res && resolver_in_flight(res) && waited < 2000; waited += 10)
		pump(10);
	res = resolver_free(res);
	event_base_free(base);
}

/* Run the loop until @want changes were reported, for at most @ms. */
static void pump_until_changes(unsigned want, int ms)
{
	struct timeval tick = { 0, 10 * 1000 };

	for (int waited = 0; changes < want && waited < ms; waited += 10) {
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
	ck_assert_uint_ge(changes, want);
}

static void pump(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static int get(const char *name, unsigned families, char *addr)
{
	return resolver_get(res, name, families, addr, INET6_ADDRSTRLEN + IFNAMSIZ + 1);
}

/* ---- tests -------------------------------------------------------------------------------- */

START_TEST(test_localhost_through_getaddrinfo)
{
	char addr[64] = "";

	ck_assert_int_eq(get("localhost", TID_IPV4, addr), -EAGAIN);
	pump_until_changes(1, 5000);
	ck_assert_int_eq(get("localhost", TID_IPV4 | TID_IPV6, addr), 0);
	ck_assert_str_eq(addr, "127.0.0.1");
	ck_assert_uint_eq(resolver_in_flight(res), 0);
}
END_TEST

START_TEST(test_unknown_name_through_getaddrinfo)
{
	char addr[64] = "";

	/* .invalid never resolves (RFC 6761) */
	ck_assert_int_eq(get("no-such-array.invalid", TID_IPV4 | TID_IPV6, addr), -EAGAIN);
	pump_until_changes(1, 30000);
	ck_assert_int_eq(get("no-such-array.invalid", TID_IPV4 | TID_IPV6, addr), -EHOSTUNREACH);
}
END_TEST

/* IPv4 first when both are allowed, as nvme-stas picks. */
START_TEST(test_family_choice)
{
	char addr[64] = "";

	resolver_set_lookup_fn(res, scripted_lookup);
	set_script("192.0.2.7", "2001:db8::7", "");
	ck_assert_int_eq(get("array", TID_IPV4 | TID_IPV6, addr), -EAGAIN);
	ck_assert_int_eq(get("array", TID_IPV4 | TID_IPV6, addr), -EAGAIN); /* one lookup */
	pump_until_changes(1, 5000);
	ck_assert_uint_eq(lookups_done, 1);
	ck_assert_int_eq(get("array", TID_IPV4 | TID_IPV6, addr), 0);
	ck_assert_str_eq(addr, "192.0.2.7");
	ck_assert_int_eq(get("array", TID_IPV6, addr), 0);
	ck_assert_str_eq(addr, "2001:db8::7");

	set_script("", "2001:db8::8", "");
	ck_assert_int_eq(get("v6only", TID_IPV4, addr), -EAGAIN);
	pump_until_changes(2, 5000);
	ck_assert_int_eq(get("v6only", TID_IPV4, addr), -EADDRNOTAVAIL);
	ck_assert_int_eq(get("v6only", TID_IPV4 | TID_IPV6, addr), 0);
	ck_assert_str_eq(addr, "2001:db8::8");
}
END_TEST

/* A DNS outage must not take controllers down: the last address stays. */
START_TEST(test_failed_refresh_keeps_the_address)
{
	char addr[64] = "";

	resolver_set_lookup_fn(res, scripted_lookup);
	set_script("192.0.2.7", "", "");
	get("array", TID_IPV4, addr);
	pump_until_changes(1, 5000);

	set_script("", "", "Temporary failure in name resolution");
	resolver_refresh(res);
	pump(200);
	ck_assert_uint_eq(lookups_done, 2);
	ck_assert_uint_eq(changes, 1); /* nothing for the owner to do */
	ck_assert_int_eq(get("array", TID_IPV4, addr), 0);
	ck_assert_str_eq(addr, "192.0.2.7");

	/* the name moves: the owner hears of it and gets the new address */
	set_script("192.0.2.9", "", "");
	resolver_refresh(res);
	pump_until_changes(2, 5000);
	ck_assert_int_eq(get("array", TID_IPV4, addr), 0);
	ck_assert_str_eq(addr, "192.0.2.9");

	/* the same answer again is no change */
	resolver_refresh(res);
	pump(200);
	ck_assert_uint_eq(changes, 2);
}
END_TEST

/* Nobody asks again: the periodic refresh finds the new address and says so. */
START_TEST(test_periodic_refresh)
{
	char addr[64] = "";
	unsigned before;

	resolver_set_lookup_fn(res, scripted_lookup);
	resolver_set_refresh_ms(res, 100);
	set_script("192.0.2.7", "", "");
	get("array", TID_IPV4, addr);
	pump_until_changes(1, 5000);
	set_script("192.0.2.9", "", "");
	pump_until_changes(2, 5000);
	ck_assert_int_eq(get("array", TID_IPV4, addr), 0);
	ck_assert_str_eq(addr, "192.0.2.9");
	ck_assert_uint_ge(lookups_done, 2);
	/* forgotten names are not looked up any more */
	resolver_sweep(res);
	resolver_sweep(res);
	ck_assert_uint_eq(resolver_names(res), 0);
	pump(300);
	before = lookups_done;
	pump(300);
	ck_assert_uint_eq(lookups_done, before);
}
END_TEST

START_TEST(test_first_lookup_fails)
{
	char addr[64] = "";

	resolver_set_lookup_fn(res, scripted_lookup);
	set_script("", "", "Name or service not known");
	ck_assert_int_eq(get("array", TID_IPV4, addr), -EAGAIN);
	pump_until_changes(1, 5000); /* waiters are told: there will be no address for now */
	ck_assert_int_eq(get("array", TID_IPV4, addr), -EHOSTUNREACH);
	set_script("192.0.2.7", "", "");
	resolver_refresh(res);
	pump_until_changes(2, 5000);
	ck_assert_int_eq(get("array", TID_IPV4, addr), 0);
}
END_TEST

START_TEST(test_sweep_follows_the_askers)
{
	char addr[64];

	resolver_set_lookup_fn(res, scripted_lookup);
	set_script("192.0.2.7", "", "");
	get("a", TID_IPV4, addr);
	get("b", TID_IPV4, addr);
	pump_until_changes(1, 5000);
	pump(100);
	ck_assert_uint_eq(resolver_names(res), 2);
	resolver_sweep(res); /* both were asked for */
	ck_assert_uint_eq(resolver_names(res), 2);
	ck_assert_int_eq(get("a", TID_IPV4, addr), 0);
	resolver_sweep(res); /* only "a" since */
	ck_assert_uint_eq(resolver_names(res), 1);
	ck_assert_int_eq(get("a", TID_IPV4, addr), 0);
	ck_assert_int_eq(get("b", TID_IPV4, addr), -EAGAIN);
}
END_TEST

START_TEST(test_lookups_are_capped)
{
	char addr[64], name[16];

	resolver_set_lookup_fn(res, scripted_lookup);
	set_script("192.0.2.7", "", "");
	set_gate(true);
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "array%d", i);
		ck_assert_int_eq(get(name, TID_IPV4, addr), -EAGAIN);
	}
	ck_assert_uint_eq(resolver_in_flight(res), RESOLVER_MAX_IN_FLIGHT);
	set_gate(false);
	for (int waited = 0; lookups_done < 10 && waited < 5000; waited += 10)
		pump(10);
	pump(50);
	ck_assert_uint_eq(lookups_done, 10);
	ck_assert_uint_eq(resolver_in_flight(res), 0);
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "array%d", i);
		ck_assert_int_eq(get(name, TID_IPV4, addr), 0);
	}
}
END_TEST

/* A daemon stops while a lookup hangs: no crash, and the answer is freed by its worker. */
START_TEST(test_free_while_a_lookup_blocks)
{
	char addr[64];

	resolver_set_lookup_fn(res, scripted_lookup);
	set_script("192.0.2.7", "", "");
	set_gate(true);
	ck_assert_int_eq(get("slow", TID_IPV4, addr), -EAGAIN);
	res = resolver_free(res);
	set_gate(false);
	pthread_mutex_lock(&lock);
	while (lookups_done < 1)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	usleep(100 * 1000); /* the worker frees its job and the channel after this */
}
END_TEST

/* ---- the resolved, indexed view of a configuration's entries ------------------------------ */

static int kato_of(const struct conf_view *v, const struct stas_conf *c, const char *addr,
		   const char *port)
{
	struct conf_tunables t;
	struct tid id = { 0 };

	tid_set(&id, TID_TRANSPORT, "tcp");
	tid_set(&id, TID_TRADDR, addr);
	tid_set(&id, TID_TRSVCID, port);
	tid_set(&id, TID_SUBSYSNQN, "nqn.2014-08.org.nvmexpress.discovery");
	conf_view_tunables(v, c, &id, &t);
	return t.v[CONF_KATO].set ? t.v[CONF_KATO].value : -1;
}

START_TEST(test_conf_view)
{
	static const char text[] =
		"[Global]\nkato = 20\n[Controllers]\n"
		"controller = transport=tcp;traddr=192.0.2.1;trsvcid=8009;kato=5\n"
		"controller = transport=tcp;traddr=192.0.2.2;trsvcid=8009\n"
		"controller = transport=tcp;traddr=array;trsvcid=8009;kato=7\n"
		"controller = transport=tcp;traddr=192.0.2.7;trsvcid=8009;kato=9\n";
	struct stas_conf *c = NULL, *other = NULL;
	struct conf_view v = { 0 };

	resolver_set_lookup_fn(res, scripted_lookup);
	set_script("192.0.2.7", "", "");
	ck_assert_int_eq(conf_load_string(STAS_STAFD, text, "stafd.conf", &c), 0);
	ck_assert_int_eq(conf_load_string(STAS_STAFD, "[Global]\nkato = 40\n", "x.conf", &other),
			 0);
	ck_assert_int_eq(conf_view_build(&v, res, c, NULL), 0);
	ck_assert(conf_view_current(&v, res));
	ck_assert_int_eq(kato_of(&v, c, "192.0.2.1", "8009"), 5);
	ck_assert_int_eq(kato_of(&v, c, "192.0.2.2", "8009"), 20); /* [Global]'s */
	ck_assert_int_eq(kato_of(&v, c, "192.0.2.3", "8009"), 20); /* not configured */
	ck_assert_int_eq(kato_of(&v, c, "192.0.2.7", "8009"), 9);
	ck_assert_int_eq(kato_of(&v, other, "192.0.2.1", "8009"), 40); /* another configuration */

	/* "array" resolves to 192.0.2.7 as well: then the later entry (kato 9) still wins */
	pump_until_changes(1, 5000);
	ck_assert(!conf_view_current(&v, res));
	ck_assert_int_eq(conf_view_build(&v, res, c, NULL), 0);
	ck_assert_int_eq(kato_of(&v, c, "192.0.2.7", "8009"), 9);
	conf_view_clear(&v);
	ck_assert_int_eq(kato_of(&v, c, "192.0.2.1", "8009"), 20); /* cleared: [Global]'s */
	conf_free(c);
	conf_free(other);
}
END_TEST

/* exclude= by host name applies before any lookup; by address, after it. */
START_TEST(test_exclude_by_name_and_address)
{
	static const char text[] = "[Controllers]\n"
				   "controller = transport=tcp;traddr=array1;trsvcid=8009\n"
				   "controller = transport=tcp;traddr=array2;trsvcid=8009\n"
				   "exclude = traddr=array1\n"
				   "exclude = traddr=192.0.2.9\n";
	struct stas_conf *c = NULL;
	bool unresolved = false;
	struct tid t;

	resolver_set_lookup_fn(res, scripted_lookup);
	set_script("192.0.2.9", "", "");
	ck_assert_int_eq(conf_load_string(STAS_STAFD, text, "stafd.conf", &c), 0);
	ck_assert_uint_eq(c->controllers.n, 2);
	ck_assert(!daemon_ctrl_wanted(res, c, &c->controllers.v[0], "nqn.h", &t, &unresolved));
	ck_assert(!unresolved); /* not even looked up */
	ck_assert(!daemon_ctrl_wanted(res, c, &c->controllers.v[1], "nqn.h", &t, &unresolved));
	ck_assert(unresolved);
	pump_until_changes(1, 5000);
	unresolved = false;
	ck_assert(!daemon_ctrl_wanted(res, c, &c->controllers.v[1], "nqn.h", &t, &unresolved));
	ck_assert(!unresolved);
	ck_assert_str_eq(t.traddr, "192.0.2.9"); /* resolved, then excluded by its address */
	ck_assert_uint_eq(lookups_done, 1);
	conf_free(c);
}
END_TEST

/* A reload changes the log level only when the file's tron= changed: --tron survives it. */
START_TEST(test_reload_keeps_the_log_level)
{
	struct stas_conf *c = NULL, *next = NULL;
	struct conf_view v = { 0 };
	struct bus_object obj = { 0 };

	ck_assert_int_eq(conf_load_string(STAS_STAFD, "[Global]\n", "a.conf", &c), 0);
	log_set_level(LOG_DEBUG); /* --tron */
	ck_assert_int_eq(conf_load_string(STAS_STAFD, "[Global]\nkato = 9\n", "a.conf", &next), 0);
	daemon_conf_commit(&c, next, &v, res, &obj);
	ck_assert_int_eq(log_get_level(), LOG_DEBUG);
	ck_assert_int_eq(conf_load_string(STAS_STAFD, "[Global]\ntron = true\n", "a.conf", &next),
			 0);
	daemon_conf_commit(&c, next, &v, res, &obj);
	ck_assert_int_eq(log_get_level(), LOG_DEBUG);
	ck_assert_int_eq(conf_load_string(STAS_STAFD, "[Global]\ntron = false\n", "a.conf", &next),
			 0);
	daemon_conf_commit(&c, next, &v, res, &obj); /* edited: the file decides */
	ck_assert_int_eq(log_get_level(), LOG_INFO);
	conf_free(c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("resolver");
	TCase *tc = tcase_create("resolver");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_localhost_through_getaddrinfo);
	tcase_add_test(tc, test_unknown_name_through_getaddrinfo);
	tcase_add_test(tc, test_family_choice);
	tcase_add_test(tc, test_failed_refresh_keeps_the_address);
	tcase_add_test(tc, test_periodic_refresh);
	tcase_add_test(tc, test_exclude_by_name_and_address);
	tcase_add_test(tc, test_reload_keeps_the_log_level);
	tcase_add_test(tc, test_first_lookup_fails);
	tcase_add_test(tc, test_sweep_follows_the_askers);
	tcase_add_test(tc, test_lookups_are_capped);
	tcase_add_test(tc, test_free_while_a_lookup_blocks);
	tcase_add_test(tc, test_conf_view);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(suite)
