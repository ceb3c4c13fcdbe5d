#!/usr/bin/awk -f
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The kernel matrix's benchmark table (KERNEL_BENCH=1 tools/kernel-matrix.sh): reads the
# LWBENCH lines of tests/kernels/bench.sh from one or more guests' logs and prints, per
# kernel and syscall loop, the base cost (CPU ns per iteration, the 10th percentile over
# chunks, median over the repetitions) and each configuration's ratio to the base of the
# same repetition: median (min-max). A markdown table. -v accel=... names how QEMU ran.

function median(s, n,    a, i, j, t) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	lo = a[1]; hi = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

$1 == "LWBENCH" && $2 == "kernel" { k = $3; if (!(k in seen)) { seen[k] = 1; kernels[++nk] = k } }
$1 == "LWBENCH" && $2 == "fail" { $1 = $2 = ""; fails[k] = fails[k] "\n    failed:" $0 }
$1 == "LWBENCH" && $2 == "row" && NF == 8 && $8 + 0 > 0 {
	rep = $3; cfg = $4; c = $5
	p10[k, rep, cfg, c] = $8
	reps[k, rep] = 1
	if (!((k, cfg) in hascfg)) { hascfg[k, cfg] = 1 }
}

END {
	ncfg = split("floor-tracepoints unwatched-tracepoints watched-tracepoints floor-fexit " \
		     "unwatched-fexit watched-fexit", cfgs, " ")
	ncase = split("getppid open connect sendto", cases, " ")
	label["getppid"] = "getppid (untraced)"; label["open"] = "openat+close"
	label["connect"] = "connect iteration"; label["sendto"] = "sendto 64 B"
	printf "| kernel | loop | base ns |"
	for (i = 1; i <= ncfg; i++)
		printf " %s |", cfgs[i]
	printf "\n|---|---|---|"
	for (i = 1; i <= ncfg; i++)
		printf "---|"
	printf "\n"
	for (ki = 1; ki <= nk; ki++) {
		k = kernels[ki]
		for (ci = 1; ci <= ncase; ci++) {
			c = cases[ci]
			b = ""
			for (r = 1; (k, r) in reps; r++)
				if ((k, r, "base", c) in p10)
					b = b " " p10[k, r, "base", c]
			if (b == "")
				continue
			printf "| %s | %s | %.0f |", k, label[c], median(b)
			for (i = 1; i <= ncfg; i++) {
				s = ""
				for (r = 1; (k, r) in reps; r++)
					if ((k, r, cfgs[i], c) in p10 && (k, r, "base", c) in p10)
						s = s " " p10[k, r, cfgs[i], c] / p10[k, r, "base", c]
				if (s == "")
					printf " - |"
				else {
					m = median(s)
					printf " **%.2fx** (%.2f-%.2f) |", m, lo, hi
				}
			}
			printf "\n"
		}
	}
	for (ki = 1; ki <= nk; ki++)
		if (kernels[ki] in fails)
			printf "%s:%s\n", kernels[ki], fails[kernels[ki]]
}
