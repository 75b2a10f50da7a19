package queue

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ConsumerName identifies this process in a queue's consumer group: its
// host and process id, so that DeadConsumer can tell when it is gone.
func ConsumerName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// DeadConsumer reports whether a consumer named by ConsumerName was a
// process of this host that no longer runs (it crashed or was killed): the
// Options.Dead of a queue whose workers run on one host.
func DeadConsumer(name string) bool {
	host, _ := os.Hostname()
	pidText, ok := strings.CutPrefix(name, host+"-")
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
