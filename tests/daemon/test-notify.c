// SPDX-License-Identifier: Apache-2.0
/* sd_notify messages and watchdog pings, read from a NOTIFY_SOCKET this test binds. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "check-main.h"
#include "common/notify.h"
#include "test-util.h"

static char *dir;
static int sock = -1;

static void setup(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	dir = make_tmpdir();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir);
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(sock, 0);
	ck_assert_int_eq(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static void teardown(void)
{
	close(sock);
	remove_tree(dir);
}

/* The next datagram, or "" after 2 s. */
static const char *next_message(void)
{
	static char buf[1024];
	struct pollfd p = { .fd = sock, .events = POLLIN };
	ssize_t n;

	buf[0] = '\0';
	if (poll(&p, 1, 2000) == 1) {
		n = recv(sock, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
	}
	return buf;
}

static int pending(void)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };

	return poll(&p, 1, 0);
}

START_TEST(test_messages)
{
	unsigned long long usec, now;
	struct timespec ts;

	ck_assert_int_gt(notify_ready(), 0);
	ck_assert_str_eq(next_message(), "READY=1");
	ck_assert_int_gt(notify_stopping(), 0);
	ck_assert_str_eq(next_message(), "STOPPING=1");
	ck_assert_int_gt(notify_status("%d controllers, %s", 3, "all connected"), 0);
	ck_assert_str_eq(next_message(), "STATUS=3 controllers, all connected");
	ck_assert_int_gt(notify_reloading(), 0);
	ck_assert_int_eq(sscanf(next_message(), "RELOADING=1\nMONOTONIC_USEC=%llu", &usec), 1);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000;
	ck_assert(usec <= now && now - usec < 2000000);
}
END_TEST

START_TEST(test_no_manager)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(notify_ready(), 0);
	ck_assert_int_eq(notify_reloading(), 0);
	ck_assert_int_eq(pending(), 0);
}
END_TEST

static void stop_loop(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopexit(arg, NULL);
}

START_TEST(test_watchdog)
{
	struct event_base *base = event_base_new();
	struct timeval run = { 0, 400000 };
	struct notify_watchdog *w = NULL;
	char pid[32];
	int pings = 0;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_USEC", "100000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert_int_eq(notify_watchdog_new(base, &w), 0);
	ck_assert_ptr_nonnull(w);
	ck_assert_uint_eq(notify_watchdog_interval_usec(w), 50000);
	event_base_once(base, -1, EV_TIMEOUT, stop_loop, base, &run);
	event_base_dispatch(base);
	while (pending() > 0) {
		ck_assert_str_eq(next_message(), "WATCHDOG=1");
		pings++;
	}
	/* one at start, then every 50 ms for 400 ms: about 9; allow for a slow machine */
	ck_assert_int_ge(pings, 4);
	ck_assert_int_le(pings, 10);
	notify_watchdog_free(w);
	event_base_free(base);
}
END_TEST

START_TEST(test_watchdog_off)
{
	struct event_base *base = event_base_new();
	struct notify_watchdog *w = (void *)1;

	ck_assert_int_eq(notify_watchdog_new(base, &w), 0);
	ck_assert_ptr_null(w);
	/* WATCHDOG_PID names another process: not for us */
	setenv("WATCHDOG_USEC", "100000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	w = (void *)1;
	ck_assert_int_eq(notify_watchdog_new(base, &w), 0);
	ck_assert_ptr_null(w);
	ck_assert_ptr_null(notify_watchdog_free(NULL));
	event_base_free(base);
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("NOTIFY_SOCKET");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_messages);
	tcase_add_test(tc, test_no_manager);
	tcase_add_test(tc, test_watchdog);
	tcase_add_test(tc, test_watchdog_off);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(notify_suite)
