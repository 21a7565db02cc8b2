/* error.c - descriptions of errors and names of methods. */
#include "internal.h"

#include <string.h>

struct code_text {
	int code;
	const char *text;
};

static const struct code_text rl_codes[] = {
	{ RL_ECLONE_XDEV, "cannot clone: source and destination are on different filesystems" },
	{ RL_ECLONE_NOTSUP, "cannot clone: the filesystem does not support clones" },
	{ RL_ECLONE_INVAL, "cannot clone: this file or range cannot be cloned" },
	{ RL_ECLONE_DENIED, "cannot clone: the kernel refused the clone" },
	{ RL_ECLONE_BUSY, "cannot clone: the source is an active swap file" },
	{ RL_ESAMEFILE, "source and destination are the same file" },
	{ RL_ENOTREGULAR, "not a regular file (FIFO, socket or device)" },
	{ RL_ECHANGED, "source changed size while it was being copied" },
	{ RL_EINSIDE, "cannot copy a directory into itself" },
	{ RL_EPARTIAL, "some entries could not be copied (each was reported)" },
	{ RL_EREFUSED, "the caller refused to replace the destination" },
};

const char *rl_strerror(int err)
{
	if (err == 0)
		return "success";
	for (size_t i = 0; i < sizeof rl_codes / sizeof rl_codes[0]; i++)
		if (rl_codes[i].code == err)
			return rl_codes[i].text;
	if (err < 0 && err > RL_ERRNO_BASE)
		/* strerrordesc_np is thread-safe and static, unlike strerror. */
		return strerrordesc_np(-err) ? strerrordesc_np(-err)
					     : "unknown error";
	return "unknown error";
}

int rl_is_clone_impossible(int err)
{
	return err <= RL_ECLONE_XDEV && err >= RL_ECLONE_BUSY;
}

const char *rl_method_name(rl_method m)
{
	static const char *const names[RL_METHOD_COUNT_] = {
		"none", "clone", "copy_file_range", "read_write",
	};
	return (unsigned)m < RL_METHOD_COUNT_ ? names[m] : "unknown";
}
