// SPDX-License-Identifier: Apache-2.0
/*
 * The control socket: a unix stream listener on the emulator's loop; each
 * client sends lines and gets the replies of emu_ctl_exec(). A line longer
 * than LINE_MAX_LEN ends the client (nothing legitimate is that long).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "emu-ctl.h"
#include "emu-private.h"
#include "stas/cleanup.h"

#define LINE_MAX_LEN 4096

struct ctl_client {
	LIST_ENTRY(ctl_client) link;
	struct emu_ctl *ctl;
	struct bufferevent *bev;
};

struct emu_ctl {
	struct emu *emu;
	char *path;
	int fd;
	struct event *ev;
	LIST_HEAD(, ctl_client) clients;
};

static void client_free(struct ctl_client *cl)
{
	LIST_REMOVE(cl, link);
	bufferevent_free(cl->bev);
	free(cl);
}

static void client_read(struct bufferevent *bev, void *arg)
{
	struct ctl_client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = bufferevent_get_output(bev);
	char *line;

	while ((line = evbuffer_readln(in, NULL, EVBUFFER_EOL_LF))) {
		emu_ctl_exec(cl->ctl->emu, line, out);
		free(line);
	}
	if (evbuffer_get_length(in) > LINE_MAX_LEN) {
		evbuffer_add_printf(out, "ERR line too long\n");
		client_free(cl); /* libevent defers the real free past this callback */
	}
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_free(arg);
}

static void accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct emu_ctl *ctl = arg;
	struct ctl_client *cl;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	cl = calloc(1, sizeof(*cl));
	if (cl)
		cl->bev = bufferevent_socket_new(ctl->emu->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!cl || !cl->bev) {
		free(cl);
		close(fd);
		return;
	}
	cl->ctl = ctl;
	LIST_INSERT_HEAD(&ctl->clients, cl, link);
	bufferevent_setcb(cl->bev, client_read, NULL, client_event, cl);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
}

/* Replace a stale socket from an earlier run, never any other kind of file. */
static int unlink_stale(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	return unlink(path) < 0 ? -errno : 0;
}

int emu_ctl_new(struct emu *emu, const char *path, struct emu_ctl **ret)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	struct emu_ctl *ctl;
	int r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	r = unlink_stale(path);
	if (r < 0)
		return r;
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 16) < 0)
		return -errno;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->emu = emu;
	LIST_INIT(&ctl->clients);
	ctl->path = strdup(path);
	ctl->ev = event_new(emu->base, fd, EV_READ | EV_PERSIST, accept_cb, ctl);
	if (!ctl->path || !ctl->ev || event_add(ctl->ev, NULL) < 0) {
		if (ctl->ev)
			event_free(ctl->ev);
		free(ctl->path);
		free(ctl);
		unlink(path);
		return -ENOMEM;
	}
	ctl->fd = TAKE_FD(fd);
	*ret = ctl;
	return 0;
}

void emu_ctl_free(struct emu_ctl *ctl)
{
	if (!ctl)
		return;
	while (!LIST_EMPTY(&ctl->clients))
		client_free(LIST_FIRST(&ctl->clients));
	event_free(ctl->ev);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}
