/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoders for the data structures a controller returns: Identify
 * (controller, namespace, active namespace list, namespace descriptors),
 * the discovery log page, the ANA log, the changed namespace list, the
 * SMART / Health Information log and asynchronous event completions.
 *
 * Every decoder takes the received buffer and its length, checks every
 * count and length it reads against that buffer (and against sane limits)
 * before using it, and turns the little-endian wire layout into host
 * structures with trimmed, NUL-terminated strings. On bad input it returns
 * -EBADMSG and says which field of which record was wrong.
 */
#ifndef STAS_NVME_DECODE_H
#define STAS_NVME_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stas/error.h"
#include "stas/nvme-spec.h"

/* ---- Text fields -------------------------------------------------------------- */

/**
 * nvme_text_check() - the test every text field of a decoded structure
 * passes (SN, MN, FR, TRSVCID, TRADDR, SUBNQN): @len bytes at @s, all
 * printable ASCII (0x20..0x7e), fewer than @size so that a NUL fits after
 * them. The decoders call it on the wire bytes; text that reaches a daemon
 * another way (a state file keeping a copy) goes through it too, so that
 * nothing reaches a D-Bus reply or a Connect command that the wire could
 * not have said.
 *
 * Return: 0, or -EBADMSG naming @what, the first bad byte and its offset,
 * or the length.
 */
int nvme_text_check(const char *s, size_t len, size_t size, const char *what, struct stas_error *e);

/* ---- Identify Controller ------------------------------------------------------ */

struct nvme_ctrl_id {
	uint16_t vid, ssvid, cntlid;
	char sn[21], mn[41], fr[9];
	char subnqn[NVMF_NQN_MAX_LEN + 1];
	uint32_t ver, rtd3e, oaes, ctratt, nn, sgls, mnan;
	uint32_t anagrpmax, nanagrpid;
	uint32_t ioccsz, iorcsz; /* 16-byte units */
	uint16_t oacs, oncs, kas, maxcmd, icdoff, crdt[3];
	uint8_t mdts, cmic, cntrltype, dctype, aerl, lpa, anatt, anacap, vwc, msdbd, fcatt;
	uint8_t elpe; /* error log page entries, 0's based */
};

/**
 * nvme_id_ctrl_decode() - decode Identify Controller data (CNS 0x01).
 * @buf/@len: the received data; @len must be 4096
 *
 * Return: 0, or -EBADMSG when the length is wrong or a text field (SN, MN,
 * FR, SUBNQN) is not printable ASCII.
 */
int nvme_id_ctrl_decode(const void *buf, size_t len, struct nvme_ctrl_id *ret,
			struct stas_error *e);

/**
 * nvme_ctrl_id_max_xfer() - largest data transfer the controller accepts, in
 * bytes, from MDTS and CAP.MPSMIN; 0 means no limit.
 */
uint64_t nvme_ctrl_id_max_xfer(const struct nvme_ctrl_id *id, uint64_t cap);

/**
 * nvme_cntrltype_str() - CNTRLTYPE by the kernel's sysfs name: "io",
 * "discovery", "admin"; "reserved" for 0 and what lies past them.
 */
const char *nvme_cntrltype_str(uint8_t cntrltype);

/** nvme_dctype_str() - DCTYPE by the kernel's sysfs name: "none", "ddc", "cdc", "reserved". */
const char *nvme_dctype_str(uint8_t dctype);

/* ---- Identify Namespace --------------------------------------------------------- */

struct nvme_ns_id {
	bool active; /* NSZE != 0; an inactive NSID returns all zeroes */
	uint64_t nsze, ncap, nuse;
	uint32_t lba_size; /* bytes, from the LBA format in use */
	uint16_t ms;	   /* metadata bytes per LBA */
	uint8_t lbaf;	   /* index of the format in use */
	uint8_t nlbaf;	   /* number of formats, 1's based */
	bool extended_lba; /* metadata inline with the data */
	uint32_t anagrpid;
	uint8_t nsfeat, nmic, rescap, nsattr, dlfeat;
	uint8_t nguid[16], eui64[8];
};

/**
 * nvme_id_ns_decode() - decode Identify Namespace data (CNS 0x00).
 *
 * Return: 0, or -EBADMSG for a wrong length, NLBAF above 64, an in-use
 * format index past NLBAF, or an LBA data size outside 2^9..2^31 on an
 * active namespace.
 */
int nvme_id_ns_decode(const void *buf, size_t len, struct nvme_ns_id *ret, struct stas_error *e);

/**
 * nvme_ns_list_decode() - decode an active namespace ID list (CNS 0x02).
 * @after: the NSID the command asked for entries after
 * @ret/@max: where to put the NSIDs
 * @ret_n: how many were found; @ret_more: the page was full (ask again
 *	   with the last NSID)
 *
 * Return: 0, or -EBADMSG when the list is not strictly ascending, starts at
 * or below @after, or contains the broadcast NSID; -ENOSPC when @max is too
 * small.
 */
int nvme_ns_list_decode(const void *buf, size_t len, uint32_t after, uint32_t *ret, size_t max,
			size_t *ret_n, bool *ret_more, struct stas_error *e);

struct nvme_ns_descs {
	bool has_eui64, has_nguid, has_uuid, has_csi;
	uint8_t eui64[8], nguid[16], uuid[16];
	uint8_t csi;
};

/**
 * nvme_ns_descs_decode() - decode a namespace identification descriptor
 * list (CNS 0x03). Unknown descriptor types are skipped.
 *
 * Return: 0, or -EBADMSG when a descriptor runs past the buffer or has the
 * wrong length for its type.
 */
int nvme_ns_descs_decode(const void *buf, size_t len, struct nvme_ns_descs *ret,
			 struct stas_error *e);

/* ---- Discovery log page ------------------------------------------------------------ */

/* More records than this is treated as a lie (4 MiB of log). */
#define NVMF_DISC_LOG_MAX_RECORDS 4096

#define NVMF_TRSVCID_MAX_LEN	  32
#define NVMF_TRADDR_MAX_LEN	  255

struct nvmf_disc_entry {
	uint8_t trtype, adrfam, subtype, treq;
	uint16_t portid, cntlid, asqsz, eflags;
	char trsvcid[NVMF_TRSVCID_MAX_LEN + 1];
	char traddr[NVMF_TRADDR_MAX_LEN + 1];
	char subnqn[NVMF_NQN_MAX_LEN + 1];
	uint8_t tsas[256];
};

struct nvmf_disc_log_info {
	uint64_t genctr;
	uint64_t numrec;
	uint16_t recfmt;
	uint8_t dlpf;
};

struct nvmf_disc_log {
	struct nvmf_disc_log_info hdr;
	size_t nr;
	struct nvmf_disc_entry entries[];
};

/**
 * nvmf_disc_log_hdr_decode() - decode the 1024-byte discovery log header.
 *
 * Return: 0, or -EBADMSG when @len is short, or NUMREC exceeds
 * NVMF_DISC_LOG_MAX_RECORDS.
 */
int nvmf_disc_log_hdr_decode(const void *buf, size_t len, struct nvmf_disc_log_info *ret,
			     struct stas_error *e);

/**
 * nvmf_disc_entry_decode() - decode one 1024-byte log entry.
 *
 * Return: 0, or -EBADMSG naming the field when TRSVCID, TRADDR or SUBNQN is
 * not printable ASCII, is not terminated inside its field, or SUBNQN is
 * longer than 223 bytes.
 */
int nvmf_disc_entry_decode(const void *buf, struct nvmf_disc_entry *ret, struct stas_error *e);

/**
 * nvmf_disc_log_decode() - decode a whole log (header plus NUMREC entries).
 * @ret: allocated; free with free()
 *
 * Return: 0, -EBADMSG (bad header, @len shorter than NUMREC entries, or a
 * bad entry, named by index) or -ENOMEM.
 */
int nvmf_disc_log_decode(const void *buf, size_t len, struct nvmf_disc_log **ret,
			 struct stas_error *e);

const char *nvmf_trtype_str(uint8_t trtype);
const char *nvmf_adrfam_str(uint8_t adrfam);
const char *nvmf_subtype_str(uint8_t subtype);
const char *nvmf_treq_str(uint8_t treq);
const char *nvmf_sectype_str(uint8_t sectype);

/* ---- ANA log -------------------------------------------------------------------------- */

struct nvme_ana_group {
	uint32_t grpid;
	uint8_t state; /* enum nvme_ana_state */
	uint64_t chgcnt;
	uint32_t nnsids;
	uint32_t *nsids; /* points into the same allocation */
};

struct nvme_ana_log {
	uint64_t chgcnt;
	uint16_t ngrps;
	struct nvme_ana_group groups[];
};

/**
 * nvme_ana_log_decode() - decode an ANA log page.
 * @rgo: the log was read with "return groups only" (no NSID lists)
 * @ret: allocated in one block; free with free()
 *
 * Return: 0, -EBADMSG (a descriptor or its NSID list runs past @len, or a
 * group reports an undefined ANA state) or -ENOMEM.
 */
int nvme_ana_log_decode(const void *buf, size_t len, bool rgo, struct nvme_ana_log **ret,
			struct stas_error *e);

/**
 * nvme_ana_log_max_len() - the most bytes an ANA log of this controller
 * can hold: header, NANAGRPID descriptors and MNAN namespace IDs (NN when
 * MNAN is 0 or larger than NN, as the Linux host does).
 */
size_t nvme_ana_log_max_len(const struct nvme_ctrl_id *id, bool rgo);

/**
 * nvme_ana_state_str() - "optimized", "non-optimized", "inaccessible",
 * "persistent-loss", "change"; "invalid" otherwise.
 */
const char *nvme_ana_state_str(uint8_t state);

/* ---- Changed namespace list -------------------------------------------------------------- */

/**
 * nvme_changed_ns_decode() - decode the Changed Namespace List log (LID 0x04).
 * @ret_overflow: true when the controller says more than 1024 changed (rescan all)
 *
 * Return: 0, -EBADMSG (not a 4096-byte page), -ENOSPC (@max too small).
 */
int nvme_changed_ns_decode(const void *buf, size_t len, uint32_t *ret, size_t max, size_t *ret_n,
			   bool *ret_overflow, struct stas_error *e);

/* ---- SMART / Health Information log (LID 0x02) ------------------------------------------ */

/* A 128-bit counter, exact: value = hi * 2^64 + lo. */
struct nvme_u128 {
	uint64_t lo, hi;
};

/* Room for the decimal digits of 2^128 - 1 (39) and a NUL. */
#define NVME_U128_STR_LEN 40

struct nvme_smart_log {
	uint8_t critical_warning;			 /* enum nvme_smart_cw bits */
	uint16_t temperature;				 /* composite, Kelvin; 0: not reported */
	uint8_t avail_spare, spare_thresh, percent_used; /* % */
	uint8_t endu_grp_crit_warn;			 /* summary, same bit meanings */
	struct nvme_u128 data_units_read, data_units_written; /* 1000 x 512 bytes, rounded up */
	struct nvme_u128 host_reads, host_writes;	      /* commands */
	struct nvme_u128 ctrl_busy_time;		      /* minutes */
	struct nvme_u128 power_cycles, power_on_hours, unsafe_shutdowns;
	struct nvme_u128 media_errors, num_err_log_entries;
	uint32_t warning_temp_time, critical_temp_time; /* minutes */
	uint16_t temp_sensor[8];			/* Kelvin; 0: not reported */
	uint32_t thm_trans_count[2];			/* thermal management temperature 1, 2 */
	uint32_t thm_total_time[2];			/* seconds */
};

/**
 * nvme_smart_log_decode() - decode a SMART / Health Information log page.
 * @len: must be 512 (NVME_SMART_LOG_LEN)
 *
 * Reserved bits and bytes are ignored; no value is refused (a percentage
 * used above 100 is what a worn drive says).
 *
 * Return: 0, or -EBADMSG when @len is not 512.
 */
int nvme_smart_log_decode(const void *buf, size_t len, struct nvme_smart_log *ret,
			  struct stas_error *e);

/**
 * nvme_u128_str() - @v in decimal, exactly, into @buf (NVME_U128_STR_LEN
 * bytes hold any value; a smaller @buf gets a truncated string).
 */
char *nvme_u128_str(struct nvme_u128 v, char *buf, size_t len);

/** nvme_u128_to_double() - @v as a double, for display of magnitudes. */
double nvme_u128_to_double(struct nvme_u128 v);

/**
 * nvme_smart_cw_str() - the name of one critical warning bit (0..7):
 * "available_spare", "temperature", "reliability", "read_only",
 * "volatile_backup", "pmr_read_only"; "reserved" for bits 6 and 7.
 */
const char *nvme_smart_cw_str(unsigned bit);

/**
 * nvme_smart_cw_describe() - "none", or the names of the bits set in @cw
 * separated by ", " ("available_spare, temperature"); names that do not fit
 * in @buf are left out whole.
 */
char *nvme_smart_cw_describe(uint8_t cw, char *buf, size_t len);

/** nvme_kelvin_to_celsius() - whole degrees, as nvme-cli shows them. */
static inline int nvme_kelvin_to_celsius(uint16_t k)
{
	return (int)k - 273;
}

/* ---- Features ------------------------------------------------------------------------------- */

/**
 * nvme_feature_name() - the specification's name of feature @fid ("Number of
 * Queues"); "Vendor Specific" for 0xc0..0xff, "Reserved" for an unassigned one.
 */
const char *nvme_feature_name(uint8_t fid);

/** nvme_feature_sel_str() - "current", "default", "saved", "supported capabilities", "reserved". */
const char *nvme_feature_sel_str(uint8_t sel);

/**
 * nvme_feature_describe() - @dw0 of a Get Features (SEL current, default or
 * saved) or a Set Features of @fid in words: "I/O submission queues: 64,
 * completion queues: 64", "keep-alive timeout: 5000 ms". An empty string for a
 * feature it has no words for, or whose value lies in a data buffer.
 *
 * Return: @buf.
 */
char *nvme_feature_describe(uint8_t fid, uint32_t dw0, char *buf, size_t len);

/** nvme_feature_caps_describe() - SEL 3's DW0: "saveable, namespace specific, changeable", "none".
 */
char *nvme_feature_caps_describe(uint32_t caps, char *buf, size_t len);

/* ---- Error Information log ------------------------------------------------------------------ */

struct nvme_error_log_entry {
	uint64_t error_count; /* unique per error, never 0 here */
	uint16_t sqid, cid;   /* 0xffff: not tied to a command */
	uint16_t status;      /* as in nvme-status.h: the status field without the phase tag */
	bool phase;
	uint16_t pel;	/* parameter error location as sent; 0xffff: none given */
	uint64_t lba;	/* first LBA that saw the error */
	uint32_t nsid;	/* 0 or 0xffffffff: not tied to a namespace */
	uint8_t vsia;	/* a vendor log page with more, or 0 */
	uint8_t trtype; /* NVMF_TRTYPE_*, when the transport caused it */
	uint8_t csi, opcode;
	uint64_t cmd_info; /* command specific information */
	uint16_t trtype_info;
	uint8_t version; /* log page version */
};

/**
 * nvme_error_log_decode() - the entries in use of an Error Information log
 * (LID 0x01), newest first as the controller keeps them.
 * @len: a whole number of 64-byte entries, at least one
 * @ret/@max: room for up to @max entries; @ret_n gets how many were filled
 *
 * Empty entries (error count 0) are skipped, also between used ones (the
 * controller lost them); used entries beyond @max are left out.
 *
 * Return: 0, or -EBADMSG when @len is not a whole number of entries.
 */
int nvme_error_log_decode(const void *buf, size_t len, struct nvme_error_log_entry *ret, size_t max,
			  size_t *ret_n, struct stas_error *e);

/**
 * nvme_pel_str() - a parameter error location as "byte B bit N" of the
 * command, or "none" (0xffff).
 */
char *nvme_pel_str(uint16_t pel, char *buf, size_t len);

/* ---- Reservation Report (extended data structure) ------------------------------------------ */

struct nvme_resv_registrant {
	uint16_t cntlid;
	bool holds; /* this registrant holds the reservation */
	uint64_t rkey;
	uint8_t hostid[16];
};

struct nvme_resv_status {
	uint32_t gen;
	uint8_t rtype; /* 0: no reservation */
	uint16_t regctl;
	bool ptpls;
	bool truncated; /* more registrants than the buffer held */
	size_t nr;
	struct nvme_resv_registrant regs[];
};

/**
 * nvme_resv_report_decode() - decode a Reservation Report read with EDS=1.
 * @ret: allocated; free() it
 *
 * Return: 0, -EBADMSG (shorter than the 64-byte header) or -ENOMEM. When
 * REGCTL promises more entries than @len holds, the ones present are
 * returned and ->truncated is set.
 */
int nvme_resv_report_decode(const void *buf, size_t len, struct nvme_resv_status **ret,
			    struct stas_error *e);

/** nvme_resv_type_str() - "write-exclusive", ..., "none" for 0. */
const char *nvme_resv_type_str(uint8_t rtype);

/* ---- Asynchronous event completions -------------------------------------------------------- */

struct nvme_aen {
	uint8_t type; /* enum nvme_aer_type */
	uint8_t info;
	uint8_t lid; /* log page to read (with RAE clear) to re-arm the event */
};

struct nvme_aen nvme_aen_decode(uint32_t dw0);

/**
 * nvme_aen_describe() - "Notice: Discovery Log Page Change (log 0x70)".
 */
char *nvme_aen_describe(struct nvme_aen aen, char *buf, size_t len);

#endif
