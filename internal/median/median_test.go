package median

import "testing"

func TestOf(t *testing.T) {
	if m := Of([]int64{5, 1, 3}); m != 3 {
		t.Errorf("Median odd = %v", m)
	}
	if m := Of([]int64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("Median even = %v", m)
	}
	if m := Of[int64](nil); m != 0 {
		t.Errorf("Median none = %v", m)
	}
	lengths := []int32{9, 2, 7}
	if m := Of(lengths); m != 7 || lengths[0] != 9 {
		t.Errorf("median of session lengths = %v (input %v, must stay unsorted)", m, lengths)
	}
}
