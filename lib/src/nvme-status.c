// SPDX-License-Identifier: Apache-2.0
/*
 * Status names as the NVMe Base and NVMe-oF specifications spell them, so
 * an error a user reads can be looked up in the spec.
 */
#include <stdio.h>

#include "stas/cleanup.h"
#include "stas/nvme-status.h"

struct status_name {
	uint16_t status; /* SCT and SC only */
	enum nvme_cmd_class cls;
	const char *name;
};

#define S(sct, sc, cls, name)                                                                      \
	{                                                                                          \
		NVME_STATUS(sct, sc), cls, name                                                    \
	}

static const struct status_name names[] = {
	S(0, 0x00, NVME_CMD_ANY, "Successful Completion"),
	S(0, 0x01, NVME_CMD_ANY, "Invalid Command Opcode"),
	S(0, 0x02, NVME_CMD_ANY, "Invalid Field in Command"),
	S(0, 0x03, NVME_CMD_ANY, "Command ID Conflict"),
	S(0, 0x04, NVME_CMD_ANY, "Data Transfer Error"),
	S(0, 0x05, NVME_CMD_ANY, "Commands Aborted due to Power Loss Notification"),
	S(0, 0x06, NVME_CMD_ANY, "Internal Error"),
	S(0, 0x07, NVME_CMD_ANY, "Command Abort Requested"),
	S(0, 0x08, NVME_CMD_ANY, "Command Aborted due to SQ Deletion"),
	S(0, 0x09, NVME_CMD_ANY, "Command Aborted due to Failed Fused Command"),
	S(0, 0x0a, NVME_CMD_ANY, "Command Aborted due to Missing Fused Command"),
	S(0, 0x0b, NVME_CMD_ANY, "Invalid Namespace or Format"),
	S(0, 0x0c, NVME_CMD_ANY, "Command Sequence Error"),
	S(0, 0x0d, NVME_CMD_ANY, "Invalid SGL Segment Descriptor"),
	S(0, 0x0e, NVME_CMD_ANY, "Invalid Number of SGL Descriptors"),
	S(0, 0x0f, NVME_CMD_ANY, "Data SGL Length Invalid"),
	S(0, 0x10, NVME_CMD_ANY, "Metadata SGL Length Invalid"),
	S(0, 0x11, NVME_CMD_ANY, "SGL Descriptor Type Invalid"),
	S(0, 0x12, NVME_CMD_ANY, "Invalid Use of Controller Memory Buffer"),
	S(0, 0x13, NVME_CMD_ANY, "PRP Offset Invalid"),
	S(0, 0x14, NVME_CMD_ANY, "Atomic Write Unit Exceeded"),
	S(0, 0x15, NVME_CMD_ANY, "Operation Denied"),
	S(0, 0x16, NVME_CMD_ANY, "SGL Offset Invalid"),
	S(0, 0x18, NVME_CMD_ANY, "Host Identifier Inconsistent Format"),
	S(0, 0x19, NVME_CMD_ANY, "Keep Alive Timer Expired"),
	S(0, 0x1a, NVME_CMD_ANY, "Keep Alive Timeout Invalid"),
	S(0, 0x1b, NVME_CMD_ANY, "Command Aborted due to Preempt and Abort"),
	S(0, 0x1c, NVME_CMD_ANY, "Sanitize Failed"),
	S(0, 0x1d, NVME_CMD_ANY, "Sanitize In Progress"),
	S(0, 0x1e, NVME_CMD_ANY, "SGL Data Block Granularity Invalid"),
	S(0, 0x1f, NVME_CMD_ANY, "Command Not Supported for Queue in CMB"),
	S(0, 0x20, NVME_CMD_ANY, "Namespace is Write Protected"),
	S(0, 0x21, NVME_CMD_ANY, "Command Interrupted"),
	S(0, 0x22, NVME_CMD_ANY, "Transient Transport Error"),
	S(0, 0x23, NVME_CMD_ANY, "Command Prohibited by Command and Feature Lockdown"),
	S(0, 0x24, NVME_CMD_ANY, "Admin Command Media Not Ready"),
	S(0, 0x80, NVME_CMD_ANY, "LBA Out of Range"),
	S(0, 0x81, NVME_CMD_ANY, "Capacity Exceeded"),
	S(0, 0x82, NVME_CMD_ANY, "Namespace Not Ready"),
	S(0, 0x83, NVME_CMD_ANY, "Reservation Conflict"),
	S(0, 0x84, NVME_CMD_ANY, "Format In Progress"),

	S(1, 0x00, NVME_CMD_ANY, "Completion Queue Invalid"),
	S(1, 0x01, NVME_CMD_ANY, "Invalid Queue Identifier"),
	S(1, 0x02, NVME_CMD_ANY, "Invalid Queue Size"),
	S(1, 0x03, NVME_CMD_ANY, "Abort Command Limit Exceeded"),
	S(1, 0x05, NVME_CMD_ANY, "Asynchronous Event Request Limit Exceeded"),
	S(1, 0x06, NVME_CMD_ANY, "Invalid Firmware Slot"),
	S(1, 0x07, NVME_CMD_ANY, "Invalid Firmware Image"),
	S(1, 0x08, NVME_CMD_ANY, "Invalid Interrupt Vector"),
	S(1, 0x09, NVME_CMD_ANY, "Invalid Log Page"),
	S(1, 0x0a, NVME_CMD_ANY, "Invalid Format"),
	S(1, 0x0b, NVME_CMD_ANY, "Firmware Activation Requires Conventional Reset"),
	S(1, 0x0c, NVME_CMD_ANY, "Invalid Queue Deletion"),
	S(1, 0x0d, NVME_CMD_ANY, "Feature Identifier Not Saveable"),
	S(1, 0x0e, NVME_CMD_ANY, "Feature Not Changeable"),
	S(1, 0x0f, NVME_CMD_ANY, "Feature Not Namespace Specific"),
	S(1, 0x14, NVME_CMD_ANY, "Overlapping Range"),
	S(1, 0x15, NVME_CMD_ANY, "Namespace Insufficient Capacity"),
	S(1, 0x16, NVME_CMD_ANY, "Namespace Identifier Unavailable"),
	S(1, 0x18, NVME_CMD_ANY, "Namespace Already Attached"),
	S(1, 0x19, NVME_CMD_ANY, "Namespace Is Private"),
	S(1, 0x1a, NVME_CMD_ANY, "Namespace Not Attached"),
	S(1, 0x1c, NVME_CMD_ANY, "Controller List Invalid"),
	S(1, 0x80, NVME_CMD_IO, "Conflicting Attributes"),
	S(1, 0x81, NVME_CMD_IO, "Invalid Protection Information"),
	S(1, 0x82, NVME_CMD_IO, "Attempted Write to Read Only Range"),
	S(1, 0x80, NVME_CMD_FABRICS, "Connect Incompatible Format"),
	S(1, 0x81, NVME_CMD_FABRICS, "Connect Controller Busy"),
	S(1, 0x82, NVME_CMD_FABRICS, "Connect Invalid Parameters"),
	S(1, 0x83, NVME_CMD_FABRICS, "Connect Restart Discovery"),
	S(1, 0x84, NVME_CMD_FABRICS, "Connect Invalid Host"),
	S(1, 0x85, NVME_CMD_FABRICS, "Invalid Queue Type"),
	S(1, 0x90, NVME_CMD_ANY, "Discover Restart"),
	S(1, 0x91, NVME_CMD_ANY, "Authentication Required"),

	S(2, 0x80, NVME_CMD_ANY, "Write Fault"),
	S(2, 0x81, NVME_CMD_ANY, "Unrecovered Read Error"),
	S(2, 0x82, NVME_CMD_ANY, "End-to-end Guard Check Error"),
	S(2, 0x83, NVME_CMD_ANY, "End-to-end Application Tag Check Error"),
	S(2, 0x84, NVME_CMD_ANY, "End-to-end Reference Tag Check Error"),
	S(2, 0x85, NVME_CMD_ANY, "Compare Failure"),
	S(2, 0x86, NVME_CMD_ANY, "Access Denied"),
	S(2, 0x87, NVME_CMD_ANY, "Deallocated or Unwritten Logical Block"),

	S(3, 0x00, NVME_CMD_ANY, "Internal Path Error"),
	S(3, 0x01, NVME_CMD_ANY, "Asymmetric Access Persistent Loss"),
	S(3, 0x02, NVME_CMD_ANY, "Asymmetric Access Inaccessible"),
	S(3, 0x03, NVME_CMD_ANY, "Asymmetric Access Transition"),
	S(3, 0x60, NVME_CMD_ANY, "Controller Pathing Error"),
	S(3, 0x70, NVME_CMD_ANY, "Host Pathing Error"),
	S(3, 0x71, NVME_CMD_ANY, "Command Aborted By Host"),
};

static const char *const sct_names[8] = {
	[NVME_SCT_GENERIC] = "Generic Command Status",
	[NVME_SCT_CMD] = "Command Specific Status",
	[NVME_SCT_MEDIA] = "Media and Data Integrity Errors",
	[NVME_SCT_PATH] = "Path Related Status",
	[NVME_SCT_VENDOR] = "Vendor Specific",
};

const char *nvme_status_name(uint16_t status, enum nvme_cmd_class cls)
{
	uint16_t key = status & 0x7ff;
	const char *any = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (names[i].status != key)
			continue;
		if (names[i].cls == cls)
			return names[i].name;
		if (names[i].cls == NVME_CMD_ANY)
			any = names[i].name;
	}
	if (any)
		return any;
	if (NVME_STATUS_SCT(status) == NVME_SCT_VENDOR)
		return "Vendor Specific Status";
	/* The command kind is unknown: a command-specific name is still better than none. */
	for (size_t i = 0; cls == NVME_CMD_ANY && i < ARRAY_SIZE(names); i++)
		if (names[i].status == key)
			return names[i].name;
	return "Unknown Status";
}

const char *nvme_sct_name(uint8_t sct)
{
	if (sct >= ARRAY_SIZE(sct_names) || !sct_names[sct])
		return "Reserved Status Code Type";
	return sct_names[sct];
}

char *nvme_status_format(uint16_t status, enum nvme_cmd_class cls, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s (SCT 0x%x SC 0x%02x", nvme_status_name(status, cls),
			 NVME_STATUS_SCT(status), NVME_STATUS_SC(status));

	if (n < 0 || (size_t)n >= len)
		return buf;
	if (status & NVME_STATUS_DNR)
		n += snprintf(buf + n, len - n, ", DNR");
	if ((size_t)n < len && (status & NVME_STATUS_MORE))
		n += snprintf(buf + n, len - n, ", MORE");
	if ((size_t)n < len && NVME_STATUS_CRD(status))
		n += snprintf(buf + n, len - n, ", CRD %u", NVME_STATUS_CRD(status));
	if ((size_t)n < len)
		snprintf(buf + n, len - n, ")");
	return buf;
}
