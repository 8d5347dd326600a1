/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Changing one key of a config file the way a person would with an editor:
 * every other line (comments, blank lines, other keys, other sections, line
 * ends) stays as it was. It reads lines by the rules of conf-reader.c, so the
 * key it changes is the key the daemons read. nvme-stas's stasadm rewrites the
 * whole file through configparser instead, and loses every comment.
 */
#ifndef STAS_DAEMON_CONF_EDIT_H
#define STAS_DAEMON_CONF_EDIT_H

/**
 * conf_edit() - @text with @key of [@section] set to @value, or removed.
 * @text: the file's content ("" or NULL for a new file)
 * @value: the new value; NULL removes the key
 *
 * The first line of the key (in any [@section] of the file; names of keys
 * case-insensitive, of sections not) gets the new value; later lines of the
 * same key, and the indented lines that continue any of them, are removed.
 * Without such a line the key is added after the last line of the last
 * [@section], or a new [@section] is added at the end.
 *
 * Return: 0 with *@ret a new string (free()); -EINVAL when @value holds a
 * line break; -ENOMEM.
 */
int conf_edit(const char *text, const char *section, const char *key, const char *value,
	      char **ret);

#endif
