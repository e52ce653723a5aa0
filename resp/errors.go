package resp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kvnode/kvnode/engine"
)

// All Redis-visible error text lives in this file, spelled exactly as Redis
// 7.0 spells it.
const (
	errSyntax          = "ERR syntax error"
	errNotInteger      = "ERR value is not an integer or out of range"
	errNotFloat        = "ERR value is not a valid float"
	errOverflow        = "ERR increment or decrement would overflow"
	errNaNOrInfinity   = "ERR increment would produce NaN or Infinity"
	errNoSuchKey       = "ERR no such key"
	errWrongType       = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errStringTooLong   = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	errBitOffset       = "ERR bit offset is not an integer or out of range"
	errBitValue        = "ERR bit is not an integer or out of range"
	errOffsetRange     = "ERR offset is out of range"
	errNoAuth          = "NOAUTH Authentication required."
	errWrongPass       = "WRONGPASS invalid username-password pair or user is disabled."
	errNoPassSet       = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errDBIndex         = "ERR DB index is out of range"
	errSelectCluster   = "ERR SELECT is not allowed in cluster mode"
	errExpireNXXX      = "ERR NX and XX, GT or LT options at the same time are not compatible"
	errExpireGTLT      = "ERR GT and LT options at the same time are not compatible"
	errKeyTooLarge     = "ERR key is too large for this server"
	errMaxClients      = "ERR max number of clients reached"
	errTimeoutNegative = "ERR timeout is negative"
	errTimeoutInvalid  = "ERR timeout is not an integer or out of range"
	errInternal        = "ERR internal error"
	errNoProto         = "NOPROTO unsupported protocol version"
	errClientName      = "ERR Client names cannot contain spaces, newlines or special characters."
	errNoSuchClient    = "ERR No such client"
	errTargetSame      = "ERR source and destination objects are the same"
	errDecrOverflow    = "ERR decrement would overflow"
	errInvalidCursor   = "ERR invalid cursor"
)

func errWrongArgs(name string) string {
	return fmt.Sprintf("ERR wrong number of arguments for '%s' command", name)
}

func errInvalidExpire(cmd string) string {
	return fmt.Sprintf("ERR invalid expire time in '%s' command", cmd)
}

// errUnknownCommand is Redis' reply for an unknown command: the name cut to
// 128 bytes and the arguments quoted until 128 bytes of them are shown.
func errUnknownCommand(args [][]byte) string {
	var sb strings.Builder
	for _, a := range args[1:] {
		if sb.Len() >= 128 {
			break
		}
		n := min(len(a), 128-sb.Len())
		sb.WriteString("'")
		sb.Write(a[:n])
		sb.WriteString("' ")
	}
	name := args[0]
	if len(name) > 128 {
		name = name[:128]
	}
	return fmt.Sprintf("ERR unknown command '%s', with args beginning with: %s", name, sb.String())
}

func errUnknownSubcommand(parent string, sub []byte) string {
	if len(sub) > 128 {
		sub = sub[:128]
	}
	return fmt.Sprintf("ERR unknown subcommand '%s'. Try %s HELP.", sub, strings.ToUpper(parent))
}

// engineError maps an engine error to its Redis text. Unknown errors are
// logged by the caller and reported as ERR with their text.
func engineError(err error) string {
	switch {
	case errors.Is(err, engine.ErrWrongType):
		return errWrongType
	case errors.Is(err, engine.ErrNotInteger):
		return errNotInteger
	case errors.Is(err, engine.ErrNotFloat):
		return errNotFloat
	case errors.Is(err, engine.ErrOverflow):
		return errOverflow
	case errors.Is(err, engine.ErrNaNOrInfinity):
		return errNaNOrInfinity
	case errors.Is(err, engine.ErrNoSuchKey):
		return errNoSuchKey
	case errors.Is(err, engine.ErrStringTooLong):
		return errStringTooLong
	case errors.Is(err, engine.ErrKeyTooLarge):
		return errKeyTooLarge
	case errors.Is(err, engine.ErrTooManyWrites):
		return errTooManyWrites
	// Strings and bits.
	case errors.Is(err, engine.ErrBitOffset):
		return errBitOffset
	case errors.Is(err, engine.ErrBitFieldType):
		return errBitFieldType
	case errors.Is(err, engine.ErrLCSTooLong):
		return errLCSTooLong
	case errors.Is(err, engine.ErrLCSMemory):
		return errLCSMemory
	// DUMP / RESTORE.
	case errors.Is(err, engine.ErrKeyExists):
		return errBusyKey
	case errors.Is(err, engine.ErrDumpPayload):
		return errDumpPayload
	case errors.Is(err, engine.ErrBadDataFormat):
		return errBadDataFormat
	case errors.Is(err, engine.ErrDumpUnsupported):
		return errDumpUnsupported
	// Hashes.
	case errors.Is(err, engine.ErrHashNotInteger):
		return errHashNotInteger
	case errors.Is(err, engine.ErrHashNotFloat):
		return errHashNotFloat
	case errors.Is(err, engine.ErrHashIncrNotFinite):
		return errHashIncrInfinite
	case errors.Is(err, engine.ErrHashFieldTooLarge):
		return errHashFieldTooLong
	// Sets and sorted sets.
	case errors.Is(err, engine.ErrSetMemberTooLarge):
		return errSetMemberTooLong
	case errors.Is(err, engine.ErrSetRandCountTooLarge):
		return errSetRandCountCap(engine.SetRandCountMax)
	case errors.Is(err, engine.ErrZSetNaN):
		return errZScoreNaN
	case errors.Is(err, engine.ErrZSetMemberTooLarge):
		return errZMemberTooLong
	case errors.Is(err, engine.ErrZRandCountTooLarge):
		return errZRandCount
	}
	return ""
}

// Connection and CLIENT errors.
const (
	errProtoVersion    = "ERR Protocol version is not an integer or out of range"
	errHelloNoAuth     = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
	errInvalidClientID = "ERR Invalid client ID"
	errClientKillID    = "ERR client-id should be greater than 0"
)

func errHelloOption(opt []byte) string {
	return fmt.Sprintf("ERR Syntax error in HELLO option '%s'", opt)
}

func errClientSetInfoAttr(attr []byte) string {
	return fmt.Sprintf("ERR Unrecognized option '%s'", attr)
}

func errClientSetInfoValue(attr string) string {
	return fmt.Sprintf("ERR %s cannot contain spaces, newlines or special characters.", attr)
}

func errUnknownClientType(t []byte) string {
	return fmt.Sprintf("ERR Unknown client type '%s'", t)
}

func errNoSuchUser(u []byte) string { return fmt.Sprintf("ERR No such user '%s'", u) }

// CONFIG errors.
const errConfigNoFile = "ERR The server is running without a config file"

func errConfigUnknown(name []byte) string {
	return fmt.Sprintf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", name)
}

func errConfigSet(name, why string) string {
	return fmt.Sprintf("ERR CONFIG SET failed (possibly related to argument '%s') - %s", name, why)
}

// COMMAND errors.
const (
	errInvalidCommand     = "ERR Invalid command specified"
	errInvalidCommandArgs = "ERR Invalid number of arguments specified for command"
	errNoKeyArgs          = "ERR The command has no key arguments"
)

// Bit commands and LCS.
const (
	errBitPosBit       = "ERR The bit argument must be 1 or 0."
	errBitFieldType    = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	errBitFieldOverflw = "ERR Invalid OVERFLOW type specified"
	errBitFieldRO      = "ERR BITFIELD_RO only supports the GET subcommand"
	errBitOpNot        = "ERR BITOP NOT must be called with a single source key."
	errLCSWrongType    = "ERR The specified keys must contain string values"
	errLCSLenAndIdx    = "ERR If you want both the length and indexes, please just use IDX."
	errLCSTooLong      = "ERR String too long for LCS"
	errLCSMemory       = "ERR Insufficient memory, failed allocating transient memory for LCS"
)

// Administration errors.
const (
	errBgSaveInProgress = "ERR Background save already in progress"
	errNoShutdown       = "ERR No shutdown in progress."
	errShutdownFailed   = "ERR Errors trying to SHUTDOWN. Check logs."
	errSlowlogCount     = "ERR count should be greater than or equal to -1"
)

// DUMP, RESTORE and OBJECT errors.
const (
	errBusyKey         = "BUSYKEY Target key name already exists."
	errDumpPayload     = "ERR DUMP payload version or checksum are wrong"
	errBadDataFormat   = "ERR Bad data format"
	errDumpUnsupported = "ERR DUMP/RESTORE of this value type is not supported yet"
	errRestoreTTL      = "ERR Invalid TTL value, must be >= 0"
	errRestoreIdletime = "ERR Invalid IDLETIME value, must be >= 0"
	errRestoreFreq     = "ERR Invalid FREQ value, must be >= 0 and <= 255"
	errLFUNotSelected  = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	errLFUSelected     = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
)

// Blocking command errors.
const errTimeoutFloat = "ERR timeout is not a float or out of range"

// CLIENT UNBLOCK errors.
const (
	errUnblocked     = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
	errUnblockReason = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
)

// Hash errors.
const (
	errHashNotInteger   = "ERR hash value is not an integer"
	errHashNotFloat     = "ERR hash value is not a float"
	errHashIncrInfinite = "ERR value is NaN or Infinity"
	errHashFieldTooLong = "ERR hash field is too large for this server"
	errHrandCountRange  = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	errHrandValuesRange = "ERR value is out of range"
)

// Transaction errors.
const (
	errMultiNested    = "ERR MULTI calls can not be nested"
	errExecNoMulti    = "ERR EXEC without MULTI"
	errDiscardNoMulti = "ERR DISCARD without MULTI"
	errWatchInMulti   = "ERR WATCH inside MULTI is not allowed"
	errExecAbort      = "EXECABORT Transaction discarded because of previous errors."
	errNoMultiCommand = "ERR Command not allowed inside a transaction"
)

// List errors.
const (
	errListIndexRange = "ERR index out of range"
	errListPopCount   = "ERR value is out of range, must be positive"
	errListRankZero   = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	errListCountNeg   = "ERR COUNT can't be negative"
	errListMaxLenNeg  = "ERR MAXLEN can't be negative"
	errListNumKeys    = "ERR numkeys should be greater than 0"
	errListMPopCount  = "ERR count should be greater than 0"
)

// Set errors.
const (
	errSetPositive      = "ERR value is out of range, must be positive"
	errSetRandRange     = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	errSetNumKeys       = "ERR numkeys should be greater than 0"
	errSetNumKeysArgs   = "ERR Number of keys can't be greater than number of args"
	errSetLimitNegative = "ERR LIMIT can't be negative"
	errSetMemberTooLong = "ERR set member is too large for this server"
)

// errSetRandCountCap is kvnode's refusal of an SRANDMEMBER count below
// -max, phrased as Redis phrases its own count range.
func errSetRandCountCap(max int64) string {
	return fmt.Sprintf("ERR value is out of range, value must between %d and 9223372036854775807", -max)
}

// Pub/Sub errors.
const (
	errSSubscribeDenyBlocking = "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"
)

// errPubsubContext refuses a command in RESP2 subscribed mode.
func errPubsubContext(cmd string) string {
	return fmt.Sprintf("ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", cmd)
}

// errSubcommandSyntax is Redis' addReplySubcommandSyntaxError.
func errSubcommandSyntax(parent, sub []byte) string {
	if len(sub) > 128 {
		sub = sub[:128]
	}
	return fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.", sub, strings.ToUpper(string(parent)))
}

// Sorted set errors.
const (
	errZAddNXXX       = "ERR XX and NX options at the same time are not compatible"
	errZAddGTLTNX     = "ERR GT, LT, and/or NX options at the same time are not compatible"
	errZAddIncrPair   = "ERR INCR option supports a single increment-element pair"
	errZScoreNaN      = "ERR resulting score is not a number (NaN)"
	errZMinMaxFloat   = "ERR min or max is not a float"
	errZMinMaxLex     = "ERR min or max not valid string range item"
	errZLimitRank     = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	errZWithScoresLex = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	errZWeightFloat   = "ERR weight value is not a float"
	errZLimitNegative = "ERR LIMIT can't be negative"
	errZNumKeys       = "ERR numkeys should be greater than 0"
	errZCount         = "ERR count should be greater than 0"
	errZPositive      = "ERR value is out of range, must be positive"
	errZRandRange     = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	errZMemberTooLong = "ERR zset member is too large for this server"
)

// errZAtLeastOneKey is the algebra commands' refusal of numkeys < 1.
func errZAtLeastOneKey(cmd string) string {
	return fmt.Sprintf("ERR at least 1 input key is needed for '%s' command", cmd)
}

// errZRandCount is kvnode's refusal of a ZRANDMEMBER count below
// -engine.ZRandCountMax, in the words Redis uses for its own ZRANDMEMBER
// count limit.
const errZRandCount = "ERR value is out of range"

// errTooManyWrites: a command whose writes do not fit one atomic
// transaction (kvnode's limit; Redis has none).
const errTooManyWrites = "ERR command writes too many elements for one atomic transaction; split it into smaller commands"

// errExecAbortBecause is Redis' reply to a refused EXEC: the transaction
// is discarded, with the refusal's text.
func errExecAbortBecause(errText string) string {
	return "EXECABORT Transaction discarded because of: " + strings.TrimPrefix(errText, "ERR ")
}

// errInvalidArgsSpecified: COMMAND GETKEYS on a movable-keys command whose
// key count is malformed.
const errInvalidArgsSpecified = "ERR Invalid arguments specified for command"

// Cluster errors (Redis 7.0 cluster.c).
const (
	errClusterDisabled    = "ERR This instance has cluster support disabled"
	errInvalidSlot        = "ERR Invalid or out of range slot"
	errInvalidSlotShort   = "ERR Invalid slot"
	errInvalidSlotOrCount = "ERR Invalid slot or number of keys"
	errFlushSlotsNotEmpty = "ERR DB must be empty to perform CLUSTER FLUSHSLOTS."
	errForgetMyself       = "ERR I tried hard but I can't forget myself..."
	errResetWithKeys      = "ERR CLUSTER RESET can't be called with master nodes containing keys"
	errEpochNotAlone      = "ERR The user can assign a config epoch only when the node does not know any other node."
	errEpochNonZero       = "ERR Node config epoch is already non-zero"
	errCrossSlot          = "CROSSSLOT Keys in request don't hash to the same slot"
	errTryAgain           = "TRYAGAIN Multiple keys request during rehashing of slot"
	errClusterDownUnbound = "CLUSTERDOWN Hash slot not served"
	errClusterDownState   = "CLUSTERDOWN The cluster is down"
)

func errMoved(slot int, addr string) string { return fmt.Sprintf("MOVED %d %s", slot, addr) }
func errAsk(slot int, addr string) string   { return fmt.Sprintf("ASK %d %s", slot, addr) }

func errSlotBusy(slot int) string { return fmt.Sprintf("ERR Slot %d is already busy", slot) }
func errSlotUnassigned(slot int) string {
	return fmt.Sprintf("ERR Slot %d is already unassigned", slot)
}
func errSlotTwice(slot int) string    { return fmt.Sprintf("ERR Slot %d specified multiple times", slot) }
func errUnknownNode(id []byte) string { return fmt.Sprintf("ERR Unknown node %s", id) }
func errInvalidEpoch(e int64) string  { return fmt.Sprintf("ERR Invalid config epoch specified: %d", e) }
func errSlotRangeOrder(from, to int64) string {
	return fmt.Sprintf("ERR start slot number %d is greater than end slot number %d", from, to)
}
func errMeetPort(p []byte) string    { return fmt.Sprintf("ERR Invalid TCP base port specified: %s", p) }
func errMeetBusPort(p []byte) string { return fmt.Sprintf("ERR Invalid TCP bus port specified: %s", p) }
func errMeetAddr(ip, port []byte) string {
	return fmt.Sprintf("ERR Invalid node address specified: %s:%s", ip, port)
}
func errSaveClusterConfig(err error) string {
	return fmt.Sprintf("ERR error saving the cluster node config: %v", err)
}
