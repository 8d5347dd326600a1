// SPDX-License-Identifier: Apache-2.0
#include "stafd-log-json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/state.h"
#include "stas/cleanup.h"

/* Numbers stay numbers here: this must read back into exactly the same entry. */
static json_object *entry_state_json(const struct nvmf_disc_entry *e)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "trtype", json_object_new_int(e->trtype));
	json_object_object_add(o, "adrfam", json_object_new_int(e->adrfam));
	json_object_object_add(o, "subtype", json_object_new_int(e->subtype));
	json_object_object_add(o, "treq", json_object_new_int(e->treq));
	json_object_object_add(o, "portid", json_object_new_int(e->portid));
	json_object_object_add(o, "cntlid", json_object_new_int(e->cntlid));
	json_object_object_add(o, "asqsz", json_object_new_int(e->asqsz));
	json_object_object_add(o, "eflags", json_object_new_int(e->eflags));
	json_object_object_add(o, "sectype", json_object_new_int(e->tsas[0]));
	json_object_object_add(o, "trsvcid", json_object_new_string(e->trsvcid));
	json_object_object_add(o, "traddr", json_object_new_string(e->traddr));
	json_object_object_add(o, "subnqn", json_object_new_string(e->subnqn));
	return o;
}

/* The text fields get the discovery log decoder's check through state_json_str(). */
static int entry_from_json(json_object *o, struct nvmf_disc_entry *e, struct stas_error *err)
{
	static const char *const u8[] = { "trtype", "adrfam", "subtype", "treq", "sectype" };
	static const char *const u16[] = { "portid", "cntlid", "asqsz", "eflags" };
	int v[9];

	memset(e, 0, sizeof(*e));
	if (!json_object_is_type(o, json_type_object))
		return stas_error_set(err, -EINVAL, "not an object");
	for (unsigned i = 0; i < ARRAY_SIZE(u8); i++)
		if ((v[i] = state_json_int(o, u8[i], 0xff, err)) < 0)
			return -EINVAL;
	for (unsigned i = 0; i < ARRAY_SIZE(u16); i++)
		if ((v[5 + i] = state_json_int(o, u16[i], 0xffff, err)) < 0)
			return -EINVAL;
	e->trtype = (uint8_t)v[0];
	e->adrfam = (uint8_t)v[1];
	e->subtype = (uint8_t)v[2];
	e->treq = (uint8_t)v[3];
	e->tsas[0] = (uint8_t)v[4];
	e->portid = (uint16_t)v[5];
	e->cntlid = (uint16_t)v[6];
	e->asqsz = (uint16_t)v[7];
	e->eflags = (uint16_t)v[8];
	if (state_json_str(o, "trsvcid", e->trsvcid, sizeof(e->trsvcid), err) < 0 ||
	    state_json_str(o, "traddr", e->traddr, sizeof(e->traddr), err) < 0 ||
	    state_json_str(o, "subnqn", e->subnqn, sizeof(e->subnqn), err) < 0)
		return -EINVAL;
	return 0;
}

json_object *log_state_json(const struct nvmf_disc_log *log)
{
	json_object *entries = json_object_new_array();

	for (size_t i = 0; log && i < log->nr; i++)
		json_object_array_add(entries, entry_state_json(&log->entries[i]));
	return entries;
}

int log_from_state_json(json_object *arr, const char *where, struct nvmf_disc_log **ret,
			struct stas_error *e)
{
	struct nvmf_disc_log *log;
	size_t n, k = 0;

	if (!json_object_is_type(arr, json_type_array))
		return stas_error_set(e, -EINVAL, "log_pages: not a list");
	n = json_object_array_length(arr);
	if (n > NVMF_DISC_LOG_MAX_RECORDS)
		return stas_error_set(e, -EINVAL, "log_pages: %zu entries, at most %u", n,
				      NVMF_DISC_LOG_MAX_RECORDS);
	log = calloc(1, sizeof(*log) + n * sizeof(log->entries[0]));
	if (!log)
		return stas_error_set(e, -ENOMEM, "log_pages: out of memory");
	for (size_t i = 0; i < n; i++) {
		struct stas_error bad;

		if (entry_from_json(json_object_array_get_idx(arr, i), &log->entries[k], &bad) < 0)
			log_warning("%s, log entry %zu: %s; skipped", where, i, bad.msg);
		else
			k++;
	}
	log->nr = k;
	*ret = log;
	return 0;
}
