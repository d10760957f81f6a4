// Command gen writes test vectors for trace-format/src/gosort.rs, a port of
// Go's slices.SortFunc (pdqsort). Each vector is a list of int64 keys; the
// elements (key, original index) are sorted with slices.SortFunc comparing
// keys only, and the resulting order of original indices is recorded. Since
// pdqsort is unstable, that order pins down Go's exact algorithm.
//
// Go 1.24 changed the xorshift constants that pdqsort's breakPatterns uses,
// so the vectors are written twice: vectors.txt by Go 1.27 (checked against
// gosort::sort_by) and vectors_go122.txt by Go 1.22 (gosort::sort_by_go1_22).
//
// Usage (from this directory):
//
//	GOTOOLCHAIN=local GOPROXY=off GOCACHE=/tmp/gocache ~/go1.27/bin/go run gen.go
//	GOTOOLCHAIN=local GOPROXY=off GOCACHE=/tmp/gocache ~/go1.22/bin/go run gen.go -o vectors_go122.txt
//
// Output format, one vector per line ('#' lines are comments):
//
//	g:<pattern>,<len>,<param>,<seed>|<perm>   keys made by genKeys (ported to Rust)
//	k:<key>,<key>,...|<perm>                  keys listed explicitly
//
// where <perm> is the comma-separated list of original indices after sorting.
package main

import (
	"bufio"
	"cmp"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// splitmix64 is the PRNG shared with the Rust test.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// genKeys builds the keys of a generated vector. The Rust test has an exact
// copy of this function; keep them in step.
func genKeys(pattern string, n int, p int64, seed uint64) []int64 {
	rng := splitmix64(seed)
	k := make([]int64, n)
	N := int64(n)
	for i := range k {
		I := int64(i)
		switch pattern {
		case "rand": // uniform in [0, p)
			k[i] = int64(rng.next() % uint64(p))
		case "asc": // ascending runs of p equal keys
			k[i] = I / p
		case "desc": // descending runs of p equal keys
			k[i] = (N - 1 - I) / p
		case "saw": // 0,1,..,p-1,0,1,..
			k[i] = I % p
		case "rsaw": // p-1,..,1,0,p-1,..
			k[i] = p - 1 - I%p
		case "organ": // ascending then descending, runs of p
			k[i] = min(I, N-1-I) / p
		case "zigzag": // small and large keys interleaved, runs of p
			if i%2 == 0 {
				k[i] = I / p
			} else {
				k[i] = (N - I) / p
			}
		case "eq":
			k[i] = p
		case "ascswaps", "descswaps": // strictly sorted, then p random swaps
			if pattern == "ascswaps" {
				k[i] = I
			} else {
				k[i] = N - 1 - I
			}
		case "asctail": // ascending, then the last p keys random in [0, n)
			if I < N-p {
				k[i] = I
			} else {
				k[i] = int64(rng.next() % uint64(n))
			}
		default:
			panic("unknown pattern " + pattern)
		}
	}
	if (pattern == "ascswaps" || pattern == "descswaps") && n > 0 {
		for range p {
			a := rng.next() % uint64(n)
			b := rng.next() % uint64(n)
			k[a], k[b] = k[b], k[a]
		}
	}
	return k
}

type elem struct {
	key int64
	idx int
}

// sortPerm sorts the keys with slices.SortFunc and returns the original
// indices in their final order.
func sortPerm(keys []int64) []int {
	e := make([]elem, len(keys))
	for i, k := range keys {
		e[i] = elem{k, i}
	}
	slices.SortFunc(e, func(a, b elem) int { return cmp.Compare(a.key, b.key) })
	perm := make([]int, len(e))
	for i, x := range e {
		perm[i] = x.idx
	}
	return perm
}

// adversaryKeys runs an adversary against slices.SortFunc and returns the
// keys it settled on. Sorting these keys makes the very same comparisons, so
// it takes the same path. Every element starts as "gas", greater than any
// frozen one; comparing two gas elements freezes one of them to a small
// value. McIlroy's "killer adversary" (as in Go's sort tests) freezes the
// one it guesses is the pivot; pdqsort defeats it. Freezing the first
// argument instead (firstArg) makes every pivot small, so every partition
// unbalanced, and pdqsort falls back to heapsort.
//
// With ties set, a frozen element takes the highest value frozen so far
// rather than a new one, unless it was already found greater than an element
// of that value; the answers stay consistent, and the sort gets ties to order.
func adversaryKeys(n int, ties, firstArg bool) []int64 {
	gas := n + 1 // above any frozen value
	val := make([]int, n)
	maxSeen := make([]int, n) // while gas: highest frozen value compared with
	for i := range val {
		val[i] = gas
		maxSeen[i] = -1
	}
	nsolid, candidate := 0, 0
	top := 0 // highest frozen value so far (ties mode)
	freeze := func(x int) {
		if ties {
			top = max(top, maxSeen[x]+1)
			val[x] = top
		} else {
			val[x] = nsolid
			nsolid++
		}
	}
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i
	}
	var trace [][3]int // (i, j, result) of each comparison
	slices.SortFunc(ids, func(i, j int) int {
		if val[i] == gas && val[j] == gas {
			if firstArg || i == candidate {
				freeze(i)
			} else {
				freeze(j)
			}
		}
		if val[i] == gas {
			candidate = i
		} else if val[j] == gas {
			candidate = j
		}
		if val[i] == gas && val[j] != gas {
			maxSeen[i] = max(maxSeen[i], val[j])
		}
		if val[j] == gas && val[i] != gas {
			maxSeen[j] = max(maxSeen[j], val[i])
		}
		c := cmp.Compare(val[i], val[j])
		trace = append(trace, [3]int{i, j, c})
		return c
	})
	keys := make([]int64, n)
	for i, v := range val {
		keys[i] = int64(v)
	}
	// Check that sorting the keys makes the adversary's comparisons, with
	// the same answers.
	ids2 := make([]int, n)
	for i := range ids2 {
		ids2[i] = i
	}
	var replay [][3]int
	slices.SortFunc(ids2, func(i, j int) int {
		c := cmp.Compare(keys[i], keys[j])
		replay = append(replay, [3]int{i, j, c})
		return c
	})
	if !slices.Equal(replay, trace) {
		panic("adversary keys do not replay the adversary's sort")
	}
	return keys
}

func joinInts[T int | int64](xs []T) string {
	var b strings.Builder
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(int64(x), 10))
	}
	return b.String()
}

type spec struct {
	pattern string
	param   int64
}

func main() {
	out := flag.String("o", "vectors.txt", "output file")
	flag.Parse()

	f, err := os.Create(*out)
	if err != nil {
		panic(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# Go slices.SortFunc test vectors, written by gen.go with %s; see gen.go for the format.\n", runtime.Version())

	var seed uint64
	count := 0
	emitGen := func(s spec, n int) {
		seed++
		keys := genKeys(s.pattern, n, s.param, seed)
		fmt.Fprintf(w, "g:%s,%d,%d,%d|%s\n", s.pattern, n, s.param, seed, joinInts(sortPerm(keys)))
		count++
	}
	emitKeys := func(keys []int64) {
		fmt.Fprintf(w, "k:%s|%s\n", joinInts(keys), joinInts(sortPerm(keys)))
		count++
	}

	small := func(n int64) []spec {
		n = max(n, 1)
		return []spec{
			{"rand", 2}, {"rand", 2},
			{"rand", 3}, {"rand", 3}, {"rand", 3}, {"rand", 3},
			{"rand", 10}, {"rand", 10}, {"rand", 10},
			{"rand", n}, {"rand", n}, {"rand", n},
			{"asc", 1}, {"asc", 3}, {"desc", 1}, {"desc", 3},
			{"saw", 4}, {"saw", 7}, {"rsaw", 5},
			{"organ", 1}, {"organ", 2}, {"zigzag", 1}, {"zigzag", 3},
			{"eq", 7},
			{"ascswaps", 1}, {"ascswaps", 2}, {"descswaps", 2},
			{"asctail", min(3, n)},
		}
	}
	for n := 0; n <= 60; n++ {
		for _, s := range small(int64(n)) {
			emitGen(s, n)
		}
	}
	for _, n := range []int{100, 500} {
		for _, s := range small(int64(n)) {
			emitGen(s, n)
		}
		for _, s := range []spec{
			{"rand", 50}, {"saw", 2}, {"saw", 50}, {"rsaw", 50}, {"organ", 5}, {"zigzag", 10},
			{"ascswaps", 5}, {"ascswaps", 10}, {"descswaps", 5}, {"asctail", 20}, {"asc", 50}, {"desc", 50},
		} {
			emitGen(s, n)
		}
	}
	for _, s := range []spec{
		{"rand", 2}, {"rand", 3}, {"rand", 10}, {"rand", 100}, {"rand", 3000}, {"rand", 3000},
		{"asc", 1}, {"asc", 10}, {"desc", 1}, {"desc", 10}, {"saw", 7}, {"saw", 100}, {"rsaw", 100},
		{"organ", 1}, {"organ", 10}, {"zigzag", 10}, {"eq", 0},
		{"ascswaps", 3}, {"descswaps", 3}, {"asctail", 50},
	} {
		emitGen(s, 3000)
	}
	for _, s := range []spec{{"rand", 3}, {"rand", 20000}, {"saw", 1000}, {"organ", 3}} {
		emitGen(s, 20000)
	}
	for _, n := range []int{13, 20, 33, 50, 51, 64, 100, 257, 500, 3000} {
		for _, firstArg := range []bool{false, true} {
			emitKeys(adversaryKeys(n, false, firstArg))
			emitKeys(adversaryKeys(n, true, firstArg))
		}
	}

	if err := w.Flush(); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
	fmt.Printf("%s: wrote %d vectors to %s\n", runtime.Version(), count, *out)
}
