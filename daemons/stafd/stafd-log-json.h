/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A discovery log in stafd's state file: every field as a number or a
 * string, so that what is saved reads back into exactly the same entries.
 */
#ifndef STAS_STAFD_LOG_JSON_H
#define STAS_STAFD_LOG_JSON_H

#include <json-c/json.h>

#include "stas/error.h"
#include "stas/nvme-decode.h"

/* log_state_json() - @log (NULL: none) as a JSON list of entries. */
json_object *log_state_json(const struct nvmf_disc_log *log);

/*
 * log_from_state_json() - back from log_state_json(). An entry that is not
 * what log_state_json() writes (not an object, a key missing or of another
 * type, a number out of its field's range, text the discovery log decoder
 * would refuse: not printable ASCII, or too long) is left out with one
 * warning, "<@where>, log entry <index>: <field>: <what is wrong>; skipped";
 * the other entries are kept.
 *
 * Return: 0 with *@ret set (free() it); -EINVAL with @e naming log_pages
 * when @arr is not a list or holds more entries than a discovery log may;
 * -ENOMEM.
 */
int log_from_state_json(json_object *arr, const char *where, struct nvmf_disc_log **ret,
			struct stas_error *e);

#endif
