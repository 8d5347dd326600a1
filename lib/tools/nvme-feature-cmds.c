// SPDX-License-Identifier: Apache-2.0
/*
 * get-feature and set-feature, in the spirit of nvme-cli's: the feature by
 * number and name, DW0 in hex and in words. The Host Identifier comes in a
 * data buffer (the 128-bit form, the only one on fabrics).
 */
#include <stdio.h>
#include <string.h>

#include "stas-nvme.h"
#include "stas/host-id.h"
#include "stas/nvme-decode.h"

static void print_get(const struct opts *o, uint32_t dw0, const uint8_t *hostid)
{
	uint8_t fid = (uint8_t)o->fid;
	char text[256], uuid[STAS_UUID_STR_LEN] = "";
	bool caps = o->sel == NVME_FEAT_SEL_SUPPORTED;

	if (caps)
		nvme_feature_caps_describe(dw0, text, sizeof(text));
	else
		nvme_feature_describe(fid, dw0, text, sizeof(text));
	if (hostid)
		stas_uuid_format(hostid, uuid);
	if (o->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "fid", json_object_new_int(fid));
		json_object_object_add(j, "feature",
				       json_object_new_string(nvme_feature_name(fid)));
		json_object_object_add(
			j, "sel", json_object_new_string(nvme_feature_sel_str((uint8_t)o->sel)));
		json_object_object_add(j, "value", json_object_new_uint64(dw0));
		if (text[0])
			json_object_object_add(j, caps ? "capabilities" : "description",
					       json_object_new_string(text));
		if (hostid)
			json_object_object_add(j, "host_identifier", json_object_new_string(uuid));
		json_out(j);
		return;
	}
	printf("get-feature:0x%02x (%s), %s%s: 0x%08x\n", fid, nvme_feature_name(fid),
	       nvme_feature_sel_str((uint8_t)o->sel), caps ? "" : " value", dw0);
	if (text[0])
		printf("  %s\n", text);
	if (hostid)
		printf("  host identifier: %s\n", uuid);
}

int cmd_get_feature(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	uint32_t nsid = o->nsid_given ? o->nsid : 0, dw0 = 0;
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	uint8_t id[16];
	bool host_id = o->fid == NVME_FEAT_HOST_ID && o->sel != NVME_FEAT_SEL_SUPPORTED;
	int r;

	if (o->fid < 0) {
		fprintf(stderr, "stas-nvme: get-feature needs --fid\n");
		return 2;
	}
	if (connect_or_fail(cfg, &s))
		return 1;
	if (host_id) /* EXHID: the 128-bit form */
		r = nvme_sync_get_features_data(s, NVME_FEAT_HOST_ID, nsid, (uint8_t)o->sel,
						o->cdw11 | 1, id, sizeof(id), &dw0, &e);
	else
		r = nvme_sync_get_features(s, (uint8_t)o->fid, nsid, (uint8_t)o->sel, o->cdw11,
					   &dw0, &e);
	nvme_sync_disconnect(s);
	if (r < 0)
		return fail("", &e);
	print_get(o, dw0, host_id ? id : NULL);
	return 0;
}

int cmd_set_feature(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	uint32_t nsid = o->nsid_given ? o->nsid : 0, dw0 = 0;
	uint8_t fid = (uint8_t)o->fid;
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	char text[256];
	int r;

	if (o->fid < 0 || !o->value_given) {
		fprintf(stderr, "stas-nvme: set-feature needs --fid and --value\n");
		return 2;
	}
	if (connect_or_fail(cfg, &s))
		return 1;
	r = nvme_sync_set_features(s, fid, nsid, o->value, o->save, &dw0, &e);
	nvme_sync_disconnect(s);
	if (r < 0)
		return fail("", &e);
	nvme_feature_describe(fid, o->value, text, sizeof(text));
	if (o->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "fid", json_object_new_int(fid));
		json_object_object_add(j, "feature",
				       json_object_new_string(nvme_feature_name(fid)));
		json_object_object_add(j, "value", json_object_new_uint64(o->value));
		json_object_object_add(j, "save", json_object_new_boolean(o->save));
		json_object_object_add(j, "result", json_object_new_uint64(dw0));
		if (text[0])
			json_object_object_add(j, "description", json_object_new_string(text));
		json_out(j);
		return 0;
	}
	printf("set-feature:0x%02x (%s), value: 0x%08x, save: %s, result: 0x%08x\n", fid,
	       nvme_feature_name(fid), o->value, o->save ? "yes" : "no", dw0);
	if (text[0])
		printf("  %s\n", text);
	return 0;
}
