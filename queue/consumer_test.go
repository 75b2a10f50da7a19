package queue_test

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"memebot/queue"
)

func TestDeadConsumerIsAProcessOfThisHostThatNoLongerRuns(t *testing.T) {
	host, _ := os.Hostname()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]bool{
		fmt.Sprintf("%s-%d", host, gone.Process.Pid):   true,
		fmt.Sprintf("%s-%d", host, os.Getpid()):        false, // this process
		fmt.Sprintf("%s-%d", host, os.Getppid()):       false, // alive
		fmt.Sprintf("other-host-%d", gone.Process.Pid): false,
		host + "-x": false,
	}
	for name, want := range cases {
		if got := queue.DeadConsumer(name); got != want {
			t.Errorf("DeadConsumer(%q) = %v, want %v", name, got, want)
		}
	}
	if name := queue.ConsumerName(); queue.DeadConsumer(name) {
		t.Errorf("this process's own name %q is called dead", name)
	}
}
