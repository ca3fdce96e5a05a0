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

# kernel_not_new PATH: is PATH, a new file of this repository, one the
# kernel already has (listed in the series' directory as not-new)?  Then
# the series changes the kernel's own file and the overlay leaves it out.
kernel_not_new() {
	[ -f "$kpatches/not-new" ] && grep -qxF "$1" "$kpatches/not-new"
}
