/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host names in traddr, resolved without blocking the event loop.
 *
 * getaddrinfo() is the only resolver that honours nsswitch.conf (files,
 * DNS, mDNS, whatever the host is set up for), and it blocks; so each
 * lookup runs on a short-lived worker thread and its answer comes back
 * through a socket the loop watches. Answers are cached: a caller asks
 * during its reconcile, gets -EAGAIN the first time, and is told through
 * its changed() callback when an answer arrives or later changes. Every
 * cached name is looked up again every RESOLVER_REFRESH_S; a name that
 * stops resolving keeps its last address, so that a DNS outage does not
 * take controllers down.
 */
#ifndef STAS_DAEMON_RESOLVER_H
#define STAS_DAEMON_RESOLVER_H

#include <arpa/inet.h>
#include <net/if.h>
#include <stddef.h>

struct event_base;
struct resolver;

#define RESOLVER_REFRESH_S     30
#define RESOLVER_MAX_IN_FLIGHT 4

/* What one lookup found: the first IPv4 and the first IPv6 address. */
struct resolver_answer {
	char v4[INET_ADDRSTRLEN];
	char v6[INET6_ADDRSTRLEN + IFNAMSIZ + 1]; /* with %zone for link-local */
	char error[128];			  /* empty when the lookup worked */
};

/* Runs on a worker thread and may block; the default calls getaddrinfo(). */
typedef void (*resolver_lookup_fn)(const char *name, struct resolver_answer *ret);

/* Called from the loop (never from inside resolver_get()) when an answer arrived or changed. */
typedef void (*resolver_changed_fn)(void *userdata);

int resolver_new(struct event_base *base, resolver_changed_fn changed, void *userdata,
		 struct resolver **ret);

/*
 * resolver_free() - forget everything. Lookups still running finish on
 * their own threads and their answers are dropped.
 */
struct resolver *resolver_free(struct resolver *r);

/* For tests: replace getaddrinfo() (before the first resolver_get()), and the refresh period. */
void resolver_set_lookup_fn(struct resolver *r, resolver_lookup_fn fn);
void resolver_set_refresh_ms(struct resolver *r, unsigned ms);

/**
 * resolver_get() - @name's address in one of @families (TID_IPV4 first,
 * then TID_IPV6, as nvme-stas picks), written to @addr.
 *
 * Return: 0; -EAGAIN while the first lookup of @name runs; -EADDRNOTAVAIL
 * when @name has addresses but none in @families; -EHOSTUNREACH when it
 * has never resolved (the resolver logged why); -ENAMETOOLONG, -ENOSPC or
 * -ENOMEM when it cannot be looked up at all.
 */
int resolver_get(struct resolver *r, const char *name, unsigned families, char *addr, size_t len);

/* resolver_refresh() - look every cached name up again now (a reload does: DNS may have moved). */
void resolver_refresh(struct resolver *r);

/*
 * resolver_sweep() - forget the names nobody asked for since the previous
 * sweep. A daemon calls it after each reconcile, which asks for every name
 * its configuration holds, so the cache follows the configuration.
 */
void resolver_sweep(struct resolver *r);

/*
 * resolver_generation() - a number that changes whenever an answer a
 * caller may have used changes (what changed() announces).
 */
unsigned resolver_generation(const struct resolver *r);

/* The number of cached names and of lookups running (for tests). */
size_t resolver_names(const struct resolver *r);
unsigned resolver_in_flight(const struct resolver *r);

#endif
