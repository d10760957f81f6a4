// Command go-reader is the Go reference benchmark for reading execution
// traces: it parses a trace with Go's own parser (internal/trace, copied out
// of GOROOT and renamed to gotracebench/trace by build.sh) and prints one
// line of JSON:
//
//	{"events":N,"bytes":B,"seconds":S,"mb_per_s":X,"events_per_s":Y,"max_rss_kb":K,...}
//
// Usage:
//
//	go-reader [-summary] TRACE
//
// seconds covers opening the reader and reading every event (and, with
// -summary, feeding each event to trace.NewSummarizer and finalizing it).
// mb_per_s is in 10^6 bytes per second. max_rss_kb is ru_maxrss of the
// process (KiB on Linux).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"syscall"
	"time"

	"gotracebench/trace"
)

type result struct {
	Events     int     `json:"events"`
	Bytes      int64   `json:"bytes"`
	Seconds    float64 `json:"seconds"`
	MBPerS     float64 `json:"mb_per_s"`
	EventsPerS float64 `json:"events_per_s"`
	MaxRSSKB   int64   `json:"max_rss_kb"`
	Mode       string  `json:"mode"`
	Goroutines *int    `json:"goroutines,omitempty"` // -summary only
	Tasks      *int    `json:"tasks,omitempty"`      // -summary only
	GoVersion  string  `json:"go_version"`
}

func main() {
	summary := flag.Bool("summary", false, "also feed every event to trace.NewSummarizer and finalize it")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go-reader [-summary] TRACE")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		fail(err)
	}

	res := result{Bytes: fi.Size(), Mode: "read", GoVersion: runtime.Version()}
	start := time.Now()
	r, err := trace.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		fail(err)
	}
	var s *trace.Summarizer
	if *summary {
		res.Mode = "summary"
		s = trace.NewSummarizer()
	}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(fmt.Errorf("after %d events: %w", res.Events, err))
		}
		res.Events++
		if s != nil {
			s.Event(&ev)
		}
	}
	if s != nil {
		sum := s.Finalize()
		goroutines, tasks := len(sum.Goroutines), len(sum.Tasks)
		res.Goroutines, res.Tasks = &goroutines, &tasks
	}
	res.Seconds = time.Since(start).Seconds()
	if res.Seconds > 0 {
		res.MBPerS = float64(res.Bytes) / 1e6 / res.Seconds
		res.EventsPerS = float64(res.Events) / res.Seconds
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		res.MaxRSSKB = int64(ru.Maxrss)
	}
	out, err := json.Marshal(res)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go-reader:", err)
	os.Exit(1)
}
