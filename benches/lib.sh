# Helpers shared by the benchmark scripts (sourced, not run). Needs $runs.

# best_of DIR CMD...: prints "SECONDS RSS_KB" of the fastest of $runs runs of
# CMD (its stdout discarded), keeping scratch files in DIR. If the caller
# defines a function `before_run`, it runs, untimed, before each run. A run
# that fails prints its last stderr line and makes best_of return 1, so
# `res=$(best_of ...) || exit 1` stops the benchmark rather than timing a
# failure.
best_of() {
	local dir=$1 best="" best_t=999999 t0 t1 t rss
	shift
	for _ in $(seq "$runs"); do
		if declare -F before_run >/dev/null; then
			before_run
		fi
		t0=$EPOCHREALTIME
		if ! /usr/bin/time -f '%M' -o "$dir/rss" "$@" >/dev/null 2>"$dir/err"; then
			echo "FAILED: $* ($(tail -1 "$dir/err"))" >&2
			return 1
		fi
		t1=$EPOCHREALTIME
		t=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
		rss=$(tail -1 "$dir/rss")
		if python3 -c "import sys; sys.exit(0 if $t < $best_t else 1)"; then
			best_t=$t
			best="$t $rss"
		fi
	done
	echo "$best"
}
