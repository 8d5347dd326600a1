/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control of a running emulator: a line protocol (one command per line,
 * answered by zero or more information lines and then "OK" or "ERR <why>")
 * and a unix stream socket that speaks it. doc/emulator.md lists the
 * commands; `help` lists them too.
 */
#ifndef STAS_EMU_CTL_H
#define STAS_EMU_CTL_H

#include <stddef.h>

struct emu;
struct emu_ctl;
struct evbuffer;

/**
 * emu_ctl_exec() - run one command line against @emu.
 * @out: the reply lines, the last one "OK" or "ERR <why>"
 *
 * Return: 0 when the command succeeded, a negative errno when not.
 */
int emu_ctl_exec(struct emu *emu, const char *line, struct evbuffer *out);

/**
 * emu_ctl_add_subsys() - a subsystem from a spec, as the `add-subsys`
 * command and `stas-target-emu --subsys` take it:
 *   NQN[,sn=SERIAL][,mn=MODEL][,ns=NSID:SIZE[:LBA[:GRP]]]...[,null][,ports=P+P|all|none]
 * SIZE takes K/M/G/T suffixes (powers of 1024). Without ns=, one 64 MiB
 * namespace; without ports=, every port.
 * @why/@len: the reason on failure
 */
int emu_ctl_add_subsys(struct emu *emu, const char *spec, char *why, size_t len);

/**
 * emu_ctl_parse_size() - "64M" -> 67108864.
 */
int emu_ctl_parse_size(const char *s, unsigned long long *ret);

/**
 * emu_ctl_new() - listen on the unix socket @path (an old socket there is
 * replaced) on the emulator's event loop.
 */
int emu_ctl_new(struct emu *emu, const char *path, struct emu_ctl **ret);

/**
 * emu_ctl_free() - close the socket, its clients, and remove @path.
 */
void emu_ctl_free(struct emu_ctl *ctl);

#endif
