/*
 * testutil.h — helpers for unit tests that work in one temporary directory
 * (test_kvmrun, test_qemu).
 *
 * The including test includes <cmocka.h> and defines `static char dir[]`, a
 * mkdtemp template that its group setup fills in, before this header:
 *   at(name)               "<dir>/<name>", in a static buffer
 *   put(name, text, mode)  write the file <dir>/<name>, then chmod it
 *   slurp(name)            the text of <dir>/<name> (at most 16 KiB - 1, in a
 *                          static buffer), or NULL when it cannot be read
 *   teardown               the cmocka group teardown: rm -rf <dir>
 */
#ifndef ENTRYLAB_TESTUTIL_H
#define ENTRYLAB_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static __attribute__((unused)) const char *at(const char *name)
{
	static char path_buf[512];

	snprintf(path_buf, sizeof(path_buf), "%s/%s", dir, name);
	return path_buf;
}

static __attribute__((unused)) void put(const char *name, const char *text, mode_t mode)
{
	FILE *f = fopen(at(name), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(at(name), mode);
}

static __attribute__((unused)) char *slurp(const char *name)
{
	static char buf[16384];
	FILE *f = fopen(at(name), "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static __attribute__((unused)) int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
