// SPDX-License-Identifier: Apache-2.0
/*
 * The control protocol over its unix socket, and the stas-target-emu
 * program: topology options, the READY handshake, clean SIGTERM shutdown,
 * and 1,000 ports with 1,000+ live connections in one process.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-main.h"
#include "emu-client.h"
#include "emu-ctl.h"
#include "emu-harness.h"
#include "stas/nvme-decode.h"
#include "stas/nvme-status.h"

#define NQN	       "nqn.2014-08.org.example:ctl-a"
#define DISC	       NVME_DISC_SUBSYS_NQN

#define ck_ok(expr, c) ck_assert_msg((expr) == 0, "%s: %s", #expr, (c)->why)

static char dir[48], sock_path[80];

static void mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/stas-emu-ctl-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock_path, sizeof(sock_path), "%s/ctl.sock", dir);
}

static void rmdir_tmp(void)
{
	unlink(sock_path);
	rmdir(dir);
}

static int ctl_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Send one line, collect the reply up to and including its OK/ERR line. */
static const char *ctl(int fd, const char *line)
{
	static char reply[16384];
	size_t n = 0;

	ck_assert_int_eq(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	ck_assert_int_eq(write(fd, "\n", 1), 1);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *last;
		ssize_t r;

		ck_assert_int_eq(poll(&p, 1, 5000), 1);
		r = read(fd, reply + n, sizeof(reply) - 1 - n);
		ck_assert_int_gt(r, 0);
		n += (size_t)r;
		reply[n] = 0;
		if (n < 3 || reply[n - 1] != '\n')
			continue;
		reply[n - 1] = 0;
		last = strrchr(reply, '\n');
		last = last ? last + 1 : reply;
		reply[n - 1] = '\n';
		if (!strncmp(last, "OK", 2) || !strncmp(last, "ERR", 3))
			return reply;
	}
}

#define ck_reply_ok(fd, line) ck_assert_msg(strstr(ctl(fd, line), "OK\n"), "%s", ctl(fd, "show"))
#define ck_reply_has(fd, line, what)                                                               \
	do {                                                                                       \
		const char *_r = ctl(fd, line);                                                    \
		ck_assert_msg(strstr(_r, what), "'%s' -> '%s'", line, _r);                         \
	} while (0)

/* ---- The control socket, in process --------------------------------------------------------- */

static struct harness h;
static struct emu_ctl *ctl_srv;
static uint16_t port;

static void setup(void)
{
	mkdir_tmp();
	harness_init(&h);
	ck_assert_int_eq(emu_add_port(h.emu, 1, "127.0.0.1", 0, &port), 0);
	ck_assert_int_eq(emu_ctl_new(h.emu, sock_path, &ctl_srv), 0);
	harness_start(&h);
}

static void teardown(void)
{
	harness_pause(&h);
	emu_ctl_free(ctl_srv);
	harness_resume(&h);
	harness_stop(&h);
	rmdir_tmp();
}

START_TEST(commands)
{
	int fd = ctl_connect();
	uint8_t buf[4096];
	struct nvme_ns_id ns;
	struct ec c;
	uint16_t st;

	ck_reply_has(fd, "help", "fault PORT NAME");
	ck_reply_ok(fd, "add-subsys " NQN ",sn=SNA,ns=1:8M,ns=2:8M:4096:2");
	ck_reply_has(fd, "show", "subsys " NQN " sn SNA");
	ck_reply_has(fd, "show", "  ns 2 size 8388608 lba 4096 grp 2\n");
	ck_reply_has(fd, "show", "  link " NQN "\n");
	ck_reply_has(fd, "add-subsys " NQN, "ERR subsystem " NQN ": File exists");

	ec_init(&c);
	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	ck_ok(ec_identify(&c, NVME_CNS_NS, 2, buf, &st), &c);
	ck_assert_int_eq(nvme_id_ns_decode(buf, sizeof(buf), &ns, NULL), 0);
	ck_assert_uint_eq(ns.lba_size, 4096);
	ck_reply_has(fd, "show", "ctrl ");
	ck_reply_ok(fd, "ana 1 2 inaccessible");
	ck_reply_has(fd, "show", "  ana 2 inaccessible\n");
	ck_reply_ok(fd, "unlink 1 " NQN);
	ck_assert_int_eq(ec_recv_pdu(&c, buf, sizeof(buf)), -ECONNRESET);
	ec_close(&c);
	ck_reply_ok(fd, "link 1 " NQN);

	ck_reply_ok(fd, "referral add 1 127.0.0.1 4420 5");
	ck_reply_has(fd, "show", "  referral 127.0.0.1 4420 portid 5\n");
	ck_reply_ok(fd, "referral rm 1 127.0.0.1 4420");

	ck_reply_ok(fd, "fault 1 refuse");
	ck_assert_int_eq(ec_connect(&c, port, NULL), -ECONNRESET);
	ck_reply_ok(fd, "fault 1 delay 100");
	ck_reply_has(fd, "show", "  fault delay arg 100 left forever fired 0\n");
	ck_reply_ok(fd, "fault 1 delay 0 off");
	ck_reply_has(fd, "fault 1 sideways", "ERR usage: fault");

	ck_reply_ok(fd, "knob all c2h-chunk 4096");
	ck_reply_ok(fd, "knob 1 maxh2cdata 8192");
	ck_reply_has(fd, "knob 1 maxh2cdata 5", "ERR");
	ck_reply_has(fd, "knob 1 nope 1", "ERR usage: knob");

	ck_reply_ok(fd, "port down 1");
	ck_assert_int_eq(ec_connect(&c, port, NULL), -ECONNREFUSED);
	ck_reply_has(fd, "show", "port 1 127.0.0.1:");
	ck_reply_ok(fd, "port up 1");
	ck_ok(ec_connect(&c, port, NULL), &c);
	ck_assert_uint_eq(c.p.maxh2cdata, 8192);
	ec_close(&c);
	ck_reply_has(fd, "port add 9 127.0.0.1 0", "port 9 127.0.0.1:");
	ck_reply_ok(fd, "port rm 9");

	ck_reply_ok(fd, "rm-ns " NQN " 2");
	ck_reply_ok(fd, "add-ns " NQN " 3:1M null");
	ck_reply_has(fd, "show", "  ns 3 size 1048576 lba 512 grp 1 null\n");
	ck_reply_ok(fd, "disc-nqn nqn.2014-08.org.example:udn");
	ck_reply_ok(fd, "disc-nqn none");
	ck_reply_ok(fd, "rm-subsys " NQN);
	ck_assert_ptr_null(strstr(ctl(fd, "show"), NQN));

	ck_reply_has(fd, "bogus", "ERR unknown command 'bogus'");
	ck_reply_has(fd, "ana 1 2 sideways", "ERR usage: ana");
	ck_reply_has(fd, "link 99 x", "ERR");
	ck_reply_has(fd, "add-subsys nqn.2014-08.org.example:b,ns=1:1Q", "ERR bad namespace spec");
	ck_assert_ptr_null(strstr(ctl(fd, "show"), "example:b"));
	ck_reply_has(fd, "", "ERR empty command");
	close(fd);
}
END_TEST

START_TEST(sizes)
{
	unsigned long long v;

	ck_assert_int_eq(emu_ctl_parse_size("64M", &v), 0);
	ck_assert_uint_eq(v, 64ull << 20);
	ck_assert_int_eq(emu_ctl_parse_size("2T", &v), 0);
	ck_assert_uint_eq(v, 2ull << 40);
	ck_assert_int_eq(emu_ctl_parse_size("4096", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(emu_ctl_parse_size("4MB", &v), -EINVAL);
	ck_assert_int_eq(emu_ctl_parse_size("-1", &v), -EINVAL);
	ck_assert_int_eq(emu_ctl_parse_size("99999999999999T", &v), -ERANGE);
}
END_TEST

/* ---- The program
 * ---------------------------------------------------------------------------------- */

struct prog {
	pid_t pid;
	FILE *out;
	uint16_t ports[1100];
	unsigned nports;
};

static void prog_start(struct prog *p, const char *const *args)
{
	const char *argv[32] = { EMU_MAIN_PATH };
	char line[256];
	unsigned id, tcp;
	int fds[2];

	for (unsigned i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	p->pid = fork();
	ck_assert_int_ge(p->pid, 0);
	if (!p->pid) {
		dup2(fds[1], STDOUT_FILENO);
		execv(EMU_MAIN_PATH, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	p->out = fdopen(fds[0], "r");
	p->nports = 0;
	while (fgets(line, sizeof(line), p->out)) {
		if (!strcmp(line, "READY\n"))
			return;
		ck_assert_int_eq(sscanf(line, "port %u 127.0.0.1:%u", &id, &tcp), 2);
		ck_assert_uint_eq(id, p->nports + 1);
		p->ports[++p->nports] = (uint16_t)tcp;
	}
	ck_abort_msg("stas-target-emu ended before READY");
}

static int prog_stop(struct prog *p, int sig)
{
	int status;

	if (sig)
		kill(p->pid, sig);
	ck_assert_int_eq(waitpid(p->pid, &status, 0), p->pid);
	fclose(p->out);
	return status;
}

static void no_setup(void)
{
	mkdir_tmp();
}

START_TEST(program)
{
	const char *args[] = { "--discovery-ports", "3",     "--subsys-per-port", "2",
			       "--io-ports",	    "1",     "--referral",	  "1:2",
			       "--null-data",	    "--ctl", sock_path,		  "--knob",
			       "c2h-chunk=8192",    NULL };
	uint8_t log[8 * 1024], data[65536];
	struct nvmf_disc_log *dl;
	struct prog p;
	struct ec c;
	uint16_t st;
	int fd, status;

	prog_start(&p, args);
	ck_assert_uint_eq(p.nports, 4);
	ec_init(&c);
	ck_ok(ec_attach(&c, p.ports[1], DISC, 0, NULL), &c);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, log, 5 * 1024, &st), &c);
	ck_assert_int_eq(nvmf_disc_log_decode(log, 5 * 1024, &dl, NULL), 0);
	ck_assert_uint_eq(dl->hdr.numrec, 4);
	ck_assert_str_eq(dl->entries[1].subnqn, "nqn.2014-08.org.example:emu-p1-s1");
	ck_assert_str_eq(dl->entries[2].subnqn, "nqn.2014-08.org.example:emu-p1-s2");
	ck_assert_uint_eq(dl->entries[3].subtype, NVMF_SUBTYPE_REFERRAL);
	free(dl);
	ec_close(&c);
	/* the I/O port has every subsystem */
	ec_init(&c);
	ck_ok(ec_attach(&c, p.ports[4], DISC, 0, NULL), &c);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, log, 8 * 1024, &st), &c);
	ck_assert_int_eq(nvmf_disc_log_decode(log, 8 * 1024, &dl, NULL), 0);
	ck_assert_uint_eq(dl->hdr.numrec, 7);
	free(dl);
	ec_close(&c);
	/* I/O through it, null data, the knob applied */
	{
		struct ec adm, io;

		ec_init(&adm);
		ec_init(&io);
		ck_ok(ec_attach(&adm, p.ports[4], "nqn.2014-08.org.example:emu-p2-s1", 0, NULL),
		      &adm);
		ck_ok(ec_connect(&io, p.ports[4], NULL), &io);
		ck_ok(ec_io_connect(&io, "nqn.2014-08.org.example:emu-p2-s1", 1, adm.cntlid, &st),
		      &io);
		memset(data, 0xff, sizeof(data));
		ck_ok(ec_rw(&io, NVME_IO_WRITE, 1, 0, 128, data, sizeof(data), true, &st), &io);
		ck_ok(ec_rw(&io, NVME_IO_READ, 1, 0, 128, data, sizeof(data), false, &st), &io);
		ck_assert_uint_eq(st, 0);
		ck_assert_uint_eq(io.n_c2h, 8);
		ck_assert_uint_eq(data[100], 0);
		ec_close(&io);
		ec_close(&adm);
	}
	fd = ctl_connect();
	ck_reply_has(fd, "show", "port 4 127.0.0.1:");
	ck_reply_ok(fd, "fault 2 refuse");
	close(fd);
	ck_assert_int_eq(ec_connect(&c, p.ports[2], NULL), -ECONNRESET);
	status = prog_stop(&p, SIGTERM);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(access(sock_path, F_OK), -1); /* the socket is gone */
}
END_TEST

START_TEST(program_bad_args)
{
	const char *zero[] = { "--discovery-ports", "0", NULL };
	const char *spec[] = { "--subsys", "nqn.2014-08.org.example:x,ns=1:9Q", NULL };
	const char *argv[8] = { EMU_MAIN_PATH };
	int status;

	for (unsigned t = 0; t < 2; t++) {
		const char *const *a = t ? spec : zero;
		pid_t pid = fork();

		if (!pid) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, STDERR_FILENO);
			dup2(null, STDOUT_FILENO);
			for (unsigned i = 0; a[i]; i++)
				argv[i + 1] = a[i];
			execv(EMU_MAIN_PATH, (char *const *)argv);
			_exit(127);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), t ? 1 : 2);
	}
}
END_TEST

/* 1,000 ports, a controller on each, plus 200 more discovery connections. */
START_TEST(scale)
{
	const char *args[] = {
		"--discovery-ports", "1000", "--null-data", "--ns-size", "1M", NULL
	};
	struct rlimit rl;
	struct prog p;
	struct ec *cs = calloc(1200, sizeof(*cs));
	char nqn[96];
	uint8_t hdr[1024];
	uint16_t st;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = rl.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_uint_ge(rl.rlim_cur, 1300);
	prog_start(&p, args);
	ck_assert_uint_eq(p.nports, 1000);
	for (unsigned i = 0; i < 1200; i++) {
		unsigned portid = i < 1000 ? i + 1 : 1;

		ec_init(&cs[i]);
		snprintf(nqn, sizeof(nqn), "nqn.2014-08.org.example:emu-p%u-s1", portid);
		ck_ok(ec_attach(&cs[i], p.ports[portid], i < 1000 ? nqn : DISC, 0, NULL), &cs[i]);
	}
	/* all still alive */
	for (unsigned i = 0; i < 1200; i += 100) {
		ck_ok(ec_get_log(&cs[i], i < 1000 ? NVME_LOG_SMART : NVME_LOG_DISCOVERY, 0, false,
				 0, hdr, 512, &st),
		      &cs[i]);
		ck_assert_uint_eq(st, 0);
	}
	for (unsigned i = 0; i < 1200; i++)
		ec_close(&cs[i]);
	free(cs);
	ck_assert_int_eq(WEXITSTATUS(prog_stop(&p, SIGINT)), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("emu-ctl");
	TCase *t = tcase_create("ctl");
	TCase *prog = tcase_create("program");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, commands);
	tcase_add_test(t, sizes);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(prog, no_setup, rmdir_tmp);
	tcase_set_timeout(prog, 120);
	tcase_add_test(prog, program);
	tcase_add_test(prog, program_bad_args);
	tcase_add_test(prog, scale);
	suite_add_tcase(s, prog);
	return s;
}

STAS_CHECK_MAIN(suite)
