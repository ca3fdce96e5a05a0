# SPDX-License-Identifier: GPL-2.0
#
# The directory passthrough (FUSE_PASSTHROUGH_DIR) tests, included by this
# directory's Makefile after lib.mk: they add to TEST_GEN_PROGS and
# TEST_GEN_FILES (with lib.mk's $(OUTPUT)/ prefix) and to "all".

FUSE_PT_PROGS := fuse_basic_test fuse_bind_test fuse_dir_test \
		 fuse_dir_write_test fuse_native_test fuse_root_test \
		 fuse_daemon_test fuse_hostile_test fuse_libfuse_test \
		 fuse_filter_test
FUSE_PT_FILES := fuse_demo fuse-passthrough fuse-passthrough-filter.bpf.o

TEST_GEN_PROGS += $(addprefix $(OUTPUT)/,$(FUSE_PT_PROGS))
TEST_GEN_FILES += $(addprefix $(OUTPUT)/,$(FUSE_PT_FILES))
all: $(addprefix $(OUTPUT)/,$(FUSE_PT_PROGS) $(FUSE_PT_FILES))

CFLAGS += -pthread
LDLIBS += -pthread
# the kernel's uapi header too: the tests are rebuilt when it changes
FUSE_UAPI := $(wildcard $(addsuffix /linux/fuse.h,\
	$(patsubst -I%,%,$(filter-out -isystem,$(KHDR_INCLUDES)))))
LOCAL_HDRS += fuse_test_daemon.h fuse_test_util.h $(FUSE_UAPI)

# libfuse with the directory passthrough series: build/libfuse of this
# project (make libfuse), never a system libfuse
LIBFUSE ?= $(error LIBFUSE: the directory of the patched libfuse (make libfuse))
LIBFUSE_CFLAGS = -I$(LIBFUSE)/prefix/include/fuse3
LIBFUSE_LDLIBS = -L$(LIBFUSE)/prefix/lib -Wl,-rpath,$(LIBFUSE)/prefix/lib -lfuse3

# BPF filters (fuse_filter_test): the program is compiled with clang
# -target bpf against the BTF of the kernel under test (VMLINUX); bpftool
# and libbpf are those of the pinned kernel tree (make bpftool: Debian 12's
# bpftool 7.1 and libbpf 1.1 cannot set a struct_ops map's fuse_fd before
# loading it)
BPFTOOL_DIR ?= $(error BPFTOOL_DIR: bpftool and libbpf built from the kernel tree (make bpftool))
VMLINUX ?= $(error VMLINUX: the vmlinux of the kernel under test, with BTF)
CLANG_BPF ?= clang-19
BPFTOOL = $(BPFTOOL_DIR)/bpftool
LIBBPF_INCLUDE = $(BPFTOOL_DIR)/libbpf/include

# fuse_libfuse_test runs the example and test programs of that build
$(OUTPUT)/fuse_libfuse_test: CFLAGS += -DLIBFUSE_BUILD='"$(LIBFUSE)/build"'
# fuse_daemon_test fills fuse-passthrough's filter policy with bpftool
$(OUTPUT)/fuse_daemon_test: CFLAGS += -DBPFTOOL='"$(BPFTOOL)"'

# Every test links the test daemon library.
$(addprefix $(OUTPUT)/,$(FUSE_PT_PROGS) fuse_demo): fuse_test_daemon.c \
	fuse_test_daemon.h fuse_test_util.h $(FUSE_UAPI) | $(OUTPUT)

# The real server, tools/fuse/fuse-passthrough, which fuse_daemon_test runs
# (relinked when the patched libfuse changes: its symbol versions may)
$(OUTPUT)/fuse-passthrough: ../../../../fuse/fuse-passthrough.c \
			    $(LIBFUSE)/prefix/lib/libfuse3.so \
			    $(OUTPUT)/fuse-passthrough-filter.bpf.o | $(OUTPUT)
	$(CC) $(CFLAGS) $(LIBFUSE_CFLAGS) -DHAVE_LIBBPF -I$(LIBBPF_INCLUDE) -o $@ $< \
		$(LIBFUSE_LDLIBS) $(BPFTOOL_DIR)/libbpf/libbpf.a -lelf -lz $(LDLIBS)

# its filter (--filter), loaded from next to it
$(OUTPUT)/fuse-passthrough-filter.bpf.o: ../../../../fuse/fuse-passthrough-filter.bpf.c \
					 ../../../../fuse/fuse-passthrough-filter.bpf.h \
					 $(OUTPUT)/vmlinux.h
	$(CLANG_BPF) -target bpf -O2 -g -Wall -I$(OUTPUT) -I$(LIBBPF_INCLUDE) \
		-c $< -o $@

$(OUTPUT)/vmlinux.h: $(VMLINUX) | $(OUTPUT)
	$(BPFTOOL) btf dump file $< format c > $@.tmp && mv $@.tmp $@

$(OUTPUT)/fuse_filter.bpf.o: fuse_filter.bpf.c ../../../../fuse/fuse-passthrough-filter.bpf.h \
			    $(OUTPUT)/vmlinux.h
	$(CLANG_BPF) -target bpf -O2 -g -Wall -I$(OUTPUT) -I$(LIBBPF_INCLUDE) \
		-c $< -o $@

$(OUTPUT)/fuse_filter.skel.h: $(OUTPUT)/fuse_filter.bpf.o
	$(BPFTOOL) gen skeleton $< name fuse_filter_bpf > $@.tmp && mv $@.tmp $@

$(OUTPUT)/fuse_filter_test: fuse_filter_test.c fuse_test_daemon.c \
			    $(OUTPUT)/fuse_filter.skel.h $(LOCAL_HDRS)
	$(CC) $(CFLAGS) -I$(OUTPUT) -I$(LIBBPF_INCLUDE) -DBPFTOOL='"$(BPFTOOL)"' \
		$(filter %.c,$^) $(BPFTOOL_DIR)/libbpf/libbpf.a -lelf -lz \
		$(LDLIBS) -o $@

$(OUTPUT):
	mkdir -p $@

# Basenames of the test programs (this directory's others too), one per
# line, for the harness.
list:
	@for t in $(notdir $(TEST_GEN_PROGS)); do echo $$t; done

.PHONY: list
