/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test's side of stas-target-emu's control socket (doc/emulator.md): one
 * command line, its answer.
 */
#ifndef STAS_TEST_EMU_CTL_CLIENT_H
#define STAS_TEST_EMU_CTL_CLIENT_H

#include <stddef.h>

/**
 * emu_ctl_send() - send @cmd on the socket at @path; the answer (information
 * lines, then OK or ERR ...) into @reply.
 *
 * Return: 0 when the answer ends in OK; -EREMOTEIO for ERR; -errno when the
 * socket could not be used.
 */
int emu_ctl_send(const char *path, const char *cmd, char *reply, size_t size);

#endif
