// SPDX-License-Identifier: Apache-2.0
/*
 * Feature identifiers by name, and the DW0 of the features a fabrics host
 * meets spelled out, so that a Get/Set Features answer reads without the
 * specification at hand.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "stas/cleanup.h"
#include "stas/nvme-decode.h"

static const char *const feature_names[] = {
	[0x01] = "Arbitration",
	[0x02] = "Power Management",
	[0x03] = "LBA Range Type",
	[0x04] = "Temperature Threshold",
	[0x05] = "Error Recovery",
	[0x06] = "Volatile Write Cache",
	[0x07] = "Number of Queues",
	[0x08] = "Interrupt Coalescing",
	[0x09] = "Interrupt Vector Configuration",
	[0x0a] = "Write Atomicity Normal",
	[0x0b] = "Asynchronous Event Configuration",
	[0x0c] = "Autonomous Power State Transition",
	[0x0d] = "Host Memory Buffer",
	[0x0e] = "Timestamp",
	[0x0f] = "Keep Alive Timer",
	[0x10] = "Host Controlled Thermal Management",
	[0x11] = "Non-Operational Power State Config",
	[0x12] = "Read Recovery Level Config",
	[0x13] = "Predictable Latency Mode Config",
	[0x14] = "Predictable Latency Mode Window",
	[0x15] = "LBA Status Information Attributes",
	[0x16] = "Host Behavior Support",
	[0x17] = "Sanitize Config",
	[0x18] = "Endurance Group Event Configuration",
	[0x19] = "I/O Command Set Profile",
	[0x1a] = "Spinup Control",
	[0x7d] = "Enhanced Controller Metadata",
	[0x7e] = "Controller Metadata",
	[0x7f] = "Namespace Metadata",
	[0x80] = "Software Progress Marker",
	[0x81] = "Host Identifier",
	[0x82] = "Reservation Notification Mask",
	[0x83] = "Reservation Persistence",
	[0x84] = "Namespace Write Protection Config",
};

const char *nvme_feature_name(uint8_t fid)
{
	if (fid >= 0xc0)
		return "Vendor Specific";
	if (fid < ARRAY_SIZE(feature_names) && feature_names[fid])
		return feature_names[fid];
	return "Reserved";
}

const char *nvme_feature_sel_str(uint8_t sel)
{
	static const char *const sels[] = { "current", "default", "saved",
					    "supported capabilities" };

	return sel < ARRAY_SIZE(sels) ? sels[sel] : "reserved";
}

/* Appends to a string that stays terminated and inside its buffer. */
struct text {
	char *buf;
	size_t len, used;
};

__attribute__((format(printf, 2, 3))) static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->used + 1 >= t->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->used = t->used + (size_t)n < t->len ? t->used + (size_t)n : t->len - 1;
}

static const struct {
	uint32_t bit;
	const char *name;
} aec_bits[] = {
	{ 1u << 8, "namespace attribute" },	 { 1u << 9, "firmware activation" },
	{ 1u << 10, "telemetry log" },		 { 1u << 11, "ANA change" },
	{ 1u << 12, "predictable latency" },	 { 1u << 13, "LBA status" },
	{ 1u << 14, "endurance group" },	 { 1u << 15, "normal NVM subsystem shutdown" },
	{ 1u << 27, "zone descriptor changed" }, { 1u << 31, "discovery log change" },
};

static void describe_aec(struct text *t, uint32_t v)
{
	const char *sep = "";

	add(t, "notices enabled: ");
	if (v & 0xff) {
		add(t, "SMART critical warnings 0x%02x", v & 0xff);
		sep = ", ";
	}
	for (size_t i = 0; i < ARRAY_SIZE(aec_bits); i++)
		if (v & aec_bits[i].bit) {
			add(t, "%s%s", sep, aec_bits[i].name);
			sep = ", ";
		}
	if (!*sep)
		add(t, "none");
}

char *nvme_feature_describe(uint8_t fid, uint32_t v, char *buf, size_t len)
{
	static const char *const wps[] = { "no write protect", "write protect",
					   "write protect until power cycle",
					   "permanent write protect" };
	struct text t = { buf, len, 0 };

	if (!len)
		return buf;
	buf[0] = '\0';
	switch (fid) {
	case NVME_FEAT_ARBITRATION:
		if ((v & 7) == 7)
			add(&t, "arbitration burst: unlimited");
		else
			add(&t, "arbitration burst: %u", 1u << (v & 7));
		add(&t, ", weights low %u, medium %u, high %u", ((v >> 8) & 0xff) + 1,
		    ((v >> 16) & 0xff) + 1, (v >> 24) + 1);
		break;
	case NVME_FEAT_POWER_MGMT:
		add(&t, "power state: %u, workload hint: %u", v & 0x1f, (v >> 5) & 7);
		break;
	case NVME_FEAT_TEMP_THRESH:
		add(&t, "%s threshold of sensor %u: %u K (%d °C)",
		    (v >> 20) & 3 ? "under-temperature" : "over-temperature", (v >> 16) & 0xf,
		    v & 0xffff, nvme_kelvin_to_celsius((uint16_t)(v & 0xffff)));
		break;
	case NVME_FEAT_ERR_RECOVERY:
		add(&t,
		    "time limited error recovery: %u ms, deallocated or unwritten block error: %s",
		    (v & 0xffff) * 100, v & (1u << 16) ? "enabled" : "disabled");
		break;
	case NVME_FEAT_VOLATILE_WC:
		add(&t, "volatile write cache: %s", v & 1 ? "enabled" : "disabled");
		break;
	case NVME_FEAT_NUM_QUEUES:
		add(&t, "I/O submission queues: %u, completion queues: %u", (v & 0xffff) + 1,
		    (v >> 16) + 1);
		break;
	case NVME_FEAT_ASYNC_EVENT:
		describe_aec(&t, v);
		break;
	case NVME_FEAT_KATO:
		add(&t, "keep-alive timeout: %u ms", v);
		break;
	case NVME_FEAT_RESV_MASK:
		add(&t,
		    "masked: registration preempted %s, reservation released %s, "
		    "reservation preempted %s",
		    v & 2 ? "yes" : "no", v & 4 ? "yes" : "no", v & 8 ? "yes" : "no");
		break;
	case NVME_FEAT_RESV_PERSIST:
		add(&t, "persist through power loss: %s", v & 1 ? "yes" : "no");
		break;
	case NVME_FEAT_WRITE_PROTECT:
		add(&t, "%s", (v & 7) < ARRAY_SIZE(wps) ? wps[v & 7] : "reserved state");
		break;
	default:
		break;
	}
	return buf;
}

char *nvme_feature_caps_describe(uint32_t caps, char *buf, size_t len)
{
	static const char *const names[] = { "saveable", "namespace specific", "changeable" };
	struct text t = { buf, len, 0 };
	const char *sep = "";

	if (!len)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if (caps & (1u << i)) {
			add(&t, "%s%s", sep, names[i]);
			sep = ", ";
		}
	if (!*sep)
		add(&t, "none");
	return buf;
}
