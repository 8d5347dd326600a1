/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Isolation guard for test-bed tools: see tb-guard.h.
 */
#include "tb-guard.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* RTF_REJECT from <linux/route.h>, without pulling in the kernel headers */
#define TB_RTF_REJECT 0x0200u
/* inode of the initial network namespace (PROC_NET_INIT_INO, linux/proc_ns.h) */
#define TB_PROC_NET_INIT_INO 0xEFFFFFF9u

__attribute__((format(printf, 4, 5))) static int refuse(int code, char *why, size_t n,
							const char *fmt, ...)
{
	va_list ap;

	if (why && n) {
		va_start(ap, fmt);
		vsnprintf(why, n, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* 1 when /proc/net/route has a default route, 0 when not, <0 on error */
static int v4_default_route(char *ifname, size_t ifn)
{
	char line[512], dev[64];
	unsigned int dst, gw, flags, refcnt, use, metric, mask;
	FILE *f = fopen("/proc/net/route", "re");
	int found = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno; /* no IPv4 at all */
	/* the first line is a header */
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %x %x %x %u %u %u %x", dev, &dst, &gw, &flags, &refcnt, &use,
			   &metric, &mask) != 8)
			continue;
		if (dst == 0 && mask == 0 && !(flags & TB_RTF_REJECT)) {
			snprintf(ifname, ifn, "%s", dev);
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

/* 1 when /proc/net/ipv6_route has a usable ::/0 route, 0 when not, <0 on error */
static int v6_default_route(char *ifname, size_t ifn)
{
	char line[512], dst[33], src[33], nh[33], dev[64];
	unsigned int dlen, slen, metric, refcnt, use, flags;
	FILE *f = fopen("/proc/net/ipv6_route", "re");
	int found = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno; /* IPv6 disabled */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%32s %x %32s %x %32s %x %x %x %x %63s", dst, &dlen, src, &slen,
			   nh, &metric, &refcnt, &use, &flags, dev) != 10)
			continue;
		if (dlen == 0 && strspn(dst, "0") == 32 && !(flags & TB_RTF_REJECT)) {
			snprintf(ifname, ifn, "%s", dev);
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

/* 1 when a name under /run/netns (ip netns) refers to namespace @ino, else 0 */
static int netns_is_named(ino_t ino)
{
	char path[300];
	struct dirent *d;
	struct stat st;
	DIR *dir = opendir("/run/netns");
	int found = 0;

	if (!dir)
		return 0;
	while (!found && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", d->d_name);
		if (stat(path, &st) == 0 && st.st_ino == ino)
			found = 1;
	}
	closedir(dir);
	return found;
}

int tb_guard_netns(char *why, size_t n)
{
	struct stat self, init;
	char dev[64];
	int r;

	if (stat("/proc/self/ns/net", &self) < 0)
		return refuse(-errno, why, n, "cannot stat /proc/self/ns/net: %s", strerror(errno));
	if (self.st_ino == TB_PROC_NET_INIT_INO)
		return refuse(-EPERM, why, n,
			      "running in the initial network namespace (net:[%llu]); "
			      "use 'testbed.sh exec' or 'ip netns exec'",
			      (unsigned long long)self.st_ino);
	if (stat("/proc/1/ns/net", &init) == 0) {
		if (self.st_dev == init.st_dev && self.st_ino == init.st_ino)
			return refuse(-EPERM, why, n,
				      "running in PID 1's network namespace (net:[%llu]); "
				      "use 'testbed.sh exec' or 'ip netns exec'",
				      (unsigned long long)self.st_ino);
	} else if (errno == EACCES || errno == EPERM) {
		/*
		 * Some sandboxes hide PID 1's namespaces even from root. Then
		 * ask for positive evidence instead: a namespace made by
		 * `ip netns add` (a name under /run/netns).
		 */
		if (!netns_is_named(self.st_ino))
			return refuse(
				-EPERM, why, n,
				"cannot read /proc/1/ns/net and net:[%llu] has no name under "
				"/run/netns; run through 'testbed.sh exec' or 'ip netns exec'",
				(unsigned long long)self.st_ino);
	} else {
		return refuse(-errno, why, n, "cannot stat /proc/1/ns/net: %s", strerror(errno));
	}

	r = v4_default_route(dev, sizeof(dev));
	if (r < 0)
		return refuse(r, why, n, "cannot read /proc/net/route: %s", strerror(-r));
	if (r > 0)
		return refuse(-EPERM, why, n,
			      "network namespace has an IPv4 default route (dev %s)", dev);
	r = v6_default_route(dev, sizeof(dev));
	if (r < 0)
		return refuse(r, why, n, "cannot read /proc/net/ipv6_route: %s", strerror(-r));
	if (r > 0)
		return refuse(-EPERM, why, n,
			      "network namespace has an IPv6 default route (dev %s)", dev);
	return 0;
}

int tb_guard_addr(const struct sockaddr *sa, char *why, size_t n)
{
	char text[INET6_ADDRSTRLEN];

	if (!sa)
		return refuse(-EINVAL, why, n, "no address");
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		uint32_t a = ntohl(in->sin_addr.s_addr);

		if ((a & 0xffffff00u) == 0xc6336400u /* 198.51.100.0/24 */ ||
		    (a & 0xff000000u) == 0x7f000000u /* 127.0.0.0/8 */)
			return 0;
		inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
		return refuse(-EPERM, why, n,
			      "%s is outside the test bed (198.51.100.0/24, 127.0.0.0/8)", text);
	}
	if (sa->sa_family == AF_INET6) {
		static const uint8_t prefix[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0 };
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		if (memcmp(in6->sin6_addr.s6_addr, prefix, sizeof(prefix)) == 0)
			return 0;
		inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
		return refuse(-EPERM, why, n, "%s is outside the test bed (2001:db8::/64)", text);
	}
	return refuse(-EAFNOSUPPORT, why, n, "address family %d is not IPv4/IPv6", sa->sa_family);
}

int tb_guard_addr_str(const char *addr, char *why, size_t n)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };

	if (addr && inet_pton(AF_INET, addr, &in.sin_addr) == 1)
		return tb_guard_addr((struct sockaddr *)&in, why, n);
	if (addr && inet_pton(AF_INET6, addr, &in6.sin6_addr) == 1)
		return tb_guard_addr((struct sockaddr *)&in6, why, n);
	return refuse(-EINVAL, why, n, "'%s' is not a numeric IPv4/IPv6 address",
		      addr ? addr : "(null)");
}
