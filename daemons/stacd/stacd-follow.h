/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stacd following stafd over D-Bus: org.nvmexpress.staf appearing and
 * vanishing, log_pages_changed and dc_removed debounced by a soak (1.5 s,
 * 10 s after stafd came back so it can refill its cache), then
 * get_all_log_pages(true). The I/O controllers found there are kept until
 * a later answer says otherwise: stafd being away is never "nothing found".
 */
#ifndef STAS_STACD_FOLLOW_H
#define STAS_STACD_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tid.h"

struct bus_event;
struct event_base;
struct follow;

#define FOLLOW_SOAK_MS	    1500
#define FOLLOW_LONG_SOAK_MS 10000
#define FOLLOW_SOAK_MAX_MS  5000 /* a burst that goes on is fetched anyway */

/* One I/O controller in a discovery log, with the DC's host side. */
struct follow_ioc {
	struct tid tid;
	uint16_t eflags;
	char *dlpe; /* the entry as nvme-stas shows it: str() of the dict; NULL if unknown */
};

/** follow_iocs_free() - free @v and the text each of its @n entries owns. */
void follow_iocs_free(struct follow_ioc *v, size_t n);

struct follow_ops {
	/* A fresh answer from stafd: call follow_iocs(). */
	void (*changed)(void *arg);
};

int follow_new(struct bus_event *be, struct event_base *base, const struct follow_ops *ops,
	       void *arg, struct follow **ret);
void follow_free(struct follow *f);

/** follow_iocs() - the I/O controllers of stafd's last answer; valid until the next one. */
size_t follow_iocs(struct follow *f, const struct follow_ioc **ret);

/** follow_restore() - seed the list with a copy of the last-known state (stafd not asked yet). */
int follow_restore(struct follow *f, const struct follow_ioc *v, size_t n);

/**
 * follow_parse() - the I/O controllers in a get_all_log_pages(true) answer:
 * each subtype "nvme" entry of each DC's log, with that DC's host side.
 * Entries with a missing or oversized field are skipped and counted in
 * *@ret_bad; so are entries past the daemon's limit. *@ret is allocated
 * (follow_iocs_free() it; NULL when none).
 *
 * Return: 0, -EBADMSG when @json is not a JSON list, or -ENOMEM.
 */
int follow_parse(const char *json, struct follow_ioc **ret, size_t *ret_n, size_t *ret_bad);

bool follow_stafd_present(const struct follow *f);
uint64_t follow_fetches(const struct follow *f);

#endif
