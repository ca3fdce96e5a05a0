// SPDX-License-Identifier: GPL-2.0
/*
 * The filter of fuse-passthrough --filter (struct fuse_pt_filter_ops):
 * per-app directories, as Android's Android/data and Android/obb.
 *
 * In the top directory of each filtered subtree a caller other than root
 * sees, makes, removes and renames only the names that fpt_allow has for
 * it: key { cookie of the subtree (the --filter position), uid, name },
 * any value; uid 0xffffffff stands for every caller (".nomedia", say).
 * Below the top directory everything goes on, as the backing filesystem
 * checks it.  In a case-insensitive backing directory names come folded
 * (lower case, for ASCII): put folded names in the map.  Fill it with
 *
 *   bpftool map update name fpt_allow key hex <80 bytes> value hex 01 00 00 00
 *
 * (key: cookie as 8 bytes little-endian, uid as 4, the name in 64 bytes
 * padded with zeros, 4 bytes of padding).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define EACCES		13

#include "fuse-passthrough-filter.bpf.h"

SEC("struct_ops/fpt_lookup")
int BPF_PROG(fpt_lookup, const struct fuse_pt_filter_args *args)
{
	return allowed(args) ? FUSE_PT_FILTER_CONTINUE : FUSE_PT_FILTER_HIDE;
}

SEC("struct_ops/fpt_create")
int BPF_PROG(fpt_create, const struct fuse_pt_filter_args *args)
{
	return allowed(args) ? FUSE_PT_FILTER_CONTINUE : -EACCES;
}

SEC("struct_ops/fpt_remove")
int BPF_PROG(fpt_remove, const struct fuse_pt_filter_args *args)
{
	return allowed(args) ? FUSE_PT_FILTER_CONTINUE : -EACCES;
}

SEC("struct_ops/fpt_rename")
int BPF_PROG(fpt_rename, const struct fuse_pt_filter_args *from,
	     const struct fuse_pt_filter_args *to)
{
	return allowed(from) && allowed(to) ? FUSE_PT_FILTER_CONTINUE :
		-EACCES;
}

/* fuse-passthrough sets fuse_fd before it loads the object */
SEC(".struct_ops")
struct fuse_pt_filter_ops fpt_apps = {
	.lookup = (void *)fpt_lookup,
	.create = (void *)fpt_create,
	.remove = (void *)fpt_remove,
	.rename = (void *)fpt_rename,
	.fuse_fd = -1,
};
