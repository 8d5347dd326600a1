/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Isolation guard for tools that talk to the test bed's nvmet target.
 *
 * The test bed lives in a private network namespace with no uplink. A tool
 * that opens connections to it must prove, before its first connect(), that
 * it runs inside such a namespace and that the address it is about to use
 * belongs to the test bed. Then a mistake (wrong namespace, an address taken
 * from a corrupt discovery log) cannot reach any other machine.
 */
#ifndef STAS_TB_GUARD_H
#define STAS_TB_GUARD_H

#include <stddef.h>
#include <sys/socket.h>

/**
 * tb_guard_netns() - check that this process runs in an isolated namespace.
 * @why: on refusal, a one-line reason (may be NULL)
 * @n: size of @why
 *
 * Refuses when the network namespace is the initial one: the one PID 1 uses
 * (compared by device and inode of /proc/{self,1}/ns/net), or the kernel's
 * fixed inode of the initial namespace (PROC_NET_INIT_INO). Where PID 1's
 * namespaces cannot be read even by root (some sandboxes), it insists on a
 * namespace with a name under /run/netns (made by `ip netns add`) instead.
 * Refuses too when the namespace has a default route, IPv4 (/proc/net/route,
 * main table) or IPv6 (/proc/net/ipv6_route; reject routes such as the
 * kernel's null entry do not count).
 *
 * Return: 0 when isolated; -EPERM when not; another negative errno when the
 * check itself could not be done (e.g. -EACCES without root: /proc/1/ns/net).
 */
int tb_guard_netns(char *why, size_t n);

/**
 * tb_guard_addr() - check that a destination belongs to the test bed.
 * @sa: AF_INET or AF_INET6 socket address
 * @why: on refusal, a one-line reason (may be NULL)
 * @n: size of @why
 *
 * Allowed: 198.51.100.0/24, 127.0.0.0/8 and 2001:db8::/64 (not v4-mapped).
 *
 * Return: 0 when allowed, -EPERM when not, -EAFNOSUPPORT for other families.
 */
int tb_guard_addr(const struct sockaddr *sa, char *why, size_t n);

/**
 * tb_guard_addr_str() - tb_guard_addr() for a numeric address string
 * ("198.51.100.2", "2001:db8::2"; no brackets, no names).
 *
 * Return: as tb_guard_addr(); -EINVAL when @addr is not a numeric address.
 */
int tb_guard_addr_str(const char *addr, char *why, size_t n);

#endif
