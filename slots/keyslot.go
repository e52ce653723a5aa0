// Package slots holds the pure values and decisions of Redis Cluster hash
// slots: key → slot mapping, slot sets and routing. It does no I/O and
// imports no other package of the project.
package slots

import "github.com/sigurn/crc16"

// Count is the number of hash slots in a Redis Cluster.
const Count = 16384

var table = crc16.MakeTable(crc16.CRC16_XMODEM)

// KeySlot returns the hash slot of key exactly as Redis Cluster computes it:
// CRC16/XMODEM modulo 16384 over the whole key, or over the hash tag — the
// bytes between the first '{' and the first '}' after it — when that part is
// non-empty.
func KeySlot(key []byte) int {
	for i := 0; i < len(key); i++ {
		if key[i] == '{' {
			for j := i + 1; j < len(key); j++ {
				if key[j] == '}' {
					if j == i+1 {
						break // empty tag "{}": hash the whole key
					}
					return int(crc16.Checksum(key[i+1:j], table) & (Count - 1))
				}
			}
			break
		}
	}
	return int(crc16.Checksum(key, table) & (Count - 1))
}
