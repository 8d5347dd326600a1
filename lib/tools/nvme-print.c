// SPDX-License-Identifier: Apache-2.0
/*
 * Text output follows nvme-cli's field names where it has them, so users
 * can compare the two tools line by line.
 */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "nvme-print.h"
#include "stas/cleanup.h"
#include "stas/host-id.h"
#include "stas/nvme-status.h"

static const char *eflags_str(uint16_t f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", f ? "" : "none",
		 f & NVMF_EFLAGS_DUPRETINFO ? "duplicate returned information " : "",
		 f & NVMF_EFLAGS_EPCSD ? "explicit discovery connections " : "",
		 f & NVMF_EFLAGS_NCC ? "no cdc connectivity " : "");
	if (f && buf[0])
		buf[strlen(buf) - 1] = '\0';
	return buf;
}

json_object *json_disc_entry(const struct nvmf_disc_entry *d)
{
	json_object *o = json_object_new_object();
	char ef[96];

	json_object_object_add(o, "trtype", json_object_new_string(nvmf_trtype_str(d->trtype)));
	json_object_object_add(o, "adrfam", json_object_new_string(nvmf_adrfam_str(d->adrfam)));
	json_object_object_add(o, "subtype", json_object_new_string(nvmf_subtype_str(d->subtype)));
	json_object_object_add(o, "treq", json_object_new_string(nvmf_treq_str(d->treq)));
	json_object_object_add(o, "portid", json_object_new_int(d->portid));
	json_object_object_add(o, "trsvcid", json_object_new_string(d->trsvcid));
	json_object_object_add(o, "subnqn", json_object_new_string(d->subnqn));
	json_object_object_add(o, "traddr", json_object_new_string(d->traddr));
	json_object_object_add(o, "eflags",
			       json_object_new_string(eflags_str(d->eflags, ef, sizeof(ef))));
	json_object_object_add(o, "cntlid", json_object_new_int(d->cntlid));
	json_object_object_add(o, "asqsz", json_object_new_int(d->asqsz));
	if (d->trtype == NVMF_TRTYPE_TCP)
		json_object_object_add(o, "sectype",
				       json_object_new_string(nvmf_sectype_str(d->tsas[0])));
	return o;
}

json_object *json_disc_log(const struct nvmf_disc_log *log)
{
	json_object *o = json_object_new_object();
	json_object *recs = json_object_new_array();

	json_object_object_add(o, "genctr", json_object_new_uint64(log->hdr.genctr));
	json_object_object_add(o, "numrec", json_object_new_uint64(log->hdr.numrec));
	json_object_object_add(o, "recfmt", json_object_new_int(log->hdr.recfmt));
	for (size_t i = 0; i < log->nr; i++)
		json_object_array_add(recs, json_disc_entry(&log->entries[i]));
	json_object_object_add(o, "records", recs);
	return o;
}

void print_disc_log(FILE *f, const char *where, const struct nvmf_disc_log *log)
{
	char ef[96];

	fprintf(f, "Discovery Log of %s: Number of Records %zu, Generation counter %" PRIu64 "\n",
		where, log->nr, log->hdr.genctr);
	for (size_t i = 0; i < log->nr; i++) {
		const struct nvmf_disc_entry *d = &log->entries[i];

		fprintf(f, "=====Discovery Log Entry %zu======\n", i);
		fprintf(f, "trtype:  %s\n", nvmf_trtype_str(d->trtype));
		fprintf(f, "adrfam:  %s\n", nvmf_adrfam_str(d->adrfam));
		fprintf(f, "subtype: %s\n", nvmf_subtype_str(d->subtype));
		fprintf(f, "treq:    %s%s\n", nvmf_treq_str(d->treq),
			d->treq & NVMF_TREQ_DISABLE_SQFLOW ? ", sq flow control disable supported"
							   : "");
		fprintf(f, "portid:  %u\n", d->portid);
		fprintf(f, "trsvcid: %s\n", d->trsvcid);
		fprintf(f, "subnqn:  %s\n", d->subnqn);
		fprintf(f, "traddr:  %s\n", d->traddr);
		fprintf(f, "eflags:  %s\n", eflags_str(d->eflags, ef, sizeof(ef)));
		if (d->trtype == NVMF_TRTYPE_TCP)
			fprintf(f, "sectype: %s\n", nvmf_sectype_str(d->tsas[0]));
	}
}

json_object *json_ctrl_info(const struct nvme_ctrl_info *in)
{
	json_object *o = json_object_new_object();
	const struct nvme_ctrl_id *id = &in->id;
	char ver[32];

	snprintf(ver, sizeof(ver), "%u.%u.%u", NVME_VS_MJR(id->ver), NVME_VS_MNR(id->ver),
		 NVME_VS_TER(id->ver));
	json_object_object_add(o, "subnqn", json_object_new_string(id->subnqn));
	json_object_object_add(o, "sn", json_object_new_string(id->sn));
	json_object_object_add(o, "mn", json_object_new_string(id->mn));
	json_object_object_add(o, "fr", json_object_new_string(id->fr));
	json_object_object_add(o, "vid", json_object_new_int(id->vid));
	json_object_object_add(o, "cntlid", json_object_new_int(in->cntlid));
	json_object_object_add(o, "cntrltype",
			       json_object_new_string(nvme_cntrltype_str(id->cntrltype)));
	json_object_object_add(o, "ver", json_object_new_string(ver));
	json_object_object_add(o, "cap", json_object_new_uint64(in->cap));
	json_object_object_add(o, "mqes", json_object_new_int((int)NVME_CAP_MQES(in->cap) + 1));
	json_object_object_add(o, "mdts", json_object_new_int(id->mdts));
	json_object_object_add(o, "kas", json_object_new_int(id->kas));
	json_object_object_add(o, "aerl", json_object_new_int(id->aerl));
	json_object_object_add(o, "oaes", json_object_new_uint64(id->oaes));
	json_object_object_add(o, "cmic", json_object_new_int(id->cmic));
	json_object_object_add(o, "anacap", json_object_new_int(id->anacap));
	json_object_object_add(o, "anagrpmax", json_object_new_uint64(id->anagrpmax));
	json_object_object_add(o, "nanagrpid", json_object_new_uint64(id->nanagrpid));
	json_object_object_add(o, "nn", json_object_new_uint64(id->nn));
	json_object_object_add(o, "oncs", json_object_new_int(id->oncs));
	json_object_object_add(o, "sgls", json_object_new_uint64(id->sgls));
	json_object_object_add(o, "ioccsz", json_object_new_uint64(id->ioccsz));
	json_object_object_add(o, "iorcsz", json_object_new_uint64(id->iorcsz));
	json_object_object_add(o, "dctype", json_object_new_int(id->dctype));
	return o;
}

void print_ctrl_info(FILE *f, const struct nvme_ctrl_info *in)
{
	const struct nvme_ctrl_id *id = &in->id;

	fprintf(f, "subnqn    : %s\n", id->subnqn);
	fprintf(f, "sn        : %s\n", id->sn);
	fprintf(f, "mn        : %s\n", id->mn);
	fprintf(f, "fr        : %s\n", id->fr);
	fprintf(f, "vid       : %#x\n", id->vid);
	fprintf(f, "cntlid    : %#x\n", in->cntlid);
	fprintf(f, "cntrltype : %s\n", nvme_cntrltype_str(id->cntrltype));
	fprintf(f, "ver       : %u.%u.%u\n", NVME_VS_MJR(id->ver), NVME_VS_MNR(id->ver),
		NVME_VS_TER(id->ver));
	fprintf(f, "cap       : %#" PRIx64 " (mqes %u, to %u ms)\n", in->cap,
		NVME_CAP_MQES(in->cap) + 1, NVME_CAP_TO(in->cap) * 500);
	fprintf(f, "mdts      : %u\n", id->mdts);
	fprintf(f, "kas       : %u\n", id->kas);
	fprintf(f, "aerl      : %u\n", id->aerl);
	fprintf(f, "oaes      : %#x\n", id->oaes);
	fprintf(f, "cmic      : %#x\n", id->cmic);
	fprintf(f, "anacap    : %#x\n", id->anacap);
	fprintf(f, "nanagrpid : %u\n", id->nanagrpid);
	fprintf(f, "nn        : %u\n", id->nn);
	fprintf(f, "oncs      : %#x\n", id->oncs);
	fprintf(f, "sgls      : %#x\n", id->sgls);
	fprintf(f, "ioccsz    : %u\n", id->ioccsz);
	fprintf(f, "dctype    : %u\n", id->dctype);
}

json_object *json_ns(uint32_t nsid, const struct nvme_ns_id *ns)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "nsid", json_object_new_uint64(nsid));
	json_object_object_add(o, "active", json_object_new_boolean(ns->active));
	json_object_object_add(o, "nsze", json_object_new_uint64(ns->nsze));
	json_object_object_add(o, "ncap", json_object_new_uint64(ns->ncap));
	json_object_object_add(o, "nuse", json_object_new_uint64(ns->nuse));
	json_object_object_add(o, "lba_size", json_object_new_uint64(ns->lba_size));
	json_object_object_add(o, "size_bytes", json_object_new_uint64(ns->nsze * ns->lba_size));
	json_object_object_add(o, "anagrpid", json_object_new_uint64(ns->anagrpid));
	json_object_object_add(o, "nmic", json_object_new_int(ns->nmic));
	json_object_object_add(o, "rescap", json_object_new_int(ns->rescap));
	return o;
}

void print_ns(FILE *f, uint32_t nsid, const struct nvme_ns_id *ns)
{
	if (!ns->active) {
		fprintf(f, "nsid %u: inactive\n", nsid);
		return;
	}
	fprintf(f, "nsid %u: %" PRIu64 " blocks of %u bytes (%" PRIu64 " MiB), ANA group %u\n",
		nsid, ns->nsze, ns->lba_size, (ns->nsze * ns->lba_size) >> 20, ns->anagrpid);
}

json_object *json_ana_log(const struct nvme_ana_log *log)
{
	json_object *o = json_object_new_object(), *groups = json_object_new_array();

	json_object_object_add(o, "chgcnt", json_object_new_uint64(log->chgcnt));
	for (uint16_t g = 0; g < log->ngrps; g++) {
		const struct nvme_ana_group *grp = &log->groups[g];
		json_object *jg = json_object_new_object(), *ids = json_object_new_array();

		json_object_object_add(jg, "grpid", json_object_new_uint64(grp->grpid));
		json_object_object_add(jg, "state",
				       json_object_new_string(nvme_ana_state_str(grp->state)));
		json_object_object_add(jg, "chgcnt", json_object_new_uint64(grp->chgcnt));
		for (uint32_t i = 0; i < grp->nnsids; i++)
			json_object_array_add(ids, json_object_new_uint64(grp->nsids[i]));
		json_object_object_add(jg, "nsids", ids);
		json_object_array_add(groups, jg);
	}
	json_object_object_add(o, "groups", groups);
	return o;
}

void print_ana_log(FILE *f, const struct nvme_ana_log *log)
{
	fprintf(f, "ANA log: change count %" PRIu64 ", %u group(s)\n", log->chgcnt, log->ngrps);
	for (uint16_t g = 0; g < log->ngrps; g++) {
		const struct nvme_ana_group *grp = &log->groups[g];

		fprintf(f, "group %u: %s, nsids", grp->grpid, nvme_ana_state_str(grp->state));
		for (uint32_t i = 0; i < grp->nnsids; i++)
			fprintf(f, " %u", grp->nsids[i]);
		fprintf(f, "%s\n", grp->nnsids ? "" : " (none)");
	}
}

json_object *json_aen(uint32_t dw0)
{
	json_object *o = json_object_new_object();
	struct nvme_aen a = nvme_aen_decode(dw0);
	char text[128];

	json_object_object_add(o, "dw0", json_object_new_uint64(dw0));
	json_object_object_add(o, "type", json_object_new_int(a.type));
	json_object_object_add(o, "info", json_object_new_int(a.info));
	json_object_object_add(o, "lid", json_object_new_int(a.lid));
	json_object_object_add(o, "description",
			       json_object_new_string(nvme_aen_describe(a, text, sizeof(text))));
	return o;
}

void print_hex(FILE *f, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i += 16) {
		fprintf(f, "%08zx:", i);
		for (size_t k = i; k < i + 16 && k < len; k++)
			fprintf(f, " %02x", buf[k]);
		fputc('\n', f);
	}
}

/* ---- SMART / Health Information log ------------------------------------------------------- */

enum smart_unit { U_COUNT, U_DATA, U_MINUTES, U_HOURS };

static const struct smart_counter {
	const char *name;
	size_t off; /* of the struct nvme_u128 in struct nvme_smart_log */
	enum smart_unit unit;
} smart_counters[] = {
	{ "data_units_read", offsetof(struct nvme_smart_log, data_units_read), U_DATA },
	{ "data_units_written", offsetof(struct nvme_smart_log, data_units_written), U_DATA },
	{ "host_read_commands", offsetof(struct nvme_smart_log, host_reads), U_COUNT },
	{ "host_write_commands", offsetof(struct nvme_smart_log, host_writes), U_COUNT },
	{ "controller_busy_time", offsetof(struct nvme_smart_log, ctrl_busy_time), U_MINUTES },
	{ "power_cycles", offsetof(struct nvme_smart_log, power_cycles), U_COUNT },
	{ "power_on_hours", offsetof(struct nvme_smart_log, power_on_hours), U_HOURS },
	{ "unsafe_shutdowns", offsetof(struct nvme_smart_log, unsafe_shutdowns), U_COUNT },
	{ "media_errors", offsetof(struct nvme_smart_log, media_errors), U_COUNT },
	{ "num_err_log_entries", offsetof(struct nvme_smart_log, num_err_log_entries), U_COUNT },
};

static struct nvme_u128 smart_counter(const struct nvme_smart_log *l, const struct smart_counter *c)
{
	struct nvme_u128 v;

	memcpy(&v, (const uint8_t *)l + c->off, sizeof(v));
	return v;
}

/* "63.0 MB": @units data units of 1000 x 512 bytes, in SI units */
static const char *data_size(struct nvme_u128 units, char *buf, size_t len)
{
	static const char *const si[] = { "B",	"kB", "MB", "GB", "TB", "PB",
					  "EB", "ZB", "YB", "RB", "QB" };
	double bytes = nvme_u128_to_double(units) * 512000.0;
	size_t i = 0;

	/* on to the next unit from what would print as 1000 ("%.0f") or 1000.0 ("%.1f") */
	while (bytes >= (i ? 999.95 : 999.5) && i + 1 < ARRAY_SIZE(si)) {
		bytes /= 1000.0;
		i++;
	}
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", bytes, si[i]);
	return buf;
}

/* JSON for a 128-bit counter: a number below 2^53 (exact in any JSON reader), else a string. */
static json_object *json_u128(struct nvme_u128 v)
{
	char buf[NVME_U128_STR_LEN];

	if (!v.hi && v.lo < (1ull << 53))
		return json_object_new_uint64(v.lo);
	return json_object_new_string(nvme_u128_str(v, buf, sizeof(buf)));
}

static json_object *json_cw_names(uint8_t cw)
{
	json_object *a = json_object_new_array();

	for (unsigned bit = 0; bit < 8; bit++)
		if (cw & (1u << bit))
			json_object_array_add(a, json_object_new_string(nvme_smart_cw_str(bit)));
	return a;
}

json_object *json_smart_log(uint32_t nsid, const struct nvme_smart_log *l)
{
	json_object *o = json_object_new_object();
	char name[40];

	json_object_object_add(o, "nsid", json_object_new_uint64(nsid));
	json_object_object_add(o, "critical_warning", json_object_new_int(l->critical_warning));
	json_object_object_add(o, "critical_warning_names", json_cw_names(l->critical_warning));
	json_object_object_add(o, "temperature", json_object_new_int(l->temperature));
	if (l->temperature)
		json_object_object_add(o, "temperature_celsius",
				       json_object_new_int(nvme_kelvin_to_celsius(l->temperature)));
	json_object_object_add(o, "available_spare", json_object_new_int(l->avail_spare));
	json_object_object_add(o, "available_spare_threshold",
			       json_object_new_int(l->spare_thresh));
	json_object_object_add(o, "percentage_used", json_object_new_int(l->percent_used));
	json_object_object_add(o, "endurance_group_critical_warning",
			       json_object_new_int(l->endu_grp_crit_warn));
	for (size_t i = 0; i < ARRAY_SIZE(smart_counters); i++)
		json_object_object_add(o, smart_counters[i].name,
				       json_u128(smart_counter(l, &smart_counters[i])));
	json_object_object_add(o, "warning_temperature_time",
			       json_object_new_uint64(l->warning_temp_time));
	json_object_object_add(o, "critical_temperature_time",
			       json_object_new_uint64(l->critical_temp_time));
	for (unsigned i = 0; i < ARRAY_SIZE(l->temp_sensor); i++) {
		if (!l->temp_sensor[i])
			continue;
		snprintf(name, sizeof(name), "temperature_sensor_%u", i + 1);
		json_object_object_add(o, name, json_object_new_int(l->temp_sensor[i]));
	}
	for (unsigned i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "thermal_mgmt_t%u_transition_count", i + 1);
		json_object_object_add(o, name, json_object_new_uint64(l->thm_trans_count[i]));
		snprintf(name, sizeof(name), "thermal_mgmt_t%u_total_time", i + 1);
		json_object_object_add(o, name, json_object_new_uint64(l->thm_total_time[i]));
	}
	return o;
}

static void print_temp(FILE *f, const char *name, uint16_t k)
{
	if (k)
		fprintf(f, "%-35s : %u K (%d °C)\n", name, k, nvme_kelvin_to_celsius(k));
	else
		fprintf(f, "%-35s : not reported\n", name);
}

void print_smart_log(FILE *f, uint32_t nsid, const struct nvme_smart_log *l)
{
	char num[NVME_U128_STR_LEN], text[160], name[40];

	if (nsid == 0xffffffffu)
		fprintf(f, "SMART/Health Information log, controller (nsid 0xffffffff)\n");
	else
		fprintf(f, "SMART/Health Information log, nsid %u\n", nsid);
	fprintf(f, "%-35s : 0x%02x (%s)\n", "critical_warning", l->critical_warning,
		nvme_smart_cw_describe(l->critical_warning, text, sizeof(text)));
	print_temp(f, "temperature", l->temperature);
	fprintf(f, "%-35s : %u%%\n", "available_spare", l->avail_spare);
	fprintf(f, "%-35s : %u%%\n", "available_spare_threshold", l->spare_thresh);
	fprintf(f, "%-35s : %u%%\n", "percentage_used", l->percent_used);
	fprintf(f, "%-35s : 0x%02x\n", "endurance_group_critical_warning", l->endu_grp_crit_warn);
	for (size_t i = 0; i < ARRAY_SIZE(smart_counters); i++) {
		const struct smart_counter *c = &smart_counters[i];
		struct nvme_u128 v = smart_counter(l, c);

		fprintf(f, "%-35s : %s", c->name, nvme_u128_str(v, num, sizeof(num)));
		switch (c->unit) {
		case U_DATA:
			fprintf(f, " (%s)\n", data_size(v, text, sizeof(text)));
			break;
		case U_MINUTES:
			fprintf(f, " min\n");
			break;
		case U_HOURS:
			fprintf(f, " h\n");
			break;
		default:
			fputc('\n', f);
		}
	}
	fprintf(f, "%-35s : %u min\n", "warning_temperature_time", l->warning_temp_time);
	fprintf(f, "%-35s : %u min\n", "critical_temperature_time", l->critical_temp_time);
	for (unsigned i = 0; i < ARRAY_SIZE(l->temp_sensor); i++) {
		if (!l->temp_sensor[i])
			continue;
		snprintf(name, sizeof(name), "temperature_sensor_%u", i + 1);
		print_temp(f, name, l->temp_sensor[i]);
	}
	for (unsigned i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "thermal_mgmt_t%u_transition_count", i + 1);
		fprintf(f, "%-35s : %u\n", name, l->thm_trans_count[i]);
		snprintf(name, sizeof(name), "thermal_mgmt_t%u_total_time", i + 1);
		fprintf(f, "%-35s : %u s\n", name, l->thm_total_time[i]);
	}
}

/* ---- Error Information log ------------------------------------------------------------------ */

static enum nvme_cmd_class errlog_class(const struct nvme_error_log_entry *x)
{
	if (x->sqid == 0xffff)
		return NVME_CMD_ANY;
	return x->sqid ? NVME_CMD_IO : NVME_CMD_ADMIN;
}

/* What the controller said caused it: 0 means "not the transport", not RDMA's 1 or TCP's 3. */
static const char *errlog_trtype(uint8_t trtype)
{
	return trtype ? nvmf_trtype_str(trtype) : "not indicated";
}

json_object *json_error_log(const struct nvme_error_log_entry *v, size_t n, size_t slots)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	char text[128];

	json_object_object_add(o, "entries", json_object_new_uint64(slots));
	for (size_t i = 0; i < n; i++) {
		const struct nvme_error_log_entry *x = &v[i];
		json_object *e = json_object_new_object();

		json_object_object_add(e, "error_count", json_object_new_uint64(x->error_count));
		json_object_object_add(e, "sqid", json_object_new_int(x->sqid));
		json_object_object_add(e, "cmdid", json_object_new_int(x->cid));
		json_object_object_add(e, "status_field", json_object_new_int(x->status));
		json_object_object_add(e, "status",
				       json_object_new_string(nvme_status_format(
					       x->status, errlog_class(x), text, sizeof(text))));
		json_object_object_add(e, "phase_tag", json_object_new_int(x->phase));
		json_object_object_add(e, "parm_err_loc", json_object_new_int(x->pel));
		json_object_object_add(e, "lba", json_object_new_uint64(x->lba));
		json_object_object_add(e, "nsid", json_object_new_uint64(x->nsid));
		json_object_object_add(e, "vs", json_object_new_int(x->vsia));
		json_object_object_add(e, "trtype",
				       json_object_new_string(errlog_trtype(x->trtype)));
		json_object_object_add(e, "csi", json_object_new_int(x->csi));
		json_object_object_add(e, "opcode", json_object_new_int(x->opcode));
		json_object_object_add(e, "cs", json_object_new_uint64(x->cmd_info));
		json_object_object_add(e, "trtype_spec_info", json_object_new_int(x->trtype_info));
		json_object_object_add(e, "log_page_version", json_object_new_int(x->version));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "errors", a);
	return o;
}

void print_error_log(FILE *f, const struct nvme_error_log_entry *v, size_t n, size_t slots)
{
	char text[128];

	fprintf(f, "Error Information log: %zu of %zu entries in use%s\n", n, slots,
		n > 1 ? ", newest first" : "");
	for (size_t i = 0; i < n; i++) {
		const struct nvme_error_log_entry *x = &v[i];

		fprintf(f, "\nEntry[%zu]\n", i);
		fprintf(f, "%-17s: %" PRIu64 "\n", "error_count", x->error_count);
		fprintf(f, "%-17s: %u\n", "sqid", x->sqid);
		fprintf(f, "%-17s: 0x%x\n", "cmdid", x->cid);
		fprintf(f, "%-17s: 0x%04x %s\n", "status_field", x->status,
			nvme_status_format(x->status, errlog_class(x), text, sizeof(text)));
		fprintf(f, "%-17s: %u\n", "phase_tag", x->phase);
		fprintf(f, "%-17s: 0x%04x (%s)\n", "parm_err_loc", x->pel,
			nvme_pel_str(x->pel, text, sizeof(text)));
		fprintf(f, "%-17s: %" PRIu64 "\n", "lba", x->lba);
		fprintf(f, "%-17s: 0x%x\n", "nsid", x->nsid);
		fprintf(f, "%-17s: %u\n", "vs", x->vsia);
		fprintf(f, "%-17s: %s\n", "trtype", errlog_trtype(x->trtype));
		fprintf(f, "%-17s: %u\n", "csi", x->csi);
		fprintf(f, "%-17s: 0x%02x\n", "opcode", x->opcode);
		fprintf(f, "%-17s: 0x%" PRIx64 "\n", "cs", x->cmd_info);
		fprintf(f, "%-17s: 0x%x\n", "trtype_spec_info", x->trtype_info);
		fprintf(f, "%-17s: %u\n", "log_page_version", x->version);
	}
}
