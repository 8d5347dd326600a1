// SPDX-License-Identifier: Apache-2.0
#include "common/resolver.h"

#include <errno.h>
#include <event2/event.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/tid.h"

#define RESOLVER_MAX_NAMES 1024
#define RESOLVER_NAME_MAX  sizeof(((struct tid *)0)->traddr)

/*
 * Shared by the resolver and its worker threads. A worker hands its job
 * over by sending the pointer through @fd, under @lock; once the resolver
 * is gone (@fd < 0) the worker frees the job itself. The last one to let
 * go frees the channel.
 */
struct channel {
	pthread_mutex_t lock;
	int fd; /* the workers' end of the socket pair */
	unsigned refs;
};

struct job {
	struct channel *ch;
	resolver_lookup_fn lookup;
	char name[RESOLVER_NAME_MAX];
	struct resolver_answer answer;
};

struct entry {
	TAILQ_ENTRY(entry) link;
	char name[RESOLVER_NAME_MAX];
	struct resolver_answer answer; /* the last good one when have_answer */
	bool have_answer;
	bool failed;	/* the latest lookup failed (and was logged) */
	bool in_flight; /* a worker is looking it up */
	bool due;	/* to be looked up when a worker is free */
	bool used;	/* asked for since the last sweep */
};

TAILQ_HEAD(entry_list, entry);

struct resolver {
	struct event_base *base;
	resolver_changed_fn changed;
	void *userdata;
	resolver_lookup_fn lookup;
	struct channel *ch;
	int fd; /* the loop's end */
	struct event *ev_answer;
	struct event *ev_refresh;
	struct event *ev_changed;
	struct entry_list entries;
	size_t n_entries;
	unsigned in_flight;
	unsigned generation;
	unsigned refresh_ms;
};

static void channel_unref(struct channel *ch)
{
	bool last;

	pthread_mutex_lock(&ch->lock);
	last = --ch->refs == 0;
	pthread_mutex_unlock(&ch->lock);
	if (!last)
		return;
	if (ch->fd >= 0)
		close(ch->fd);
	pthread_mutex_destroy(&ch->lock);
	free(ch);
}

static void lookup_getaddrinfo(const char *name, struct resolver_answer *ret)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	int r = getaddrinfo(name, NULL, &hints, &res);

	if (r) {
		snprintf(ret->error, sizeof(ret->error), "%s",
			 r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		char *dst = ai->ai_family == AF_INET	? ret->v4
			    : ai->ai_family == AF_INET6 ? ret->v6
							: NULL;
		size_t len = ai->ai_family == AF_INET ? sizeof(ret->v4) : sizeof(ret->v6);

		if (dst && !dst[0] &&
		    getnameinfo(ai->ai_addr, ai->ai_addrlen, dst, len, NULL, 0, NI_NUMERICHOST))
			dst[0] = '\0';
	}
	freeaddrinfo(res);
	if (!ret->v4[0] && !ret->v6[0])
		snprintf(ret->error, sizeof(ret->error), "no IPv4 or IPv6 address");
}

static void *worker(void *arg)
{
	struct job *job = arg;
	struct channel *ch = job->ch;
	bool handed_over = false;

	job->lookup(job->name, &job->answer);
	pthread_mutex_lock(&ch->lock);
	if (ch->fd >= 0)
		handed_over = send(ch->fd, &job, sizeof(job), MSG_NOSIGNAL) == sizeof(job);
	pthread_mutex_unlock(&ch->lock);
	if (!handed_over)
		free(job);
	channel_unref(ch);
	return NULL;
}

static int start_worker(struct resolver *r, struct entry *e)
{
	struct job *job = calloc(1, sizeof(*job));
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t tid;
	int err;

	if (!job)
		return -ENOMEM;
	job->ch = r->ch;
	job->lookup = r->lookup;
	memcpy(job->name, e->name, sizeof(job->name));
	pthread_mutex_lock(&r->ch->lock);
	r->ch->refs++;
	pthread_mutex_unlock(&r->ch->lock);
	/* Signals belong to the loop's thread: the worker starts with all of them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&tid, &attr, worker, job);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		channel_unref(r->ch);
		free(job);
		return -err;
	}
	return 0;
}

static void start_due(struct resolver *r)
{
	struct entry *e;
	int err;

	TAILQ_FOREACH (e, &r->entries, link) {
		if (r->in_flight >= RESOLVER_MAX_IN_FLIGHT)
			return;
		if (!e->due || e->in_flight)
			continue;
		err = start_worker(r, e);
		if (err < 0) {
			log_warning("cannot look up %s now: %s; trying again in %u s", e->name,
				    strerror(-err), RESOLVER_REFRESH_S);
			return; /* the refresh timer marks it due again */
		}
		e->due = false;
		e->in_flight = true;
		r->in_flight++;
	}
}

static struct entry *find(const struct resolver *r, const char *name)
{
	struct entry *e;

	TAILQ_FOREACH (e, &r->entries, link)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

static void changed_soon(struct resolver *r)
{
	r->generation++;
	event_active(r->ev_changed, EV_TIMEOUT, 0);
}

static bool same_addresses(const struct resolver_answer *a, const struct resolver_answer *b)
{
	return !strcmp(a->v4, b->v4) && !strcmp(a->v6, b->v6);
}

static void take_answer(struct resolver *r, struct entry *e, const struct resolver_answer *a)
{
	if (a->error[0]) {
		if (!e->failed && !e->have_answer)
			log_warning("cannot resolve host name %s: %s", e->name, a->error);
		else if (!e->failed)
			log_warning("cannot resolve host name %s: %s; keeping %s%s%s", e->name,
				    a->error, e->answer.v4,
				    e->answer.v4[0] && e->answer.v6[0] ? ", " : "", e->answer.v6);
		if (!e->have_answer && !e->failed)
			changed_soon(r); /* callers waiting for a first answer can stop waiting */
		e->failed = true;
		return;
	}
	e->failed = false;
	if (e->have_answer && same_addresses(&e->answer, a))
		return;
	log_info("host name %s resolves to %s%s%s", e->name, a->v4,
		 a->v4[0] && a->v6[0] ? ", " : "", a->v6);
	e->answer = *a;
	e->have_answer = true;
	changed_soon(r);
}

static void on_answer(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *r = arg;
	struct job *job;

	(void)what;
	while (recv(fd, &job, sizeof(job), MSG_DONTWAIT) == sizeof(job)) {
		struct entry *e = find(r, job->name);

		r->in_flight--;
		if (e) { /* else swept while it was looked up */
			e->in_flight = false;
			take_answer(r, e, &job->answer);
		}
		free(job);
	}
	start_due(r);
}

/* The refresh timer runs only while there are names: an idle daemon without any sleeps. */
static void arm_refresh(struct resolver *r)
{
	struct timeval period = { r->refresh_ms / 1000, (r->refresh_ms % 1000) * 1000 };

	if (r->n_entries && !event_pending(r->ev_refresh, EV_TIMEOUT, NULL))
		event_add(r->ev_refresh, &period);
}

void resolver_refresh(struct resolver *r)
{
	struct entry *e;

	TAILQ_FOREACH (e, &r->entries, link)
		e->due = !e->in_flight;
	start_due(r);
}

static void on_refresh(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	resolver_refresh(arg);
	arm_refresh(arg);
}

static void on_changed(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *r = arg;

	(void)fd;
	(void)what;
	r->changed(r->userdata);
}

int resolver_new(struct event_base *base, resolver_changed_fn changed, void *userdata,
		 struct resolver **ret)
{
	struct resolver *r = calloc(1, sizeof(*r));
	int sv[2];

	if (!r)
		return -ENOMEM;
	r->base = base;
	r->changed = changed;
	r->userdata = userdata;
	r->lookup = lookup_getaddrinfo;
	r->refresh_ms = RESOLVER_REFRESH_S * 1000;
	r->fd = -1;
	TAILQ_INIT(&r->entries);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0) {
		int err = -errno;

		free(r);
		return err;
	}
	r->fd = sv[0];
	r->ch = calloc(1, sizeof(*r->ch));
	if (r->ch) {
		pthread_mutex_init(&r->ch->lock, NULL);
		r->ch->fd = sv[1];
		r->ch->refs = 1;
	} else {
		close(sv[1]);
	}
	r->ev_answer = event_new(base, r->fd, EV_READ | EV_PERSIST, on_answer, r);
	r->ev_refresh = event_new(base, -1, 0, on_refresh, r);
	r->ev_changed = event_new(base, -1, 0, on_changed, r);
	if (!r->ch || !r->ev_answer || !r->ev_refresh || !r->ev_changed ||
	    event_add(r->ev_answer, NULL) < 0) {
		resolver_free(r);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

struct resolver *resolver_free(struct resolver *r)
{
	struct entry *e;
	struct job *job;

	if (!r)
		return NULL;
	if (r->ch) {
		/* After this, no worker sends; what was sent is in the socket already. */
		pthread_mutex_lock(&r->ch->lock);
		close(r->ch->fd);
		r->ch->fd = -1;
		pthread_mutex_unlock(&r->ch->lock);
		channel_unref(r->ch);
	}
	while (r->fd >= 0 && recv(r->fd, &job, sizeof(job), MSG_DONTWAIT) == sizeof(job))
		free(job);
	while ((e = TAILQ_FIRST(&r->entries))) {
		TAILQ_REMOVE(&r->entries, e, link);
		free(e);
	}
	if (r->ev_answer)
		event_free(r->ev_answer);
	if (r->ev_refresh)
		event_free(r->ev_refresh);
	if (r->ev_changed)
		event_free(r->ev_changed);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
	return NULL;
}

void resolver_set_lookup_fn(struct resolver *r, resolver_lookup_fn fn)
{
	r->lookup = fn;
}

void resolver_set_refresh_ms(struct resolver *r, unsigned ms)
{
	r->refresh_ms = ms ? ms : 1;
}

static const char *pick(const struct resolver_answer *a, unsigned families)
{
	if ((families & TID_IPV4) && a->v4[0])
		return a->v4;
	if ((families & TID_IPV6) && a->v6[0])
		return a->v6;
	return NULL;
}

int resolver_get(struct resolver *r, const char *name, unsigned families, char *addr, size_t len)
{
	struct entry *e = find(r, name);
	const char *a;

	if (!e) {
		if (strlen(name) >= sizeof(e->name))
			return -ENAMETOOLONG;
		if (r->n_entries >= RESOLVER_MAX_NAMES)
			return -ENOSPC;
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		memcpy(e->name, name, strlen(name) + 1);
		e->due = true;
		TAILQ_INSERT_TAIL(&r->entries, e, link);
		r->n_entries++;
		start_due(r);
		arm_refresh(r);
	}
	e->used = true;
	if (!e->have_answer)
		return e->failed ? -EHOSTUNREACH : -EAGAIN;
	a = pick(&e->answer, families);
	if (!a)
		return -EADDRNOTAVAIL;
	if (strlen(a) >= len)
		return -ENOBUFS;
	memcpy(addr, a, strlen(a) + 1);
	return 0;
}

void resolver_sweep(struct resolver *r)
{
	struct entry *e, *next;

	for (e = TAILQ_FIRST(&r->entries); e; e = next) {
		next = TAILQ_NEXT(e, link);
		if (e->used) {
			e->used = false;
			continue;
		}
		TAILQ_REMOVE(&r->entries, e, link);
		r->n_entries--;
		free(e);
	}
}

size_t resolver_names(const struct resolver *r)
{
	return r->n_entries;
}

unsigned resolver_generation(const struct resolver *r)
{
	return r->generation;
}

unsigned resolver_in_flight(const struct resolver *r)
{
	return r->in_flight;
}
