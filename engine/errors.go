package engine

import (
	"errors"

	badger "github.com/dgraph-io/badger/v4"
)

// Errors the engine returns for Redis-level conditions. The resp package
// maps each one to Redis' exact error text; none of that text lives here.
var (
	ErrWrongType     = errors.New("engine: wrong type")
	ErrNotInteger    = errors.New("engine: value is not an integer")
	ErrNotFloat      = errors.New("engine: value is not a valid float")
	ErrOverflow      = errors.New("engine: increment or decrement would overflow")
	ErrNaNOrInfinity = errors.New("engine: increment would produce NaN or Infinity")
	ErrNoSuchKey     = errors.New("engine: no such key")
	ErrStringTooLong = errors.New("engine: string exceeds maximum allowed size")
	ErrKeyExists     = errors.New("engine: target key name is busy")
	// ErrTooManyWrites: one command's writes exceed what one atomic
	// transaction can hold (Badger's per-transaction budget).
	ErrTooManyWrites = badger.ErrTxnTooBig
)

// MaxStringLen is the largest string value (Redis' proto-max-bulk-len default).
const MaxStringLen = 512 << 20
