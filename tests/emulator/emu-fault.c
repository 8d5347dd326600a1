// SPDX-License-Identifier: Apache-2.0
/*
 * Fault slots: one per fault per port, each armed for a number of shots
 * (or forever). The code that can misbehave asks emu_fault_take() at the
 * one place where the fault applies; nothing else knows about faults.
 */
#include <errno.h>
#include <string.h>

#include "emu-private.h"

static const char *const fault_names[EMU__FAULT_MAX] = {
	[EMU_FAULT_REFUSE] = "refuse",
	[EMU_FAULT_DROP] = "drop",
	[EMU_FAULT_NO_ICRESP] = "no-icresp",
	[EMU_FAULT_STALL_AFTER] = "stall-after",
	[EMU_FAULT_CLOSE_AFTER] = "close-after",
	[EMU_FAULT_BAD_HDGST] = "bad-hdgst",
	[EMU_FAULT_BAD_DDGST] = "bad-ddgst",
	[EMU_FAULT_TERM_REQ] = "term-req",
	[EMU_FAULT_UNKNOWN_CID] = "unknown-cid",
	[EMU_FAULT_EXTRA_C2H] = "extra-c2h",
	[EMU_FAULT_BAD_R2T] = "bad-r2t",
	[EMU_FAULT_MALFORMED] = "malformed",
	[EMU_FAULT_GENCTR_BUMP] = "genctr-bump",
	[EMU_FAULT_DISC_RESTART] = "disc-restart",
	[EMU_FAULT_DELAY] = "delay",
};

const char *emu_fault_name(enum emu_fault fault)
{
	return (unsigned)fault < EMU__FAULT_MAX ? fault_names[fault] : "unknown";
}

int emu_fault_from_name(const char *name, enum emu_fault *ret)
{
	for (unsigned i = 0; i < EMU__FAULT_MAX; i++)
		if (!strcmp(name, fault_names[i])) {
			*ret = (enum emu_fault)i;
			return 0;
		}
	return -EINVAL;
}

/* What arg 0 means, so "fault 1 term-req" does something useful. */
static int32_t default_arg(enum emu_fault f)
{
	switch (f) {
	case EMU_FAULT_TERM_REQ:
		return NTCP_FES_INVALID_HEADER;
	case EMU_FAULT_EXTRA_C2H:
		return 4;
	case EMU_FAULT_MALFORMED:
		return EMU_MALFORMED_HLEN;
	default:
		return 0;
	}
}

static bool arg_valid(enum emu_fault f, int32_t arg)
{
	switch (f) {
	case EMU_FAULT_MALFORMED:
		return arg >= EMU_MALFORMED_HLEN && arg <= EMU_MALFORMED_TYPE;
	case EMU_FAULT_TERM_REQ:
		return arg >= 0 && arg <= 0xffff;
	case EMU_FAULT_EXTRA_C2H:
		return arg > 0 && arg % 4 == 0 && arg <= 65536;
	default:
		return arg >= 0;
	}
}

int emu_set_fault(struct emu *emu, uint16_t portid, enum emu_fault fault, int32_t arg,
		  uint32_t times)
{
	struct emu_port *port = emu_port_find(emu, portid);
	struct emu_fault_slot *slot;
	struct emu_conn *c;

	if (!port)
		return -ENOENT;
	if ((unsigned)fault >= EMU__FAULT_MAX)
		return -EINVAL;
	if (!arg)
		arg = default_arg(fault);
	if (!arg_valid(fault, arg))
		return -EINVAL;
	if (fault == EMU_FAULT_DROP) {
		port->faults[fault].fired++;
		while ((c = TAILQ_FIRST(&port->conns)))
			emu_conn_close(c, false, "fault: drop");
		return 0;
	}
	slot = &port->faults[fault];
	slot->arg = arg;
	slot->times = times;
	slot->fired = 0;
	slot->count = 0;
	if (fault == EMU_FAULT_DELAY && !times) /* let held PDUs go now */
		TAILQ_FOREACH (c, &port->conns, link)
			emu_send_flush_delayed(c);
	return 0;
}

uint32_t emu_fault_fired(struct emu *emu, uint16_t portid, enum emu_fault fault)
{
	struct emu_port *port = emu_port_find(emu, portid);

	if (!port || (unsigned)fault >= EMU__FAULT_MAX)
		return 0;
	return port->faults[fault].fired;
}

static void shoot(struct emu_port *port, struct emu_fault_slot *slot, enum emu_fault f)
{
	if (slot->times != EMU_FAULT_FOREVER)
		slot->times--;
	slot->fired++;
	emu_log(port->emu, EMU_LOG_INFO, "port %u: fault %s fires (arg %d)", port->portid,
		fault_names[f], slot->arg);
}

bool emu_fault_armed(const struct emu_port *port, enum emu_fault f)
{
	return port->faults[f].times != 0;
}

bool emu_fault_take(struct emu_port *port, enum emu_fault f, int32_t *ret_arg)
{
	struct emu_fault_slot *slot = &port->faults[f];

	if (!slot->times)
		return false;
	shoot(port, slot, f);
	if (ret_arg)
		*ret_arg = slot->arg;
	return true;
}

/*
 * For the "after N commands" faults: count one command; fire on the one
 * that follows N counted ones, then start counting again for the next shot.
 */
bool emu_fault_count(struct emu_port *port, enum emu_fault f, int32_t *ret_arg)
{
	struct emu_fault_slot *slot = &port->faults[f];

	if (!slot->times)
		return false;
	if (slot->count < (uint32_t)slot->arg) {
		slot->count++;
		return false;
	}
	slot->count = 0;
	shoot(port, slot, f);
	if (ret_arg)
		*ret_arg = slot->arg;
	return true;
}
