/* SPDX-License-Identifier: Apache-2.0 */
/*
 * "stacctl state": stacd's typed view of its I/O controllers
 * (org.nvmexpress.stac.state.controllers()) read into a json-c value, and the
 * table stacctl prints of it. Pure functions, so the tests can drive them.
 *
 * The value is an array with one object per controller:
 *   {"tid": {"transport": "tcp", ...}, "connected": true, "state": "live",
 *    "last_error": "", "reconnects": 0, "io_queues": 4,
 *    "namespaces": [{"nsid": 1, "anagrpid": 1, "ana_state": "optimized"}]}
 */
#ifndef STAS_CTL_STATE_H
#define STAS_CTL_STATE_H

#include <json-c/json.h>
#include <systemd/sd-bus.h>

/* Per controller: TID dict, connected, state, last error, reconnects, I/O queues, namespaces. */
#define CTL_STATE_SIGNATURE "a(a{ss}bssuua(uus))"

/**
 * ctl_state_read() - read a controllers() reply (@m, not yet read) into the
 * array described above.
 *
 * Return: 0 with *@ret_ctrls set; -EBADMSG when @m's signature is not
 * CTL_STATE_SIGNATURE or it cannot be read; -ENOMEM.
 */
int ctl_state_read(sd_bus_message *m, struct json_object **ret_ctrls);

/**
 * ctl_tid_text() - a controller identity as nvme-stas prints it:
 * "(transport, traddr, trsvcid, subsysnqn, host-iface, host-traddr)", empty
 * fields left out, host-nqn not shown.
 *
 * Return: a new string, or NULL when out of memory.
 */
char *ctl_tid_text(struct json_object *tid);

/**
 * ctl_state_table() - the table "stacctl state" prints: a header, then one
 * line per controller sorted by identity text, columns aligned; control
 * characters shown as \xNN so that a line stays a line. No trailing newline.
 *
 * Return: a new string, or NULL when out of memory.
 */
char *ctl_state_table(struct json_object *ctrls);

#endif
