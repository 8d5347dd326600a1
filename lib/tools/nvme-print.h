/* SPDX-License-Identifier: Apache-2.0 */
/* stas-nvme output: each structure as readable text or as a json-c object. */
#ifndef STAS_NVME_PRINT_H
#define STAS_NVME_PRINT_H

#include <json-c/json.h>
#include <stdio.h>

#include "stas/nvme-decode.h"
#include "stas/nvme-sync.h"

json_object *json_disc_entry(const struct nvmf_disc_entry *d);
json_object *json_disc_log(const struct nvmf_disc_log *log);
json_object *json_ctrl_info(const struct nvme_ctrl_info *info);
json_object *json_ns(uint32_t nsid, const struct nvme_ns_id *ns);
json_object *json_ana_log(const struct nvme_ana_log *log);
json_object *json_aen(uint32_t dw0);
json_object *json_smart_log(uint32_t nsid, const struct nvme_smart_log *log);
/* @n entries in use of the @slots the controller keeps */
json_object *json_error_log(const struct nvme_error_log_entry *v, size_t n, size_t slots);

void print_disc_log(FILE *f, const char *where, const struct nvmf_disc_log *log);
void print_ctrl_info(FILE *f, const struct nvme_ctrl_info *info);
void print_ns(FILE *f, uint32_t nsid, const struct nvme_ns_id *ns);
void print_ana_log(FILE *f, const struct nvme_ana_log *log);
void print_smart_log(FILE *f, uint32_t nsid, const struct nvme_smart_log *log);
void print_error_log(FILE *f, const struct nvme_error_log_entry *v, size_t n, size_t slots);
void print_hex(FILE *f, const uint8_t *buf, size_t len);

#endif
