package importer

import "testing"

func TestDupSetSpillsToDisk(t *testing.T) {
	d := newDupSet()
	d.spill = 100
	defer d.Close()
	for i := 1; i <= 1000; i++ {
		if first, err := d.Add(uint64(i)*0x9e3779b97f4a7c15, i); err != nil || first != 0 {
			t.Fatalf("add %d: %d %v", i, first, err)
		}
	}
	if d.spilled == 0 || d.db == nil {
		t.Fatal("nothing was moved to disk")
	}
	for _, i := range []int{1, 150, 999, 1000} {
		if first, err := d.Add(uint64(i)*0x9e3779b97f4a7c15, 5000+i); err != nil || first != i {
			t.Fatalf("repeat of %d: first %d %v", i, first, err)
		}
	}
	if first, _ := d.First(12345); first != 0 {
		t.Fatal("an unknown key was found")
	}
}
