package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is one of the two servers under load, running as a process of its
// own so that its CPU time can be read from /proc.
type server struct {
	Name      string // "baseline" or "fazhi"
	URL       string // http://127.0.0.1:port
	PprofAddr string // the server's profiler, when asked for
	cmd       *exec.Cmd
}

// build compiles the two servers into dir and returns their binaries.
func build(ctx context.Context, dir string) (fazhi, baseline string, err error) {
	fazhi, baseline = filepath.Join(dir, "fazhi"), filepath.Join(dir, "baseline")
	for bin, pkg := range map[string]string{fazhi: "./cmd/fazhi", baseline: "./bench/baseline"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", "", fmt.Errorf("go build %s: %w", pkg, err)
		}
	}
	return fazhi, baseline, nil
}

// freeAddr finds a loopback port nobody listens on.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startFazhi runs the fazhi binary on the database at url, the demo data
// off, its access log written (as in production) to logPath, and its
// profiler on when profiled.
func startFazhi(ctx context.Context, bin, url, dataDir, logPath string, profiled bool) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	var pprofAddr string
	if profiled {
		if pprofAddr, err = freeAddr(); err != nil {
			return nil, err
		}
	}
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "FAZHI_ADDR="+addr, "FAZHI_DEMO=never",
		"FAZHI_DATA_DIR="+dataDir, "FAZHI_METRICS_ADDR=", "FAZHI_PPROF_ADDR="+pprofAddr)
	s, err := start(cmd, "fazhi", addr, logPath)
	if s != nil {
		s.PprofAddr = pprofAddr
	}
	return s, err
}

// profileCPU records the server's CPU profile for d into path, in the
// background; wait returns once it is written.
func (s *server) profileCPU(d time.Duration, path string) (wait func() error) {
	done := make(chan error, 1)
	go func() {
		url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.PprofAddr, max(1, int(d.Seconds())))
		resp, err := http.Get(url)
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(path)
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		done <- errors.Join(err, f.Close())
	}()
	return func() error { return <-done }
}

// startBaseline runs the hand-written reference server on the same
// database, its profiler on when profiled.
func startBaseline(ctx context.Context, bin, url, logPath string, profiled bool) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"-addr", addr, "-db", url}
	var pprofAddr string
	if profiled {
		if pprofAddr, err = freeAddr(); err != nil {
			return nil, err
		}
		args = append(args, "-pprof", pprofAddr)
	}
	s, err := start(exec.CommandContext(ctx, bin, args...), "baseline", addr, logPath)
	if s != nil {
		s.PprofAddr = pprofAddr
	}
	return s, err
}

func start(cmd *exec.Cmd, name, addr, logPath string) (*server, error) {
	out, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{Name: name, URL: "http://" + addr, cmd: cmd}
	// Up when it answers at all (401 without a token is an answer).
	for deadline := time.Now().Add(60 * time.Second); ; {
		resp, err := http.Get(s.URL + "/api/v1/units/00000000-0000-0000-0000-000000000000")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("%s did not answer at %s within a minute: see %s", name, addr, logPath)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop ends the server gracefully.
func (s *server) Stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	err := s.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled() {
		return nil
	}
	return err
}

// CPU is the CPU time (user and system) the process has used so far.
func (s *server) CPU() (time.Duration, error) {
	return processCPU(s.cmd.Process.Pid)
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// processCPU reads utime and stime of a process from /proc.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count fields after its ')'.
	rest := string(b[strings.LastIndexByte(string(b), ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// serverPID is the process id of the MariaDB or MySQL server db is
// connected to, from the pid file it names, or 0 when that is not on this
// machine: the server the benchmark uses, not just any mariadbd running
// here (a test's Galera nodes, say).
func serverPID(ctx context.Context, db *sql.DB) int {
	var path string
	if err := db.QueryRowContext(ctx, "SELECT @@pid_file").Scan(&path); err != nil {
		return 0
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}
