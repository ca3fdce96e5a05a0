// SPDX-License-Identifier: GPL-2.0
/*
 * fuse_demo SOURCE: mount the test server with SOURCE bound as a
 * passthrough subtree at <mnt>/tree next to a file the server serves
 * itself, run a shell command against the mount, and print which
 * requests reached the server.
 *
 *   fuse_demo /some/dir 'ls -l $MNT/tree; cat $MNT/tree/file'
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuse_test_daemon.h"

static const char hello[] = "served by the FUSE server itself\n";

int main(int argc, char **argv)
{
	struct ftd_opts opts;
	__u64 tree, op;
	struct ftd *d;
	int fd, id, ret;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SOURCE COMMAND\n", argv[0]);
		return 2;
	}
	if (ftd_private_mntns())
		return 1;

	ftd_opts_init(&opts);
	opts.init_flags = FUSE_PASSTHROUGH | FUSE_PASSTHROUGH_DIR;
	opts.max_stack_depth = 1;
	d = ftd_new(&opts);
	if (!d)
		return 1;
	tree = ftd_add_dir(d, FUSE_ROOT_ID, "tree", 0755);
	ftd_add_file(d, FUSE_ROOT_ID, "hello", 0644, hello, strlen(hello));
	if (ftd_mount(d, NULL)) {
		perror("mount");
		return 1;
	}
	if (!ftd_kernel_offers(d, FUSE_PASSTHROUGH_DIR)) {
		fprintf(stderr, "kernel does not offer FUSE_PASSTHROUGH_DIR\n");
		return 1;
	}
	fd = open(argv[1], O_PATH | O_DIRECTORY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	id = ftd_backing_open(d, fd, FUSE_BACKING_INODE);
	close(fd);
	if (id < 0) {
		fprintf(stderr, "FUSE_DEV_IOC_BACKING_OPEN: %s\n", strerror(-id));
		return 1;
	}
	ftd_set_entry_backing(d, tree, id, FUSE_ENTRY_BACKING_SUBTREE);
	printf("mounted at %s: tree -> %s (backing_id %d, subtree), hello served by the server\n",
	       ftd_mnt(d), argv[1], id);
	fflush(stdout);

	setenv("MNT", ftd_mnt(d), 1);
	ftd_log_reset(d);
	ret = system(argv[2]);

	printf("\nrequests that reached the server:");
	for (op = 1; op < 64; op++) {
		int n = ftd_count(d, op);

		if (n)
			printf(" %s=%d", ftd_opname(op), n);
	}
	printf("%s\n", ftd_count_total(d) ? "" : " none");
	ftd_destroy(d);
	return WEXITSTATUS(ret);
}
