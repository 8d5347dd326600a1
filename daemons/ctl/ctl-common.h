/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What stafctl and stacctl share: the command table and option handling, the
 * system-bus connection with a bounded wait, method calls and property access
 * on the daemon's object, the D-Bus error report, and the two output forms.
 *
 * Every value a command prints is first built as a json-c value (objects,
 * arrays, strings, and the scalars a daemon's JSON may carry), then printed
 * either as real JSON (--json) or the way nvme-stas's Python CLIs print it,
 * pprint.pformat(value, width=120).
 */
#ifndef STAS_CTL_COMMON_H
#define STAS_CTL_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include <systemd/sd-bus.h>

#define CTL_TIMEOUT_USEC (5 * UINT64_C(1000000)) /* every wait on the bus, connection included */
#define CTL_JSON_DEPTH	 512			 /* nesting the JSON answers may have */
#define CTL_PPRINT_WIDTH 120			 /* nvme-stas: pprint.pformat(..., width=120) */

/* Exit statuses: 0 done, 1 the daemon could not be asked (or no command), 2 bad usage. */
enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILURE = 1,
	CTL_EXIT_USAGE = 2,
};

struct ctl;

/*
 * One sub-command. @run parses its own options with ctl_parse_opts() (argv[0]
 * is the command name) and returns 0 or a negative errno; a bus failure has
 * been recorded in the context by then and is reported by ctl_main().
 */
struct ctl_cmd {
	const char *name;
	const char *synopsis; /* options, for the usage text: "[-d] [--json]" */
	const char *summary;  /* one line */
	int (*run)(struct ctl *c, int argc, char **argv);
	bool json; /* takes --json */
};

/* The daemon a CLI talks to. */
struct ctl_service {
	const char *prog;	 /* "stafctl" */
	const char *daemon;	 /* "stafd", for the error text */
	const char *bus_name;	 /* "org.nvmexpress.staf" */
	const char *path;	 /* "/org/nvmexpress/staf" */
	const char *iface;	 /* "org.nvmexpress.staf" */
	const char *debug_iface; /* "org.nvmexpress.staf.debug" */
	const struct ctl_cmd *cmds;
	size_t n_cmds;
};

/**
 * ctl_main() - the whole CLI: global options (-h, -v, --json), the command,
 * the call, the output, and the exit status.
 *
 * Return: an exit status (CTL_EXIT_*).
 */
int ctl_main(const struct ctl_service *svc, int argc, char **argv);

/* ---- option handling inside a command ---- */

/* One option of a command: @val is what getopt returns; @arg NULL for a flag. */
struct ctl_opt {
	const char *name; /* long name without "--" */
	int val;	  /* short letter, or a value >= 256 for long-only options */
	const char *arg;  /* metavariable for the help ("TRADDR"), NULL for a flag */
	const char *help; /* one line */
};

/* Called for each option found; return 0, or the return value of ctl_usage_error(). */
typedef int (*ctl_opt_fn)(struct ctl *c, int val, const char *arg, void *userdata);

/**
 * ctl_parse_opts() - parse a command's options. -h/--help is added to every
 * command, --json to those that print values. Positional arguments are refused.
 *
 * Return: 0 to run; 1 when the help was printed; -EINVAL after a message.
 */
int ctl_parse_opts(struct ctl *c, int argc, char **argv, const struct ctl_opt *opts, size_t n,
		   ctl_opt_fn fn, void *userdata);

/**
 * ctl_usage_error() - print "stafctl CMD: <message>" and a hint on stderr;
 * the exit status becomes CTL_EXIT_USAGE.
 * Return: -EINVAL.
 */
int ctl_usage_error(struct ctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** ctl_flag_opt() - a ctl_opt_fn for commands whose options are one flag: sets *(bool *)@userdata.
 */
int ctl_flag_opt(struct ctl *c, int val, const char *arg, void *userdata);

/* The service this context talks to. */
const struct ctl_service *ctl_service(const struct ctl *c);

/* ---- bus ---- */

/**
 * ctl_call() - call @member of @iface on the daemon's object and wait at most
 * CTL_TIMEOUT_USEC. @types/... are the arguments as for sd_bus_message_append().
 *
 * Return: 0 with *@ret_reply set; a negative errno with the error recorded.
 */
int ctl_call(struct ctl *c, const char *iface, const char *member, sd_bus_message **ret_reply,
	     const char *types, ...);

/** ctl_set_tron() - Set the debug interface's tron property. */
int ctl_set_tron(struct ctl *c, bool on);

/** ctl_get_tron() - Get it. */
int ctl_get_tron(struct ctl *c, bool *ret);

/**
 * ctl_bad_reply() - record that a reply could not be used (wrong signature,
 * bad JSON): org.freedesktop.DBus.Error.InconsistentMessage with the text.
 *
 * Return: -EBADMSG.
 */
int ctl_bad_reply(struct ctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- replies as values ---- */

/**
 * ctl_read_dict() - read the entries of an a{ss} that @m has been entered
 * into (up to its end) into @o as strings.
 * Return: 0, or a negative errno (-ENOMEM, or sd-bus's for a bad message).
 */
int ctl_read_dict(sd_bus_message *m, struct json_object *o);

/** ctl_read_dicts() - read an aa{ss} from @m into a new array of objects of strings. */
int ctl_read_dicts(struct ctl *c, sd_bus_message *m, const char *what, struct json_object **ret);

/**
 * ctl_call_json() - call a method that returns one string holding JSON, and
 * parse it (the whole text; trailing junk is an error). @want_type is
 * json_type_object or json_type_array.
 */
int ctl_call_json(struct ctl *c, const char *iface, const char *member, enum json_type want_type,
		  struct json_object **ret, const char *types, ...);

/** ctl_call_dicts() - call a method that returns aa{ss} and read it. */
int ctl_call_dicts(struct ctl *c, const char *iface, const char *member, struct json_object **ret,
		   const char *types, ...);

/** ctl_tid_args() - the seven identity strings of a controller dict ("" when absent). */
void ctl_tid_args(struct json_object *ctrl, const char *ret[7]);

/* ---- output ---- */

/**
 * ctl_output() - print @v to stdout: JSON with --json, else pprint style.
 * Return: 0, or -EIO/-ENOMEM after a message on stderr.
 */
int ctl_output(struct ctl *c, struct json_object *v);

/* Text for a value in place of pprint's; NULL when out of memory. */
typedef char *(*ctl_text_fn)(struct json_object *v);

/**
 * ctl_output_as() - print @v as ctl_output() does, but with @fn (not
 * pprint) making the text when --json is not given. @fn NULL: pprint.
 * Return: 0, or -EIO/-ENOMEM after a message on stderr.
 */
int ctl_output_as(struct ctl *c, struct json_object *v, ctl_text_fn fn);

/**
 * ctl_pformat() - what Python's pprint.pformat(v, width=@width) prints for
 * the value json.loads() would make of @v (no trailing newline).
 * Return: a new string, or NULL when out of memory.
 */
char *ctl_pformat(struct json_object *v, int width);

/** ctl_pyrepr() - Python's repr() of that value, on one line. NULL on ENOMEM. */
char *ctl_pyrepr(struct json_object *v);

/** ctl_json_format() - indented JSON text, non-ASCII kept, no "\/". NULL on ENOMEM. */
char *ctl_json_format(struct json_object *v);

/* ---- the commands both CLIs have ---- */

int ctl_cmd_ls(struct ctl *c, int argc, char **argv);
int ctl_cmd_tron(struct ctl *c, int argc, char **argv);
int ctl_cmd_troff(struct ctl *c, int argc, char **argv);

/*
 * status: process_info() as an object, plus 'controllers' =
 * list_controllers(true), each entry merged with controller_info(tid). @each,
 * when not NULL, adds what a daemon adds per controller (stafd: 'log_pages').
 */
typedef int (*ctl_status_fn)(struct ctl *c, struct json_object *ctrl, const char *tid[7]);
int ctl_status(struct ctl *c, int argc, char **argv, ctl_status_fn each);

#endif
