/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the FUSE directory passthrough selftests.
 * Include after kselftest_harness.h.
 */
#ifndef FUSE_TEST_UTIL_H
#define FUSE_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* The unprivileged user tests act as */
#define USER_ID		1000
#define GROUP_ID	1000

/* Write a whole file; 0 or -1 */
static inline int put_file(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t len = strlen(data);

	if (fd < 0)
		return -1;
	if (write(fd, data, len) != len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Write data to an existing file (a /proc knob); true on success */
static inline bool write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY);
	ssize_t len = strlen(data);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, data, len) == len;
	return !close(fd) && ok;
}

/* Read a whole (small) file into buf, NUL-terminated; its length or -1 */
static inline ssize_t get_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t len;

	if (fd < 0)
		return -1;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len >= 0)
		buf[len] = 0;
	return len;
}

static inline bool exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/* base/rel in buf (PATH_MAX bytes); a path cut short would be another one */
static inline const char *join(char *buf, const char *base, const char *rel)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", base, rel) >= PATH_MAX)
		abort();
	return buf;
}

/*
 * Evaluate expr (non-zero on failure, errno set) in a child running as
 * uid/gid with no capabilities: the errno it failed with, 0, or -1.
 */
#define AS_USER_ID(uid, gid, expr) ({					\
	pid_t __pid = fork();						\
	int __status = -1;						\
	if (!__pid) {							\
		if (setgroups(0, NULL) || setgid(gid) || setuid(uid))	\
			_exit(255);					\
		_exit((expr) ? errno : 0);				\
	}								\
	if (__pid > 0 && waitpid(__pid, &__status, 0) == __pid &&	\
	    WIFEXITED(__status))					\
		__status = WEXITSTATUS(__status);			\
	else								\
		__status = -1;						\
	__status; })

#define AS_USER(expr)	AS_USER_ID(USER_ID, GROUP_ID, expr)

/* In a test with a test server in self->d: nothing reached it */
#define ASSERT_NO_REQUESTS() do {				\
	int __n = ftd_count_total(self->d);			\
	if (__n)						\
		ftd_log_dump(self->d, stderr);			\
	ASSERT_EQ(0, __n);					\
} while (0)

#endif /* FUSE_TEST_UTIL_H */
