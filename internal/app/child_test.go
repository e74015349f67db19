package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/store"
)

// The restart and crash tests run the bot as a child process: this test
// binary re-executed with childEnv set runs `sahelbrief <args>` instead of
// the tests, and kills itself with SIGKILL at the hook point named by
// killEnv, the first time it is reached.
const (
	childEnv = "SAHELBRIEF_TEST_CHILD_ARGS"
	killEnv  = "SAHELBRIEF_TEST_KILL_AT"
	// nowEnv, an RFC 3339 time, starts the child's clock (clockNow) there.
	nowEnv = "SAHELBRIEF_TEST_NOW"
	// rssEnv makes the child print its peak resident memory (VmHWM, kB)
	// on stderr as it ends, after rssReport.
	rssEnv    = "SAHELBRIEF_TEST_REPORT_RSS"
	rssReport = "child: VmHWM kB: "
)

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(childEnv); ok {
		os.Exit(childMain(strings.Fields(args)))
	}
	os.Exit(m.Run())
}

func childMain(args []string) int {
	if at := os.Getenv(nowEnv); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			fmt.Fprintf(os.Stderr, "child: %s: %v\n", nowEnv, err)
			return 2
		}
		// The clock runs from the given time, so latencies stay real.
		started := time.Now()
		clockNow = func() time.Time { return t.Add(time.Since(started)) }
	}
	if point := os.Getenv(killEnv); point != "" {
		testHook = func(p string) {
			if p == point {
				fmt.Fprintf(os.Stderr, "child: killed at %s\n", p)
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // never returns: the signal is on its way
			}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := Run(ctx, args, os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	if os.Getenv(rssEnv) != "" {
		fmt.Fprintf(os.Stderr, "%s%d\n", rssReport, vmHWM("/proc/self/status"))
	}
	return code
}

// vmHWM reads the VmHWM line of a /proc status file: peak resident
// memory in kB (0 if unknown).
func vmHWM(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

// child is a running bot process.
type child struct {
	cmd    *exec.Cmd
	stdout <-chan string
	stderr *lineWriter
	done   chan error
	all    *lineWriter
}

// startChild runs the bot with env (on top of a clean environment) and
// args, killing itself at killAt ("" for never).
func startChild(t testing.TB, env map[string]string, killAt string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = []string{childEnv + "=" + strings.Join(args, " "), "HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH")}
	if killAt != "" {
		cmd.Env = append(cmd.Env, killEnv+"="+killAt)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	all := newLineWriter()
	c := &child{cmd: cmd, stderr: newLineWriter(), done: make(chan error, 1), all: all}
	cmd.Stderr = c.stderr
	cmd.Stdin = nil // /dev/null: not a terminal, so the bot runs until signalled
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.stdout = readLines(io.TeeReader(out, all))
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// waitKilled waits for the child to die of SIGKILL (at its kill point).
func (c *child) waitKilled(t *testing.T, timeout time.Duration) {
	t.Helper()
	select {
	case err := <-c.done:
		ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("child ended with %v, not at its kill point\nstderr:\n%s", err, c.stderr.String())
		}
	case <-time.After(timeout):
		t.Fatalf("child did not reach its kill point within %v\nstderr:\n%s", timeout, c.stderr.String())
	}
}

// waitRunning waits for the child's "sahelbrief running" log line: its
// signal handling is in place from then on.
func (c *child) waitRunning(t *testing.T) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l := <-c.stderr.lines:
			if strings.Contains(l, "sahelbrief running") {
				return
			}
		case err := <-c.done:
			c.done <- err
			t.Fatalf("child ended before running: %v\n%s", err, c.stderr.String())
		case <-deadline:
			t.Fatalf("child not running after 30s\n%s", c.stderr.String())
		}
	}
}

// stop waits for the child to be running, sends SIGTERM and expects a
// clean exit 0.
func (c *child) stop(t *testing.T) {
	t.Helper()
	c.waitRunning(t)
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		if err != nil {
			t.Fatalf("child exit after SIGTERM: %v\nstderr:\n%s", err, c.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("child did not stop on SIGTERM\nstderr:\n%s", c.stderr.String())
	}
}

// childLeaseTTL is the bot's lease in the child tests: a killed child's
// lease (and claims) run out this soon, so the next child can start.
const childLeaseTTL = "1s"

// waitLeaseFree waits until no live bot lease holds the database at
// dbPath: a child killed with SIGKILL leaves its lease to expire.
func waitLeaseFree(t testing.TB, dbPath string) briefing.Lease {
	t.Helper()
	st, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err := st.Lease(context.Background(), briefing.LeaseBot)
	if errors.Is(err, store.ErrNotFound) {
		return l
	}
	if err != nil {
		t.Fatal(err)
	}
	if wait := time.Until(l.Expires); wait > 0 {
		if wait > 30*time.Second {
			t.Fatalf("the lease %+v expires in %v", l, wait)
		}
		<-time.After(wait)
	}
	return l
}
