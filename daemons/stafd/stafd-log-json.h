/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A discovery log in stafd's state file: every field as a number or a
 * string, so that what is saved reads back into exactly the same entries.
 */
#ifndef STAS_STAFD_LOG_JSON_H
#define STAS_STAFD_LOG_JSON_H

#include <json-c/json.h>

#include "stas/nvme-decode.h"

/* log_state_json() - @log (NULL: none) as a JSON list of entries. */
json_object *log_state_json(const struct nvmf_disc_log *log);

/*
 * log_from_state_json() - back from log_state_json(); NULL when @arr holds
 * a malformed entry or more entries than a discovery log may have (a list
 * that is not a list reads as an empty log). free() the result.
 */
struct nvmf_disc_log *log_from_state_json(json_object *arr);

#endif
