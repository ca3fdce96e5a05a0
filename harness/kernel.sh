# Sourced by the harness: which kernel it works on.  The caller sets top
# and build.  KERNEL=6.12 (the default, Debian's linux-source-6.12, what
# CI runs) or KERNEL=mainline (Debian's linux-source-7.3, the mainline
# series in patches/mainline/).  Sets:
#   ksrc      the harness/sources name of the kernel source
#   ktree     the prepared git tree (pristine + series + overlay)
#   kpatches  the series applied to it
#   kobj      the build directory (DEBUG=1: the debug kernel's)
#   ksuffix   "" or "-mainline", for other per-kernel paths under build/
case "${KERNEL:-6.12}" in
6.12)
	ksrc=linux-6.12 ksuffix= kpatches=$top/patches ;;
mainline)
	ksrc=linux-7.3 ksuffix=-mainline kpatches=$top/patches/mainline ;;
*)
	echo "KERNEL=$KERNEL: say 6.12 (the default) or mainline" >&2
	exit 1 ;;
esac
ktree=$build/linux$ksuffix
if [ "${DEBUG:-0}" = 1 ]; then kobj=$build/obj$ksuffix-debug; else kobj=$build/obj$ksuffix; fi

# kernel_skips PATH: does this kernel's tree leave out PATH, a new file
# of this repository?  The series' directory lists them in "skip": files
# the kernel already has (the series changes them instead) and files for
# another kernel (the 6.12 compat header).
kernel_skips() {
	[ -f "$kpatches/skip" ] && grep -qxF "$1" "$kpatches/skip"
}

# kernel_path PATH: where this kernel's tree has PATH, a new file of this
# repository: the series' directory may place one elsewhere ("paths":
# lines "PATH KERNEL-PATH"; 7.3 keeps the fuse docs in
# Documentation/filesystems/fuse/).
kernel_path() {
	local to=
	[ -f "$kpatches/paths" ] && to=$(awk -v f="$1" '$1 == f { print $2 }' "$kpatches/paths")
	echo "${to:-$1}"
}
